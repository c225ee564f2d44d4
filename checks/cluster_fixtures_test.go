package checks_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
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
			clusterSrc := read("cluster.yaml")
			// fixture loads a fixture's objects: the one with a pod spec is
			// checked; the others are inputs of the run, added to st.
			fixture := func(name string, st *cluster.Store) *checks.Target {
				var target *checks.Target
				docs, _ := yamlDocs(t, read(name))
				for _, d := range docs {
					obj, av, kind := decodeTyped(t, d)
					tg := checks.NewTarget(obj, av, kind)
					if tg.Spec == nil || target != nil {
						st.AddTarget(tg)
						continue
					}
					target = tg
				}
				if target == nil {
					t.Fatalf("%s: no object with a pod spec", name)
				}
				return target
			}
			failStore := clusterStore(t, clusterSrc)
			fail := runCluster(t, id, fixture("fail.yaml", failStore), failStore)
			if len(fail) == 0 {
				t.Errorf("fail.yaml: no %s finding", id)
			}
			for _, f := range fail {
				t.Logf("fail.yaml: %s %s: %s", f.Severity, f.Field, f.Message)
			}
			passStore := clusterStore(t, clusterSrc)
			if pass := runCluster(t, id, fixture("pass.yaml", passStore), passStore); len(pass) != 0 {
				t.Errorf("pass.yaml: unexpected findings:\n%s", clusterLines(pass))
			}
			// Without the snapshot every kind is unknown: silence, unless
			// fail.yaml brings its own knowledge among its inputs.
			if docs, _ := yamlDocs(t, read("fail.yaml")); len(docs) > 1 {
				return
			}
			if none := runCluster(t, id, workload(t, read("fail.yaml")), clusterStore(t, "")); len(none) != 0 {
				t.Errorf("fail.yaml without cluster knowledge:\n%s", clusterLines(none))
			}
		})
	}
}
