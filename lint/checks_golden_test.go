package lint_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
	"github.com/podlint/podlint/cluster/snapshot"
	"github.com/podlint/podlint/lint"
	"github.com/podlint/podlint/lint/output"
	"github.com/podlint/podlint/test/golden"
)

// updating reads the -update flag that package lint's own tests define;
// both test files build into one binary, where a second definition of
// the flag would panic.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// TestCheckFixtures runs every registered check over its fixtures in
// checks/testdata/<id>/: fail.yaml must produce at least one finding of the
// check and pass.yaml none. A check without both files fails the test, so
// no check ships untested (checks.TestFixtureLayout holds the other
// direction: every fixture directory names a registered check).
// cluster.yaml, when present, is a snapshot loaded as cluster knowledge,
// the way --cluster-snapshot does. The text output for fail.yaml is kept
// beside it in fail.golden so that positions and messages are reviewed
// when they change.
func TestCheckFixtures(t *testing.T) {
	// Run from the repository root so that file names in the goldens are
	// the paths a user would type.
	t.Chdir("..")
	for _, c := range checks.Catalogue() {
		t.Run(c.ID, func(t *testing.T) {
			dir := filepath.Join("checks", "testdata", c.ID)
			fail, pass := filepath.Join(dir, "fail.yaml"), filepath.Join(dir, "pass.yaml")
			for _, f := range []string{fail, pass} {
				if _, err := os.Stat(f); err != nil {
					t.Fatalf("check %s has no fixture %s: every registered check needs fail.yaml and pass.yaml (%v)", c.ID, f, err)
				}
			}
			snapshot := filepath.Join(dir, "cluster.yaml")
			if _, err := os.Stat(snapshot); err != nil {
				snapshot = ""
			}
			if c.Cluster && snapshot == "" {
				t.Errorf("cluster check %s has no %s; without cluster knowledge it cannot report", c.ID, filepath.Join(dir, "cluster.yaml"))
			}

			failReport := runFixture(t, c, fail, snapshot)
			if n := countCheck(failReport, c.ID); n == 0 {
				t.Errorf("%s: no %s finding; the fixture must trigger its check", fail, c.ID)
			}
			passReport := runFixture(t, c, pass, snapshot)
			if n := countCheck(passReport, c.ID); n != 0 {
				var buf bytes.Buffer
				_ = (&output.Text{}).Write(&buf, passReport)
				t.Errorf("%s: %d %s findings, want none:\n%s", pass, n, c.ID, buf.String())
			}

			var buf bytes.Buffer
			if err := (&output.Text{}).Write(&buf, failReport); err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join(dir, "fail.golden"), buf.Bytes(), updating())
		})
	}
}

// runFixture lints one fixture with only the check under test enabled, so
// the golden shows that check's findings and nothing else.
func runFixture(t *testing.T, c *checks.Check, file, clusterFile string) *lint.Report {
	t.Helper()
	cfg := checks.DefaultConfig()
	cfg.Enabled = map[string]bool{c.ID: true}
	var store *cluster.Store
	if clusterFile != "" {
		store = cluster.New()
		warnings, err := snapshot.LoadFile(clusterFile, store)
		if err != nil {
			t.Fatalf("loading %s: %v", clusterFile, err)
		}
		for _, w := range warnings {
			t.Logf("%s: %s", clusterFile, w)
		}
	}
	r := lint.Run(t.Context(), lint.Options{Paths: []string{file}, Engine: checks.NewEngine(cfg), Store: store})
	for _, e := range r.Errors {
		t.Errorf("fixture %s could not be read: %v", file, e)
	}
	for _, f := range r.Findings {
		if f.Check == c.ID && (f.Line <= 0 || f.Column <= 0) {
			t.Errorf("%s: finding without a position: %+v", file, f)
		}
	}
	return r
}

func countCheck(r *lint.Report, id string) int {
	n := 0
	for _, f := range r.Findings {
		if f.Check == id {
			n++
		}
	}
	return n
}
