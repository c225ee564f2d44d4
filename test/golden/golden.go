// Package golden compares test output with files under testdata and
// rewrites them when a test binary runs with -update. Each test package
// declares its own -update flag and passes its value, so that no package
// registers flags for another.
package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Assert fails the test when got differs from the file at path. With update
// it writes got to path instead (creating directories), so reviewing the
// diff of the golden files is how an intended change is accepted.
func Assert(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run the test with -update if the change is intended)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}
