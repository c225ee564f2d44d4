package kustomize

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzRender renders a kustomization over one resource and places
// findings at arbitrary field paths: whatever the input, no panic, and
// every place is a file and a line.
func FuzzRender(f *testing.F) {
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	shop := filepath.Join("..", "testdata", "kustomize", "shop")
	deploy := read(filepath.Join(shop, "base", "deployment.yaml"))
	f.Add([]byte("resources: [deploy.yaml]\nnamePrefix: x-\nimages: [{name: registry.example.org/shop/web, newTag: \"2\"}]\n"), deploy, "spec.template.spec.containers[0].image")
	f.Add([]byte("resources: [deploy.yaml]\npatches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 3\n"), deploy, "spec.replicas")
	f.Add([]byte("resources: [deploy.yaml]\npatches:\n- patch: |\n    kind: Deployment\n    metadata: {name: web}\n    spec: {template: {spec: {containers: [{name: web, image: a}]}}}\n"), deploy, "spec.template.spec.containers[0].name")
	f.Add(read(filepath.Join("testdata", "sneaky", "kustomization.yaml")), deploy, "metadata.name")
	f.Add([]byte("resources: [deploy.yaml]\n"), []byte("a: &a [*a]\n"), "a[0]")
	f.Fuzz(func(t *testing.T, kust, resource []byte, field string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), kust, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "deploy.yaml"), resource, 0o644); err != nil {
			t.Fatal(err)
		}
		p := NewPlan([]string{dir}, 1<<20)
		for _, k := range p.Top() {
			objs, _ := p.Render(k)
			for _, o := range objs {
				for _, fld := range []string{field, "", "spec.template.spec.containers[0].image", "metadata.name"} {
					if pl := o.Place(fld); pl.File == "" || pl.Line < 1 || pl.Column < 1 {
						t.Fatalf("Place(%q) = %+v", fld, pl)
					}
				}
			}
		}
	})
}
