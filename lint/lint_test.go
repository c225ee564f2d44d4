package lint

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
	"github.com/podlint/podlint/test/golden"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testEngine has checks whose findings are easy to predict, so these
// tests pin the pipeline (positions, inventory, ordering), not the
// catalogue.
func testEngine(cfg *checks.Config) *checks.Engine {
	return &checks.Engine{Config: cfg, Checks: []*checks.Check{
		{
			ID: "test-image", Severity: checks.Warning, Symptom: checks.ImagePullBackOff,
			Run: func(p *checks.Pass) {
				for _, c := range p.Target.Containers() {
					p.Report(c.Path.Child("image"), c.Container.Name, "image %q", c.Container.Image)
					if len(p.Target.Spec.ImagePullSecrets) == 0 {
						// Absent: the position falls back to an ancestor.
						p.ReportAs(checks.Info, p.Target.SpecPath.Child("imagePullSecrets"), c.Container.Name, "no pull secrets")
					}
				}
			},
		},
		{
			ID: "test-sa", Severity: checks.Error, Symptom: checks.FailedCreate,
			Run: func(p *checks.Pass) {
				name := p.Target.Spec.ServiceAccountName
				if name == "" {
					return
				}
				_, pr := p.Inv.ServiceAccounts.ServiceAccount(p.Target.Namespace(), name)
				p.Report(p.Target.SpecPath.Child("serviceAccountName"), "", "ServiceAccount %q is %s", name, pr)
			},
		},
		checks.Lookup("schema-invalid"),
	}}
}

func TestRunGolden(t *testing.T) {
	cfg := checks.DefaultConfig()
	cfg.Exclude = []string{"vendor"}
	dir := filepath.Join("testdata", "loader")
	helm, err := os.Open(filepath.Join(dir, "helm.out"))
	if err != nil {
		t.Fatal(err)
	}
	defer helm.Close()
	rep := Run(t.Context(), Options{Paths: []string{filepath.Join(dir, "app"), "-"}, Stdin: helm, Engine: testEngine(cfg)})
	got, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join(dir, "report.golden.json"), append(got, '\n'), *update)

	// The facts the golden file encodes, spelled out.
	find := func(file, check, field string) *Finding {
		for i, f := range rep.Findings {
			if strings.HasSuffix(f.File, file) && f.Check == check && f.Field == field {
				return &rep.Findings[i]
			}
		}
		t.Fatalf("no %s finding in %s at %s; findings: %+v", check, file, field, rep.Findings)
		return nil
	}
	pos := func(f *Finding) string { return itoa(f.Line) + ":" + itoa(f.Column) }
	if f := find("app/deploy.yaml", "test-image", "spec.template.spec.containers[0].image"); pos(f) != "17:16" {
		t.Errorf("image at %s, want 17:16", pos(f))
	}
	if f := find("app/deploy.yaml", "test-image", "spec.template.spec.imagePullSecrets"); pos(f) != "13:5" {
		t.Errorf("absent imagePullSecrets at %s, want the pod spec at 13:5", pos(f))
	}
	if f := find("app/deploy.yaml", "test-sa", "spec.template.spec.serviceAccountName"); !strings.Contains(f.Message, "present") {
		t.Errorf("the ServiceAccount from sa.yml was not in the inventory: %s", f.Message)
	}
	if f := find("app/deploy.yaml", "schema-invalid", "spec.template.spec.containers[0].imagePullSecret"); pos(f) != "21:9" || !strings.Contains(f.Message, `unknown field "imagePullSecret"`) {
		t.Errorf("schema issue at %s: %s", pos(f), f.Message)
	}
	// A Helm render on stdin: the position is in the render, the
	// template named by "# Source:" only a hint.
	if f := find("-", "test-image", "spec.template.spec.containers[0].image"); pos(f) != "18:16" || !strings.HasSuffix(f.Message, "(rendered from shop/templates/deployment.yaml)") {
		t.Errorf("Helm render finding at -:%s %q, want -:18:16 rendered from shop/templates/deployment.yaml", pos(f), f.Message)
	}
	want2 := Summary{Files: 5, Objects: 9, Findings: len(rep.Findings), Skipped: 1}
	for _, f := range rep.Findings {
		switch f.Severity {
		case checks.Error:
			want2.Errors++
		case checks.Warning:
			want2.Warnings++
		default:
			want2.Infos++
		}
	}
	if rep.Summary != want2 {
		t.Errorf("summary %+v, want %+v", rep.Summary, want2)
	}
	if len(rep.Errors) != 1 || !strings.HasSuffix(rep.Errors[0].File, "broken.yaml") || rep.Errors[0].Line != 8 {
		t.Errorf("errors %+v, want one at broken.yaml:8", rep.Errors)
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// TestUnreadableInputs: a path that cannot be read is an error with its
// name, and the other inputs are still linted.
func TestUnreadableInputs(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "dangling.yaml")); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.yaml")
	cfg := checks.DefaultConfig()
	rep := Run(t.Context(), Options{Paths: []string{dir, missing}, Engine: testEngine(cfg)})
	var errFiles []string
	for _, e := range rep.Errors {
		errFiles = append(errFiles, filepath.Base(e.File))
		if e.Message == "" {
			t.Errorf("error without reason: %+v", e)
		}
	}
	if strings.Join(errFiles, ",") != "dangling.yaml,missing.yaml" {
		t.Errorf("errors %+v", rep.Errors)
	}
	if rep.Summary.Objects != 1 || rep.Summary.Findings == 0 {
		t.Errorf("the good file was not linted: %+v", rep.Summary)
	}
}

