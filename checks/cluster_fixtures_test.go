package checks_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/podlint/podlint/checks"
)

// TestClusterFixtures runs every cluster-aware check's fixtures here, with
// the snapshot loaded straight into a store: fail.yaml and pass.yaml (the
// workload) against cluster.yaml, and fail.yaml again without cluster
// knowledge, which must stay silent. TestFixtureLayout makes sure the
// files exist.
func TestClusterFixtures(t *testing.T) {
	for _, c := range checks.Catalogue() {
		if !c.Cluster {
			continue
		}
		id := c.ID
		t.Run(id, func(t *testing.T) {
			dir := filepath.Join("testdata", id)
			read := func(name string) string {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
			cluster := read("cluster.yaml")
			fail := runCluster(t, id, workload(t, read("fail.yaml")), clusterStore(t, cluster))
			if len(fail) == 0 {
				t.Errorf("fail.yaml: no %s finding", id)
			}
			for _, f := range fail {
				t.Logf("fail.yaml: %s %s: %s", f.Severity, f.Field, f.Message)
			}
			if pass := runCluster(t, id, workload(t, read("pass.yaml")), clusterStore(t, cluster)); len(pass) != 0 {
				t.Errorf("pass.yaml: unexpected findings:\n%s", clusterLines(pass))
			}
			// Without the snapshot every kind is unknown: silence.
			if none := runCluster(t, id, workload(t, read("fail.yaml")), clusterStore(t, "")); len(none) != 0 {
				t.Errorf("fail.yaml without cluster knowledge:\n%s", clusterLines(none))
			}
		})
	}
}
