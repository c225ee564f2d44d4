package checks_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/podlint/podlint/checks"
)

func TestCatalogue(t *testing.T) {
	kebab := regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)+$`)
	allowed := []checks.Symptom{
		checks.Pending, checks.ContainerCreating, checks.ImagePullBackOff, checks.InvalidImageName,
		checks.CrashLoopBackOff, checks.CreateContainerConfigError, checks.FailedCreate, checks.ErrorState, checks.Rejected,
	}
	seen := map[string]bool{}
	reg := checks.Registry()
	if len(reg) == 0 {
		t.Fatal("the registry is empty")
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
		if !slices.Contains(allowed, c.Symptom) {
			t.Errorf("%s: symptom %q is not one of %q", c.ID, c.Symptom, allowed)
		}
		for name, ex := range map[string]string{"Bad": c.Bad, "Good": c.Good} {
			var v any
			if strings.TrimSpace(ex) == "" {
				t.Errorf("%s: %s example is missing", c.ID, name)
			} else if err := yaml.Unmarshal([]byte(ex), &v); err != nil {
				t.Errorf("%s: %s example is not YAML: %v", c.ID, name, err)
			}
		}
		if checks.Lookup(c.ID) == nil {
			t.Errorf("Lookup(%q) = nil", c.ID)
		}
	}
}

// The static checks keep the documented order; cluster-aware checks follow.
func TestStaticCatalogueOrder(t *testing.T) {
	want := []string{
		"memory-unit-milli", "memory-unit-missing", "memory-too-small", "cpu-unit-missing",
		"image-name-invalid", "image-pull-secret-missing", "image-pull-secret-wrong-type",
		"probe-port-undefined", "host-port-conflict", "schema-invalid",
	}
	var got []string
	for _, c := range checks.Registry() {
		if !c.Cluster && len(got) < len(want) {
			got = append(got, c.ID)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("static checks in order %q, want %q", got, want)
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
