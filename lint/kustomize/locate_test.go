package kustomize

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/podlint/podlint/lint/ynode"
)

// render renders one kustomization directory as the only one of a run.
func render(t *testing.T, dir string) []*Object {
	t.Helper()
	p := NewPlan([]string{dir}, testLimit)
	if len(p.Top()) != 1 {
		t.Fatalf("%s: %d top-level kustomizations", dir, len(p.Top()))
	}
	objs, errs := p.Render(p.Top()[0])
	if len(errs) > 0 {
		t.Fatalf("%s: %v", dir, errs)
	}
	return objs
}

func object(t *testing.T, objs []*Object, kind, name string) *Object {
	t.Helper()
	var have []string
	for _, o := range objs {
		if o.Ref.Kind == kind && o.Ref.Name == name {
			return o
		}
		have = append(have, o.Ref.Kind+"/"+o.Ref.Name)
	}
	t.Fatalf("no %s %s rendered; have %v", kind, name, have)
	return nil
}

// TestPlace: each finding goes where the rendered value is written: a
// strategic merge patch (file or inline block), a JSON 6902 operation
// (file or inline, in a component too), a transformer's line in the
// kustomization, the resource file (YAML, JSON, an item of a List), or
// the generator.
func TestPlace(t *testing.T) {
	shop := filepath.Join("..", "testdata", "kustomize", "shop")
	tests := []struct {
		dir, kind, name, field string
		want                   string // file:line:col, file relative to the dir's parent tree
	}{
		// Legacy fields.
		{"testdata/legacy", "Deployment", "api-v2", "spec.replicas", "testdata/legacy/kustomization.yml:31:10"},
		{"testdata/legacy", "Deployment", "api-v2", "metadata.name", "testdata/legacy/kustomization.yml:6:13"},
		{"testdata/legacy", "Deployment", "api-v2", "metadata.labels[team]", "testdata/legacy/kustomization.yml:8:9"},
		{"testdata/legacy", "Deployment", "api-v2", "spec.selector.matchLabels[team]", "testdata/legacy/kustomization.yml:8:9"},
		{"testdata/legacy", "Deployment", "api-v2", "spec.selector.matchLabels[app]", "testdata/app/api.json:7:41"},
		{"testdata/legacy", "Deployment", "api-v2", "spec.template.spec.containers[0].resources.limits[memory]", "testdata/legacy/resources.yaml:12:21"},
		{"testdata/legacy", "Deployment", "api-v2", "spec.template.spec.containers[0].image", "testdata/legacy/kustomization.yml:21:18"},
		{"testdata/legacy", "Deployment", "api-v2", "spec.template.spec.containers[0].ports[0].containerPort", "testdata/legacy/ops.yaml:3:10"},
		{"testdata/legacy", "Deployment", "api-v2", "spec.template.spec.containers[0].ports[0].name", "testdata/app/api.json:15:32"},
		{"testdata/legacy", "Deployment", "api-v2", "spec.template.spec.containers[0].name", "testdata/app/api.json:13:21"},
		// A container a component appended with "-".
		{"testdata/legacy", "Deployment", "api-v2", "spec.template.spec.containers[1].image", "testdata/comp/kustomization.yaml:11:16"},
		{"testdata/legacy", "Deployment", "api-v2", "spec.template.spec.containers[1].resources", "testdata/comp/kustomization.yaml:12:9"},
		{"testdata/legacy", "Deployment", "api-v2", "spec.template.spec.containers[1].name", "testdata/comp/kustomization.yaml:10:15"},
		// Absent fields: the nearest place that exists, in the origin.
		{"testdata/legacy", "Deployment", "api-v2", "spec.template.spec.containers[0].resources.requests[memory]", "testdata/app/api.json:16:13"},
		{"testdata/legacy", "Deployment", "api-v2", "spec.template.spec.imagePullSecrets", "testdata/app/api.json:10:7"},
		{"testdata/legacy", "Deployment", "api-v2", "", "testdata/app/api.json:1:1"},
		// An item of a List.
		{"testdata/legacy", "Service", "api-v2", "spec.ports[0].port", "testdata/app/list.yaml:12:13"},
		{"testdata/legacy", "Service", "api-v2", "spec.selector[team]", "testdata/legacy/kustomization.yml:8:9"},
		{"testdata/legacy", "Service", "api-v2", "", "testdata/app/list.yaml:4:3"},

		// Base and overlays.
		{filepath.Join(shop, "overlays/dev"), "Deployment", "dev-web", "spec.template.spec.containers[0].resources.limits[memory]", "base/deployment.yaml:20:23"},
		{filepath.Join(shop, "overlays/dev"), "Deployment", "dev-web", "spec.template.spec.containers[0].image", "overlays/dev/kustomization.yaml:9:13"},
		{filepath.Join(shop, "overlays/dev"), "Deployment", "dev-web", "metadata.name", "overlays/dev/kustomization.yaml:4:13"},
		{filepath.Join(shop, "overlays/dev"), "Deployment", "dev-web", "metadata.namespace", "overlays/dev/kustomization.yaml:3:12"},
		{filepath.Join(shop, "overlays/dev"), "Deployment", "dev-web", "spec.template.spec.volumes[0].configMap.name", "overlays/dev/kustomization.yaml:4:13"},
		{filepath.Join(shop, "overlays/dev"), "ConfigMap", "dev-web-config-72td88h6kc", "data[app.yaml]", "base/kustomization.yaml:10:5"},
		{filepath.Join(shop, "overlays/dev"), "DaemonSet", "dev-node-exporter", "metadata.labels[app.kubernetes.io/part-of]", "base/kustomization.yaml:5:34"},
		// prod patches the metrics container, which a strategic merge
		// puts first.
		{filepath.Join(shop, "overlays/prod"), "Deployment", "web", "spec.template.spec.containers[0].resources.limits[memory]", "overlays/prod/metrics-memory.yaml:12:23"},
		{filepath.Join(shop, "overlays/prod"), "Deployment", "web", "spec.template.spec.containers[1].resources.limits[memory]", "base/deployment.yaml:20:23"},
		{filepath.Join(shop, "overlays/prod"), "Deployment", "web", "spec.template.spec.containers[1].image", "overlays/prod/kustomization.yaml:17:14"},
		{filepath.Join(shop, "overlays/prod"), "Deployment", "web", "spec.replicas", "overlays/prod/kustomization.yaml:14:16"},
		// The name a patch uses to find its object is not a value it
		// writes.
		{filepath.Join(shop, "overlays/prod"), "Deployment", "web", "metadata.name", "base/deployment.yaml:4:9"},
		{filepath.Join(shop, "overlays/staging"), "Deployment", "web", "spec.template.spec.containers[0].resources.limits[memory]", "overlays/staging/kustomization.yaml:19:29"},
	}
	rendered := map[string][]*Object{}
	for _, tt := range tests {
		t.Run(tt.dir+" "+tt.kind+" "+tt.field, func(t *testing.T) {
			objs, ok := rendered[tt.dir]
			if !ok {
				objs = render(t, tt.dir)
				rendered[tt.dir] = objs
			}
			o := object(t, objs, tt.kind, tt.name)
			pl := o.Place(tt.field)
			want := tt.want
			if strings.HasPrefix(tt.dir, shop) {
				want = filepath.Join(shop, want)
			}
			if got := fmt.Sprintf("%s:%d:%d", pl.File, pl.Line, pl.Column); got != filepath.FromSlash(want) {
				t.Errorf("Place(%q) = %s, want %s", tt.field, got, want)
			}
			if pl.Note != "kustomize build "+filepath.Clean(tt.dir) || !pl.Exact {
				t.Errorf("note %q, exact %v", pl.Note, pl.Exact)
			}
		})
	}
}

