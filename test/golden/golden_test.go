package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder captures failures so Assert's own failures can be tested.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true }

func TestAssert(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "out.golden")
	steps := []struct {
		name     string
		got      string
		update   bool
		wantFail bool
	}{
		{"missing file fails", "a\n", false, true},
		{"update creates it", "a\n", true, false},
		{"same output passes", "a\n", false, false},
		{"different output fails", "b\n", false, true},
	}
	for _, s := range steps {
		r := &recorder{TB: t}
		Assert(r, path, []byte(s.got), s.update)
		if r.failed != s.wantFail {
			t.Errorf("%s: failed = %v, want %v", s.name, r.failed, s.wantFail)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != "a\n" {
		t.Errorf("file holds %q after the steps, want the updated %q", b, "a\n")
	}
}
