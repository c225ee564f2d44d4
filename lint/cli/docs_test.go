package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/podlint/podlint/checks"
)

// TestDocsUpToDate keeps docs/checks.md equal to what --list-checks -o
// markdown prints for the catalogue, so the published catalogue never
// drifts from the code.
func TestDocsUpToDate(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "checks.md")
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; run make docs", err)
	}
	var want bytes.Buffer
	if err := ListChecks(&want, "markdown", checks.Catalogue()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, want.Bytes()) {
		t.Errorf("docs/checks.md is stale: the check catalogue changed; run make docs and commit the result")
	}
}
