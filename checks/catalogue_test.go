package checks_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/podlint/podlint/checks"
)

// TestCatalogue holds every check to the documentation that --explain,
// --list-checks, docs/checks.md and SARIF rules print.
func TestCatalogue(t *testing.T) {
	kebab := regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)+$`)
	seen := map[string]bool{}
	reg := checks.Catalogue()
	if len(reg) == 0 {
		t.Fatal("the catalogue is empty")
	}
	for _, c := range reg {
		if !kebab.MatchString(c.ID) {
			t.Errorf("check ID %q is not kebab-case", c.ID)
		}
		if seen[c.ID] {
			t.Errorf("check ID %q registered twice", c.ID)
		}
		seen[c.ID] = true
		if c.Title == "" || c.Description == "" || c.Run == nil {
			t.Errorf("%s: title, description and Run are required", c.ID)
		}
		if r := strings.TrimSpace(c.Remediation); r == "" || !strings.HasSuffix(r, ".") {
			t.Errorf("%s: remediation %q must be a sentence ending with a period", c.ID, c.Remediation)
		}
		if c.Symptom.Explanation() == "" {
			t.Errorf("%s: stuck state %q has no Symptom.Explanation", c.ID, c.Symptom)
		}
		for name, ex := range map[string]string{"Bad": c.Bad, "Good": c.Good} {
			var v any
			if strings.TrimSpace(ex) == "" {
				t.Errorf("%s: %s example is missing", c.ID, name)
			} else if err := yaml.Unmarshal([]byte(ex), &v); err != nil {
				t.Errorf("%s: %s example is not YAML: %v", c.ID, name, err)
			}
		}
		if c.Cluster && strings.TrimSpace(c.Uses) == "" {
			// docs/checks.md and --explain must say what a cluster
			// check reads and where from.
			t.Errorf("%s: a cluster check needs Uses", c.ID)
		}
		if c.MissingReference && !c.Cluster {
			t.Errorf("%s: MissingReference is for cluster checks", c.ID)
		}
		if l := checks.Lookup(c.ID); l == nil || l.ID != c.ID {
			t.Errorf("Lookup(%q) = %v", c.ID, l)
		}
	}
}

// The documentation lists the static checks first, then the cluster-aware
// ones; within each group the catalogue's order is the documented one.
func TestCatalogueOrder(t *testing.T) {
	var clusterSeen string
	for _, c := range checks.Catalogue() {
		switch {
		case c.Cluster:
			clusterSeen = c.ID
		case clusterSeen != "":
			t.Errorf("static check %s comes after cluster check %s; list static checks first", c.ID, clusterSeen)
		}
	}
}

// TestFixtureLayout ties checks/testdata to the catalogue in both
// directions: every registered check has a directory named by its ID with
// fail.yaml, pass.yaml, fail.golden (the text output for fail.yaml) and,
// for a cluster check, cluster.yaml (the snapshot); every directory names
// a registered check and holds nothing else. lint's TestCheckFixtures runs
// the files.
func TestFixtureLayout(t *testing.T) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() {
			t.Errorf("testdata/%s: only one directory per check belongs in testdata", e.Name())
			continue
		}
		dirs[e.Name()] = true
		if checks.Lookup(e.Name()) == nil {
			t.Errorf("testdata/%s names no registered check; register it in Catalogue or delete the directory", e.Name())
		}
	}
	for _, c := range checks.Catalogue() {
		if !dirs[c.ID] {
			t.Errorf("check %s has no fixtures: add testdata/%s/ with fail.yaml, pass.yaml and fail.golden", c.ID, c.ID)
			continue
		}
		want := []string{"fail.golden", "fail.yaml", "pass.yaml"}
		files, err := os.ReadDir(filepath.Join("testdata", c.ID))
		if err != nil {
			t.Fatal(err)
		}
		// A static check with a cluster part (host-port-conflict) may
		// carry a snapshot for it; a cluster check must.
		if c.Cluster || slices.ContainsFunc(files, func(f os.DirEntry) bool { return f.Name() == "cluster.yaml" }) {
			want = append(want, "cluster.yaml")
		}
		slices.Sort(want)
		var got []string
		for _, f := range files {
			got = append(got, f.Name())
		}
		if !slices.Equal(got, want) {
			t.Errorf("testdata/%s holds %q, want %q", c.ID, got, want)
		}
	}
}

func TestSchemaInvalid(t *testing.T) {
	target := deploymentTarget(appSpec(limits("memory", "1Gi")), nil)
	target.Issues = []checks.SchemaIssue{
		{Field: "spec.template.spec.containers[0].imagePullSecret", Message: `unknown field "imagePullSecret"; did you mean "imagePullSecrets" (in the pod spec)?`, Line: 21, Column: 9},
		{Field: "spec.replicas", Message: `duplicate key "replicas"`},
	}
	fs := runStatic(t, "schema-invalid", target, checks.Inventory{}, nil)
	if len(fs) != 2 {
		t.Fatalf("got %d findings, want 2: %q", len(fs), findingLines(fs))
	}
	if f := fs[0]; f.Field != target.Issues[0].Field || f.Message != target.Issues[0].Message || f.Line != 21 || f.Column != 9 || f.Severity != checks.Error {
		t.Errorf("first finding %+v does not carry the issue", f)
	}
	if f := fs[1]; f.Field != "spec.replicas" || f.Line != 0 {
		t.Errorf("second finding %+v", f)
	}
	// A harmless issue (a key repeated with the same value) is a warning.
	target.Issues = []checks.SchemaIssue{{Field: "spec.selector", Message: "duplicate key with the same value", Harmless: true}}
	if fs := runStatic(t, "schema-invalid", target, checks.Inventory{}, nil); len(fs) != 1 || fs[0].Severity != checks.Warning {
		t.Errorf("harmless issue: got %q, want one warning", findingLines(fs))
	}
	// Objects without a pod spec are schema-checked too.
	cm := checks.NewTarget(nil, "v1", "ConfigMap")
	cm.Issues = []checks.SchemaIssue{{Field: "data.port", Message: "wrong type"}}
	if fs := runStatic(t, "schema-invalid", cm, checks.Inventory{}, nil); len(fs) != 1 {
		t.Errorf("ConfigMap issues: got %q", findingLines(fs))
	}
}
