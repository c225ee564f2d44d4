package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/podlint/podlint/why"
)

// TestCausesDocUpToDate keeps docs/causes.md equal to what
// --list-causes -o markdown prints for the rule table.
func TestCausesDocUpToDate(t *testing.T) {
	have, err := os.ReadFile(filepath.Join("..", "..", "docs", "causes.md"))
	if err != nil {
		t.Fatalf("%v; run make docs", err)
	}
	var want bytes.Buffer
	if err := why.ListCauses(&want, "markdown"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, want.Bytes()) {
		t.Errorf("docs/causes.md is stale: the rule table changed; run make docs and commit the result")
	}
}

// TestListCauses: every format lists every row.
func TestListCauses(t *testing.T) {
	for _, f := range why.CauseFormats() {
		code, out, errOut := run(t, "--list-causes", "-o", f)
		if code != ExitOK || errOut != "" {
			t.Fatalf("-o %s: exit %d, stderr %s", f, code, errOut)
		}
		for _, r := range why.Rules() {
			if !bytes.Contains([]byte(out), []byte(r.Sub)) || !bytes.Contains([]byte(out), []byte(r.ID)) {
				t.Errorf("-o %s does not list %s", f, r.Key())
			}
		}
	}
}