// TestPlaceUnknown: with nothing to check the rendered value against, the
// finding goes to the top kustomization file and names the object; the
// place is not Exact.
func TestPlaceUnknown(t *testing.T) {
	objs := render(t, filepath.Join("testdata", "legacy"))
	o := object(t, objs, "Deployment", "api-v2")
	l := *o.loc
	l.origin, l.trans = nil, nil
	pl := l.place("spec.template.spec.containers[0].image")
	want := Place{File: filepath.Join("testdata", "legacy", "kustomization.yml"), Line: 1, Column: 1,
		Note: "Deployment api-v2, kustomize build testdata/legacy"}
	if pl != want {
		t.Errorf("got %+v, want %+v", pl, want)
	}
}

func TestSplitPath(t *testing.T) {
	got := fmt.Sprint(ynode.Split("metadata.annotations[podlint.io/ignore]"))
	if want := "[{metadata false} {annotations false} {podlint.io/ignore true}]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	got = fmt.Sprint(ynode.Split("spec.containers[0].resources.limits[memory"))
	if want := "[{spec false} {containers false} {0 true} {resources false} {limits false} {memory true}]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestSplitImage(t *testing.T) {
	for _, tt := range []struct{ in, name, tag, digest string }{
		{"nginx", "nginx", "", ""},
		{"nginx:1.25", "nginx", "1.25", ""},
		{"docker02:35000/shop/web", "docker02:35000/shop/web", "", ""},
		{"docker02:35000/shop/web:1.3", "docker02:35000/shop/web", "1.3", ""},
		{"ghcr.io/a/b:1@sha256:abc", "ghcr.io/a/b", "1", "sha256:abc"},
	} {
		n, tag, d := splitImage(tt.in)
		if n != tt.name || tag != tt.tag || d != tt.digest {
			t.Errorf("splitImage(%q) = %q, %q, %q", tt.in, n, tag, d)
		}
	}
}

// TestInlineFrame: positions inside a literal block are shifted to the
// block's lines and columns; other scalar styles pin to the string.
func TestInlineFrame(t *testing.T) {
	src := "patches:\n  - patch: |-\n      - op: add\n        path: /x\n  - patch: \"- op: add\"\n"
	k := &kustFile{path: "k.yaml", data: []byte(src)}
	var doc yaml.Node
	if err := yaml.Unmarshal(k.data, &doc); err != nil {
		t.Fatal(err)
	}
	ps := ynode.Items(ynode.Get(doc.Content[0], "patches"))
	lit := ynode.Get(ps[0], "patch")
	inner := parseAll([]byte(lit.Value))
	path := ynode.Get(inner[0].Content[0], "path")
	if got := inlineFrame(k, lit).place(path); got != (Place{File: "k.yaml", Line: 4, Column: 15}) {
		t.Errorf("literal block: %+v, want k.yaml:4:15", got)
	}
	quoted := ynode.Get(ps[1], "patch")
	if got := inlineFrame(k, quoted).place(quoted); got != (Place{File: "k.yaml", Line: 5, Column: 12}) {
		t.Errorf("quoted string: %+v, want k.yaml:5:12", got)
	}
}
