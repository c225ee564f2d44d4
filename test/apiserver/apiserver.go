package apiserver

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/podlint/podlint/test/need"
)

// BinDir is <repo>/bin, found from this file's location so that tests in
// any package directory agree on it.
func BinDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "bin")
}

// Start starts a control plane that is stopped when the test ends; its
// Config field is the admin rest.Config. Without the binaries the test is
// skipped, except under CI (CI set), where that is a failure: a green CI
// must mean the cluster tests ran.
func Start(t testing.TB) *envtest.Environment {
	t.Helper()
	bin := BinDir()
	for _, b := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(bin, b)); err != nil {
			need.Missing(t, "%s missing in %s; run make envtest-bins to run tests against a real API server: %v", b, bin, err)
		}
	}
	env := &envtest.Environment{BinaryAssetsDirectory: bin}
	if _, err := env.Start(); err != nil {
		t.Fatalf("starting envtest: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping envtest: %v", err)
		}
	})
	return env
}
