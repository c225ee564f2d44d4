package snapshot

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/podlint/podlint/cluster"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadIntoStore(tb testing.TB, path string) *cluster.Store {
	store := cluster.New()
	if _, err := LoadFile(path, store); err != nil {
		tb.Fatal(err)
	}
	return store
}

func benchmarkLoad(b *testing.B, f Format) {
	ext := map[Format]string{JSON: "json", YAML: "yaml"}[f]
	path := filepath.Join(b.TempDir(), "snapshot."+ext)
	writeScaleSnapshot(b, path, issueScale, f)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	b.ResetTimer()
	cpu0 := cpuTime()
	var store *cluster.Store
	for b.Loop() {
		store = loadIntoStore(b, path)
	}
	cpu := cpuTime() - cpu0
	b.StopTimer()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	// CPU time stays meaningful when other work shares the machine; on an
	// idle 2-core machine the wall time is about half of it.
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(st.Size())/(1<<20), "file-MiB")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "retained-heap-MiB")
	if nodes, known := store.Inventory().Nodes.Nodes(); !known || len(nodes) != issueScale.nodes {
		b.Fatalf("loaded %d nodes (known %v), want %d", len(nodes), known, issueScale.nodes)
	}
}

// BenchmarkLoadSnapshot loads the issue's scale (5,000 nodes, 1,000
// DaemonSets, 50,000 other objects) from kubectl-shaped JSON and YAML into
// a store. Peak memory is measured by TestSnapshotScalePeakMemory, in a
// process of its own.
func BenchmarkLoadSnapshot(b *testing.B) {
	b.Run("json", func(b *testing.B) { benchmarkLoad(b, JSON) })
	b.Run("yaml", func(b *testing.B) { benchmarkLoad(b, YAML) })
}

const peakChildEnv = "PODLINT_SNAPSHOT_PEAK_CHILD"

// TestSnapshotScalePeakMemory loads the issue-scale snapshot, as JSON and
// as YAML, in a fresh process (this test binary, re-executed) and asserts
// its peak RSS: measured in-process, the generator's own allocations
// would count. Speed is not asserted here; the benchmark measures it.
func TestSnapshotScalePeakMemory(t *testing.T) {
	if path := os.Getenv(peakChildEnv); path != "" {
		loadIntoStore(t, path)
		return
	}
	if testing.Short() {
		t.Skip("generates a 90 MiB snapshot; skipped with -short")
	}
	if raceEnabled {
		t.Skip("peak memory is not meaningful under the race detector; run go test without -race")
	}
	for _, f := range []Format{JSON, YAML} {
		name := map[Format]string{JSON: "json", YAML: "yaml"}[f]
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "snapshot."+name)
			writeScaleSnapshot(t, path, issueScale, f)
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestSnapshotScalePeakMemory$", "-test.count=1")
			cmd.Env = append(os.Environ(), peakChildEnv+"="+path)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child load failed: %v\n%s", err, out)
			}
			ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			if !ok {
				t.Skip("no rusage on this platform")
			}
			peak := ru.Maxrss * 1024 // kilobytes on Linux
			t.Logf("peak RSS loading %d nodes, %d DaemonSets, %d other objects from %s: %s MiB", issueScale.nodes, issueScale.daemonSets, issueScale.others, name, strconv.FormatInt(peak>>20, 10))
			if limit := int64(500 << 20); peak > limit {
				t.Errorf("peak RSS %d MiB, want under %d MiB", peak>>20, limit>>20)
			}
		})
	}
}
