package lint

import (
	"os"
	"runtime/debug"
)

// GC settings for a process that runs one lint (cmd/podlint calls
// TuneGC; a library caller keeps its own). A streaming run holds little
// for long (docs/benchmarks.md): the parse trees of the documents in
// flight and the compact facts of the objects read so far (a few words
// each, the rest in the spool: compact.go). With Go's
// default (GOGC=100) the heap goal follows that small live heap closely,
// so the collector runs often while the stream is short; GOGC=200 halves
// those collections, and the soft limit keeps a long stream's heap from
// growing to three times its live size. Measured on the corpus stream
// (1x, 17 MB; 20x, 343 MB): GOGC=100 alone, 71 and 168 MiB peak RSS;
// GOGC=200 with a 100 MiB limit, see docs/benchmarks.md. The limit is
// soft: a live heap above it (one very large document) is not an error,
// only collected more often (Go caps that at about half the CPU).
const (
	gcPercent   = 200
	memoryLimit = 100 << 20
)

// TuneGC sets the collector for a one-run process, unless GOGC or
// GOMEMLIMIT in the environment say otherwise.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