// TestRunRealCatalogue runs the registered checks end to end: a finding
// of a real check lands on the value's line and column.
func TestRunRealCatalogue(t *testing.T) {
	rep := Run(t.Context(), Options{Paths: []string{filepath.Join("testdata", "loader", "app", "deploy.yaml")}})
	var found bool
	for _, f := range rep.Findings {
		if f.Check == "memory-unit-milli" {
			found = true
			if f.Line != 20 || f.Column != 21 {
				t.Errorf("memory-unit-milli at %d:%d, want 20:21", f.Line, f.Column)
			}
		}
		if f.Check == "schema-invalid" && (f.Line != 21 || f.Column != 9) {
			t.Errorf("schema-invalid at %d:%d, want 21:9", f.Line, f.Column)
		}
	}
	if !found {
		t.Errorf("no memory-unit-milli finding: %+v", rep.Findings)
	}
}

// TestStorePrefilled: cluster knowledge given by the caller is used for
// objects whose namespace is known, and never for a namespace-less object
// whose apply namespace podlint was not told.
func TestStorePrefilled(t *testing.T) {
	store := cluster.New()
	store.MarkKnown(cluster.ServiceAccounts, cluster.AllNamespaces)
	cfg := checks.DefaultConfig()
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  serviceAccountName: robot\n  containers: [{name: c, image: x}]\n"
	for _, tt := range []struct {
		namespace, want string
	}{
		{"default", "absent"},
		{"", "unknown"},
	} {
		rep := Run(t.Context(), Options{
			Paths:     []string{"-"},
			Stdin:     strings.NewReader(pod),
			Engine:    testEngine(cfg),
			Store:     store,
			Namespace: tt.namespace,
		})
		var msg string
		for _, f := range rep.Findings {
			if f.Check == "test-sa" {
				msg = f.Message
			}
		}
		if !strings.Contains(msg, tt.want) {
			t.Errorf("namespace %q: want the ServiceAccount reported %s, got %q", tt.namespace, tt.want, msg)
		}
		if rep.Findings[0].File != "-" {
			t.Errorf("stdin findings in %q", rep.Findings[0].File)
		}
	}
}

// TestReportChecks: the report names the checks the engine ran, in its
// order, and not the ones the configuration turned off.
func TestReportChecks(t *testing.T) {
	cfg := checks.DefaultConfig()
	cfg.Disabled = map[string]bool{"test-sa": true}
	rep := Run(t.Context(), Options{Paths: []string{"-"}, Stdin: strings.NewReader(""), Engine: testEngine(cfg)})
	var got []string
	for _, c := range rep.Checks {
		got = append(got, c.ID)
	}
	if want := []string{"test-image", "schema-invalid"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Report.Checks = %q, want %q", got, want)
	}
	if n := len(Run(t.Context(), Options{Paths: []string{"-"}, Stdin: strings.NewReader("")}).Checks); n != len(checks.Catalogue()) {
		t.Errorf("without an engine the report names %d checks, want the catalogue's %d", n, len(checks.Catalogue()))
	}
}

func TestExcluded(t *testing.T) {
	tests := []struct {
		path  string
		globs []string
		want  bool
	}{
		{"a/vendor/x.yaml", []string{"vendor"}, true},
		{"a/b/x.yaml", []string{"vendor"}, false},
		{"a/b/x_test.yaml", []string{"*_test.yaml"}, true},
		{"./charts/a/templates/x.yaml", []string{"charts/*/templates"}, true},
		{"charts/a/values.yaml", []string{"charts/*/templates"}, false},
		{"deep/er/crds/x.yaml", []string{"**/crds/**"}, true},
		{"crds/x.yaml", []string{"**/crds"}, true},
		{"x.yaml", []string{""}, false},
		{"x.yaml", []string{"["}, false},
	}
	for _, tt := range tests {
		if got := excluded(tt.path, tt.globs); got != tt.want {
			t.Errorf("excluded(%q, %q) = %v, want %v", tt.path, tt.globs, got, tt.want)
		}
	}
}
