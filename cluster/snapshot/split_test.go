package snapshot

import (
	"os"
	"testing"

	"github.com/podlint/podlint/cluster"
)

// TestYAMLListSplitIntoItems guards the YAML fast path: kubectl's layout,
// including the List metadata after the items, is split into one unit per
// item instead of being parsed whole.
func TestYAMLListSplitIntoItems(t *testing.T) {
	b, err := os.ReadFile("testdata/kubectl-list.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d := decoder{listed: map[cluster.Kind]bool{}}
	if err := d.yamlStream(b); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, u := range d.units {
		if u.yaml {
			n++
		}
	}
	if len(d.units) != 9 || n != 9 {
		t.Errorf("units = %d (%d YAML items), want 9 YAML items", len(d.units), n)
	}
}
