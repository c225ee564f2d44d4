package checks_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/podlint/podlint/checks"
)

// clusterCheckIDs are the cluster-aware checks with testdata fixtures:
// fail.yaml and pass.yaml (the workload) against cluster.yaml (a snapshot).
func clusterCheckIDs() []string {
	return []string{
		"node-selector-unsatisfiable", "taint-not-tolerated", "insufficient-node-resources", "node-pod-capacity",
		"image-pull-secret-not-found", "configmap-not-found", "secret-not-found", "pvc-not-found",
		"service-account-not-found", "limit-range-violation", "resource-quota-violation", "pod-security-violation",
	}
}

func TestClusterFixtures(t *testing.T) {
	for _, id := range clusterCheckIDs() {
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

// TestClusterCatalogue checks the documentation every cluster check must
// carry for --explain, docs and SARIF.
func TestClusterCatalogue(t *testing.T) {
	for _, id := range clusterCheckIDs() {
		c := checks.Lookup(id)
		if c == nil {
			t.Errorf("%s not registered", id)
			continue
		}
		if !c.Cluster || c.Title == "" || c.Description == "" || c.Bad == "" || c.Good == "" || c.Symptom == "" || c.Run == nil {
			t.Errorf("%s: incomplete catalogue entry", id)
		}
		if r := c.Remediation; r == "" || r[len(r)-1] != '.' {
			t.Errorf("%s: remediation must end with a period: %q", id, r)
		}
	}
}
