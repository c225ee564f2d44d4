package lint_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/lint"
	"github.com/podlint/podlint/lint/output"
	"github.com/podlint/podlint/test/golden"
)

// TestHelmCharts lints the charts in lint/testdata/helm and holds the
// findings, their positions and the input errors to golden files: a
// value from values.yaml, a ci/ file, a -f file or --set; a value written
// in a template; a subchart directory and a .tgz subchart; a template that
// writes its own "# Source:" comment; a `required` value missing, a
// template error, a dependency not vendored, a schema failure; and
// --helm=never.
func TestHelmCharts(t *testing.T) {
	t.Chdir("..")
	const dir = "lint/testdata/helm"
	tests := []struct {
		name  string
		paths []string
		helm  lint.HelmOptions
		ns    string
	}{
		// No values given: one render per ci/*-values.yaml file.
		{"shop-ci", []string{dir + "/shop"}, lint.HelmOptions{}, ""},
		{"shop-values", []string{dir + "/shop"}, lint.HelmOptions{
			ValueFiles: []string{"lint/testdata/helmvalues/prod-values.yaml"}, Set: []string{"db.memory=2000m"},
		}, ""},
		// pre-commit names staged files: they stand for their chart.
		{"staged-files", []string{dir + "/shop/templates/deployment.yaml", dir + "/shop/values.yaml", dir + "/shop/charts/db/Chart.yaml"}, lint.HelmOptions{}, ""},
		{"plain", []string{dir + "/plain"}, lint.HelmOptions{ReleaseName: "api", KubeVersion: "v1.30.0"}, "shop"},
		{"errors", []string{dir + "/required", dir + "/broken", dir + "/remote"}, lint.HelmOptions{}, ""},
		{"schema", []string{dir + "/plain"}, lint.HelmOptions{Set: []string{"replicas=many"}}, ""},
		{"kube-version", []string{dir + "/shop"}, lint.HelmOptions{KubeVersion: "1.20"}, ""},
		{"never", []string{dir}, lint.HelmOptions{Mode: lint.HelmNever}, ""},
		{"walk", []string{dir}, lint.HelmOptions{}, ""},
		// kubectl's -f habit: the manifest given as a values file.
		{"values-without-chart", []string{"lint/testdata/helmvalues/prod-values.yaml"}, lint.HelmOptions{ValueFiles: []string{"lint/testdata/helmvalues/prod-values.yaml"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := lint.Run(t.Context(), lint.Options{Paths: tt.paths, Helm: tt.helm, Namespace: tt.ns})
			var buf bytes.Buffer
			if err := (&output.Text{}).Write(&buf, rep); err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Findings {
				if f.Line <= 0 || f.Column <= 0 {
					t.Errorf("finding without a position: %+v", f)
				}
				if strings.Contains(f.Message, "rendered from") {
					t.Errorf("a finding on a chart names a # Source: comment: %s", f.Message)
				}
			}
			golden.Assert(t, filepath.Join(dir, "golden", tt.name+".golden"), buf.Bytes(), updating())
		})
	}
}

// TestHelmValuesLine is the case the issue names: memory: {{ .Values.mem }}
// with mem: 1024m in values.yaml is reported at values.yaml's line.
func TestHelmValuesLine(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\n")
	write(t, dir, "values.yaml", "replicas: 1\n# the web container's limit\nmem: 1024m\n")
	write(t, dir, "templates/deploy.yaml", `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            limits:
              memory: {{ .Values.mem }}
`)
	rep := lint.Run(t.Context(), lint.Options{Paths: []string{dir}})
	var got []string
	for _, f := range rep.Findings {
		got = append(got, fmt.Sprintf("%s:%d:%d %s", f.File, f.Line, f.Column, f.Check))
	}
	want := []string{filepath.Join(dir, "values.yaml") + ":3:6 memory-unit-milli"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(rep.Errors) > 0 {
		t.Errorf("findings:\n%s\nwant:\n%s\nerrors: %v", strings.Join(got, "\n"), strings.Join(want, "\n"), rep.Errors)
	}
	if rep.Summary.Skipped != 0 {
		t.Errorf("%d objects skipped: the chart's own files must not be linted", rep.Summary.Skipped)
	}
}

// TestHelmWebhookChart: podlint's own webhook chart renders and has no
// finding.
func TestHelmWebhookChart(t *testing.T) {
	t.Chdir("..")
	rep := lint.Run(t.Context(), lint.Options{Paths: []string{"manifests/chart/podlint-webhook"}, Engine: checks.NewEngine(nil)})
	if len(rep.Findings) > 0 || len(rep.Errors) > 0 || rep.Summary.Objects == 0 {
		var buf bytes.Buffer
		_ = (&output.Text{}).Write(&buf, rep)
		t.Errorf("the webhook chart must render with no finding:\n%s", buf.String())
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
