package need

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// InCI tells whether the tests run in CI (CI set, as CI systems and
// .ci/run do).
func InCI() bool { return os.Getenv("CI") != "" }

// Missing ends the test for want of something external: a skip locally,
// a failure in CI.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() {
		tb.Fatalf("%s (required when CI is set)", msg)
	}
	tb.Skip(msg)
}

// Program returns the path of a program on PATH, or ends the test
// (Missing); hint says how to install it.
func Program(tb testing.TB, name, hint string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(tb, "%s is not on PATH (%s)", name, hint)
	}
	return p
}

// Kubectl returns the path of kubectl, or ends the test (Missing).
func Kubectl(tb testing.TB) string {
	tb.Helper()
	return Program(tb, "kubectl", "install kubectl 1.32 or later")
}

// RepoRoot is the repository's root directory, found from this file's
// location so that tests in any package agree on it.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Corpus returns the shared corpus of real-world manifests
// (../shared/corpus/files beside the repository), or ends the test
// (Missing).
func Corpus(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(RepoRoot(), "..", "shared", "corpus", "files")
	if _, err := os.Stat(dir); err != nil {
		Missing(tb, "the corpus is not at %s: %v", dir, err)
	}
	return dir
}
