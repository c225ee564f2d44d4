package output

import (
	"bytes"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/lint"
	"github.com/podlint/podlint/test/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleCatalogue is fixed here so that goldens change only when the
// formats do, not whenever a check's wording does.
func sampleCatalogue() []*checks.Check {
	return []*checks.Check{
		{
			ID: "memory-unit-milli", Title: "Memory quantity written in millibytes", Severity: checks.Error,
			Symptom:     checks.ContainerCreating,
			Description: "A memory quantity with the suffix m is read as thousandths of a byte.",
			Remediation: "Write Mi (mebibytes) instead of m.",
			Bad:         "memory: 1024m\n", Good: "memory: 1024Mi\n",
		},
		{
			ID: "image-pull-secret-missing", Title: "Private image without pull credentials", Severity: checks.Warning,
			Symptom:     checks.ImagePullBackOff,
			Description: "The image is on a private registry and nothing supplies credentials.",
			Remediation: "Add imagePullSecrets to the pod or its ServiceAccount.",
		},
		{
			ID: "cpu-unit-missing", Title: "CPU written in cores where millicores were meant", Severity: checks.Warning,
			Symptom:     checks.Pending,
			Description: "A bare cpu number is cores.",
			Remediation: "Add the m suffix.",
		},
	}
}

// sampleReport exercises every branch the formats have: severities,
// a pod-level finding without container, a finding without a position,
// characters that need escaping, and input errors with and without a line.
func sampleReport() *lint.Report {
	dep := checks.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "cart"}
	return &lint.Report{
		Findings: []lint.Finding{
			{
				Finding: checks.Finding{
					Check: "image-pull-secret-missing", Severity: checks.Warning, Object: dep, Container: "app",
					Field:   "spec.template.spec.containers[0].image",
					Message: "image \"docker02:35000/shop/cart:1.4\" is on private registry \"docker02:35000\", 100% sure\nno imagePullSecrets",
					Symptom: checks.ImagePullBackOff, Remediation: "Add imagePullSecrets to the pod or its ServiceAccount.",
				},
				File: "deploy/cart.yaml", Line: 18, Column: 16,
			},
			{
				Finding: checks.Finding{
					Check: "memory-unit-milli", Severity: checks.Error, Object: dep, Container: "app",
					Field:   "spec.template.spec.containers[0].resources.limits[memory]",
					Message: `memory limit "1024m" is 1.024 bytes (m means milli); did you mean "1024Mi"?`,
					Symptom: checks.ContainerCreating, Remediation: "Write Mi (mebibytes) instead of m.",
				},
				File: "deploy/cart.yaml", Line: 21, Column: 21,
			},
			{
				Finding: checks.Finding{
					Check: "cpu-unit-missing", Severity: checks.Info,
					Object:  checks.ObjectRef{APIVersion: "v1", Kind: "Pod", Name: "batch, nightly"},
					Message: `cpu request "500" is 500 cores`, Symptom: checks.Pending, Remediation: "Add the m suffix.",
				},
				File: "jobs/night ly,a:b.yaml",
			},
		},
		Errors: []lint.InputError{
			{File: "broken.yaml", Line: 4, Message: "yaml: mapping values are not allowed in this context"},
			{File: "missing.yaml", Message: "open missing.yaml: no such file or directory"},
		},
		Summary: lint.Summary{Files: 4, Objects: 3, Findings: 3, Errors: 1, Warnings: 1, Infos: 1, Skipped: 2, Suppressed: 1, Patches: 2},
		Checks:  sampleCatalogue(),
	}
}

func emptyReport() *lint.Report {
	return &lint.Report{Summary: lint.Summary{Files: 1, Objects: 2}}
}

func render(t *testing.T, format string, opts Options, r *lint.Report) []byte {
	t.Helper()
	o, err := New(format, opts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := o.Write(&buf, r); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name   string
		format string
		opts   Options
		report *lint.Report
	}{
		{"text.golden", "text", Options{}, sampleReport()},
		{"text-color.golden", "text", Options{Color: true}, sampleReport()},
		{"text-empty.golden", "text", Options{}, emptyReport()},
		{"json.golden", "json", Options{}, sampleReport()},
		{"json-empty.golden", "json", Options{}, emptyReport()},
		{"sarif.golden", "sarif", Options{Version: "v1.2.3"}, sampleReport()},
		{"github.golden", "github", Options{}, sampleReport()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden.Assert(t, filepath.Join("testdata", tt.name), render(t, tt.format, tt.opts, tt.report), *update)
		})
	}
}

func TestTextHasNoEscapesWithoutColor(t *testing.T) {
	if out := render(t, "text", Options{}, sampleReport()); bytes.Contains(out, []byte("\x1b[")) {
		t.Errorf("text without Color contains ANSI escapes:\n%q", out)
	}
	if out := render(t, "text", Options{Color: true}, sampleReport()); !bytes.Contains(out, []byte("\x1b[")) {
		t.Error("text with Color has no ANSI escapes")
	}
}

func TestJSONEmptyArrays(t *testing.T) {
	out := string(render(t, "json", Options{}, emptyReport()))
	for _, want := range []string{`"findings": []`, `"errors": []`} {
		if !strings.Contains(out, want) {
			t.Errorf("json for an empty report lacks %s:\n%s", want, out)
		}
	}
}

func TestNewUnknownFormat(t *testing.T) {
	_, err := New("xml", Options{})
	if err == nil || !strings.Contains(err.Error(), "text, json, sarif, github") {
		t.Fatalf("New(xml) = %v, want an error listing the formats", err)
	}
}

func TestEscapes(t *testing.T) {
	tests := []struct {
		in, data, prop string
	}{
		{"plain", "plain", "plain"},
		{"a%b", "a%25b", "a%25b"},
		{"l1\r\nl2", "l1%0D%0Al2", "l1%0D%0Al2"},
		{"k: v, w", "k: v, w", "k%3A v%2C w"},
	}
	for _, tt := range tests {
		if got := escapeData(tt.in); got != tt.data {
			t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeProperty(tt.in); got != tt.prop {
			t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.prop)
		}
	}
}

func TestArtifactURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"deploy/cart.yaml", "deploy/cart.yaml"},
		{"./deploy/cart.yaml", "deploy/cart.yaml"},
		{"dir with space/a.yaml", "dir%20with%20space/a.yaml"},
		{"/abs/a.yaml", "file:///abs/a.yaml"},
	}
	for _, tt := range tests {
		if got := artifactURI(tt.in); got != tt.want {
			t.Errorf("artifactURI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
