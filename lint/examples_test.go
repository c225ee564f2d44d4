package lint_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
	"github.com/podlint/podlint/cluster/snapshot"
	"github.com/podlint/podlint/lint"
)

// TestExamples holds examples/ to the README's promise: one broken
// manifest per check. examples/<id>.yaml shows its check with nothing but
// the files (`podlint examples/`), including the cluster checks that the
// objects applied with a workload can feed (LimitRange, ResourceQuota,
// Namespace); examples/cluster/<id>.yaml shows a check that needs what
// only a cluster can say (Nodes, Pods, complete lists of ConfigMaps, …),
// with `podlint --cluster-snapshot examples/cluster.snapshot examples/`.
func TestExamples(t *testing.T) {
	t.Chdir("..")
	store := cluster.New()
	if _, err := snapshot.LoadFile(filepath.Join("examples", "cluster.snapshot"), store); err != nil {
		t.Fatal(err)
	}
	files := lint.Run(t.Context(), lint.Options{Paths: []string{"examples"}})
	withCluster := lint.Run(t.Context(), lint.Options{Paths: []string{"examples"}, Store: store})
	for _, rep := range []*lint.Report{files, withCluster} {
		if len(rep.Errors) > 0 {
			t.Fatalf("examples do not parse: %v", rep.Errors)
		}
	}
	reported := func(rep *lint.Report, file, id string) bool {
		return slices.ContainsFunc(rep.Findings, func(f lint.Finding) bool {
			return filepath.ToSlash(f.File) == file && f.Check == id
		})
	}
	for _, c := range checks.Catalogue() {
		plain, inCluster := "examples/"+c.ID+".yaml", "examples/cluster/"+c.ID+".yaml"
		_, errPlain := os.Stat(plain)
		_, errCluster := os.Stat(inCluster)
		switch {
		case errPlain == nil && errCluster == nil:
			t.Errorf("%s has two examples, %s and %s", c.ID, plain, inCluster)
		case errPlain == nil:
			if !reported(files, plain, c.ID) {
				t.Errorf("podlint examples/ does not report %s in %s", c.ID, plain)
			}
		case errCluster == nil:
			if !reported(withCluster, inCluster, c.ID) {
				t.Errorf("podlint --cluster-snapshot examples/cluster.snapshot examples/ does not report %s in %s", c.ID, inCluster)
			}
			if reported(files, inCluster, c.ID) {
				t.Errorf("%s reports %s without the snapshot; move it to %s", inCluster, c.ID, plain)
			}
		default:
			t.Errorf("check %s has no example: add %s (or %s if it needs the cluster snapshot)", c.ID, plain, inCluster)
		}
	}
	// Without a snapshot, nothing in examples/cluster/ is reported: the
	// cluster checks never guess.
	for _, f := range files.Findings {
		if strings.Contains(filepath.ToSlash(f.File), "examples/cluster/") {
			t.Errorf("without a snapshot: %s:%d: %s", f.File, f.Line, f.Message)
		}
	}
}
