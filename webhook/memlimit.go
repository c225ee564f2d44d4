package webhook

import (
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
)

// MemoryLimitEnv is the variable the manifests fill with the container's
// memory limit in bytes, through the downward API (resourceFieldRef
// limits.memory).
const MemoryLimitEnv = "PODLINT_MEMORY_LIMIT"

// memoryLimitPercent of the container's limit becomes the Go runtime's
// soft memory limit (what GOMEMLIMIT sets). The rest is headroom for what
// the runtime does not count — the binary's mapped text, memory the kernel
// holds for sockets and TLS buffers — so that under a burst the collector
// works harder well before the kernel would OOM-kill the replica. Without a
// limit the runtime lets the heap double between collections, and a burst
// of requests can take a replica past its limit.
const memoryLimitPercent = 90

// goMemoryLimit returns the soft memory limit to set from the environment
// and a description for the log, or 0 when there is nothing to set: an
// explicit GOMEMLIMIT wins (the runtime has applied it already), and
// without a usable container limit the runtime's default stays.
func goMemoryLimit(getenv func(string) string) (int64, string) {
	if v := getenv("GOMEMLIMIT"); v != "" {
		return 0, "GOMEMLIMIT=" + v + " (set explicitly)"
	}
	v := strings.TrimSpace(getenv(MemoryLimitEnv))
	if v == "" {
		return 0, "none (no " + MemoryLimitEnv + ")"
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Sprintf("none (%s=%q is not a number of bytes)", MemoryLimitEnv, v)
	}
	limit := n / 100 * memoryLimitPercent
	return limit, fmt.Sprintf("%d MiB (%d%% of the container's %d MiB)", limit>>20, memoryLimitPercent, n>>20)
}

// applyMemoryLimit sets the runtime's soft memory limit from the
// environment and says what it did.
func applyMemoryLimit(getenv func(string) string) string {
	limit, desc := goMemoryLimit(getenv)
	if limit > 0 {
		debug.SetMemoryLimit(limit)
	}
	return desc
}
