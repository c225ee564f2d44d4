package helm

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeChart(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestPlaces asks where findings at given fields of the rendered objects
// go: the template line of a literal (of the same rank when a template
// writes the same line twice), the values line of a value (through
// toYaml, a subchart alias, a -f file that wins over values.yaml), and
// the rendered line otherwise.
func TestPlaces(t *testing.T) {
	dir := writeChart(t, map[string]string{
		"Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: db\n    version: 0.1.0\n    alias: primary\n",
		"values.yaml": `workers: [a, b]
resources:
  limits:
    memory: 2g
primary:
  mem: 300m
image: {repo: example.com/app, tag: "1"}
`,
		"prod.yaml": "resources:\n  limits:\n    memory: 3g\n",
		"templates/pod.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: two
spec:
  containers:
    - name: a
      image: "{{ .Values.image.repo }}:{{ .Values.image.tag }}"
      resources:
        limits:
          memory: 64m
    - name: b
      image: busybox:1
      resources:
        limits:
          memory: 64m
{{- range .Values.workers }}
---
apiVersion: v1
kind: Pod
metadata:
  name: worker-{{ . }}
spec:
  containers:
    - name: w
      image: busybox:1
      resources:
        limits:
          memory: 8m
{{- end }}
---
apiVersion: v1
kind: Pod
metadata:
  name: big
spec:
  containers:
    - name: big
      image: busybox:1
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
`,
		"charts/db/Chart.yaml":          "apiVersion: v2\nname: db\nversion: 0.1.0\n",
		"charts/db/values.yaml":         "mem: 100m\n",
		"charts/db/templates/list.yaml": "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: db}\n    spec:\n      containers:\n        - name: db\n          image: postgres:16\n          resources: {limits: {memory: {{ .Values.mem }}}}\n",
	})
	rel := func(p Place) string {
		r, err := filepath.Rel(dir, p.File)
		if err != nil {
			r = p.File
		}
		return fmt.Sprintf("%s:%d:%d %s", filepath.ToSlash(r), p.Line, p.Column, p.Note)
	}
	mem := "spec.containers[0].resources.limits[memory]"
	for _, tc := range []struct {
		name   string
		values []string
		want   map[string]string // object name and field -> place
	}{
		{"defaults", nil, map[string]string{
			"two " + mem: "templates/pod.yaml:11:19 ",
			"two spec.containers[1].resources.limits[memory]": "templates/pod.yaml:16:19 ",
			"two spec.containers[0].image":                    "templates/pod.yaml:8:14 line 8 of the render of app/templates/pod.yaml",
			"worker-a " + mem:                                 "templates/pod.yaml:29:19 ",
			"worker-b " + mem:                                 "templates/pod.yaml:29:19 ",
			"big " + mem:                                      "values.yaml:4:13 value resources.limits.memory used by app/templates/pod.yaml",
			"db " + mem:                                       "values.yaml:6:8 value primary.mem used by app/charts/primary/templates/list.yaml",
		}},
		{"-f prod.yaml", []string{"prod.yaml"}, map[string]string{
			"big " + mem: "prod.yaml:3:13 value resources.limits.memory used by app/templates/pod.yaml",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var files []string
			for _, v := range tc.values {
				files = append(files, filepath.Join(dir, v))
			}
			results, _ := Render(dir, Options{ValueFiles: files})
			if len(results) != 1 || len(results[0].Errors) > 0 {
				t.Fatalf("render: %+v", results)
			}
			got := map[string]string{}
			for _, o := range results[0].Objects {
				for key := range tc.want {
					name, field, _ := strings.Cut(key, " ")
					if o.Target != nil && o.Target.Ref.Name == name {
						got[key] = rel(o.Place(field))
						if r := o.Place(field).Render; !strings.HasPrefix(r, "helm template "+dir) {
							t.Errorf("render note %q", r)
						}
					}
				}
			}
			for key, want := range tc.want {
				if got[key] != want {
					t.Errorf("%s: got %q, want %q", key, got[key], want)
				}
			}
		})
	}
}
