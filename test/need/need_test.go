package need

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMissingRule runs a test that needs an absent program in a child
// process, with and without CI set: skipped locally, failed in CI.
func TestMissingRule(t *testing.T) {
	if os.Getenv("NEED_CHILD") != "" {
		Program(t, "podlint-no-such-program", "nowhere")
		t.Fatal("Program returned for a missing program")
	}
	for _, tt := range []struct {
		ci   string
		fail bool
		want string
	}{
		{"", false, "--- SKIP"},
		{"true", true, "required when CI is set"},
	} {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestMissingRule$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "NEED_CHILD=1", "CI="+tt.ci)
		out, err := cmd.CombinedOutput()
		if (err != nil) != tt.fail || !strings.Contains(string(out), tt.want) {
			t.Errorf("CI=%q: err %v, output lacks %q:\n%s", tt.ci, err, tt.want, out)
		}
	}
}

func TestRepoRoot(t *testing.T) {
	if _, err := os.Stat(RepoRoot() + "/go.mod"); err != nil {
		t.Errorf("RepoRoot %s has no go.mod: %v", RepoRoot(), err)
	}
}
