package kustomize

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestIsRemote(t *testing.T) {
	for _, tt := range []struct {
		ref  string
		want bool
	}{
		{"../base", false},
		{"deployment.yaml", false},
		{"gitlab.com/org/repo", false},
		{"https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.0.0", true},
		{"http://example.org/deploy.yaml", true},
		{"HTTPS://example.org/deploy.yaml", true},
		{"github.com/org/repo/deploy?ref=main", true},
		{"git@github.com:org/repo.git", true},
		{"git::https://example.org/repo.git", true},
		{"ssh://git@example.org/repo.git", true},
		{"file:///srv/repo.git", true},
	} {
		if got := isRemote(tt.ref); got != tt.want {
			t.Errorf("isRemote(%q) = %v, want %v", tt.ref, got, tt.want)
		}
	}
}

func TestIsInline(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want bool
	}{
		{"patch.yaml", false},
		{"patches/memory.yaml", false},
		{"apiVersion: v1\nkind: ConfigMap\n", true},
		{"{kind: Deployment, metadata: {name: web}}", true},
		{"- op: remove", true},
	} {
		if got := isInline(tt.s); got != tt.want {
			t.Errorf("isInline(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

// TestPlan: a base used by an overlay of the run is linted through it;
// alone, or when every overlay using it cannot be rendered offline, it is
// rendered itself; kustomizations building on each other are each
// rendered (and kustomize reports the cycle).
func TestPlan(t *testing.T) {
	shop := filepath.Join("..", "testdata", "kustomize", "shop")
	s := func(p string) string { return filepath.Join(shop, p) }
	tests := []struct {
		name string
		dirs []string
		top  []string
	}{
		{"base and overlays", []string{s("base"), s("overlays/dev"), s("overlays/prod"), s("overlays/remote")}, []string{s("overlays/dev"), s("overlays/prod"), s("overlays/remote")}},
		{"overlays first", []string{s("overlays/prod"), s("base")}, []string{s("overlays/prod")}},
		{"base alone", []string{s("base")}, []string{s("base")}},
		{"only a remote overlay uses the base", []string{s("base"), s("overlays/remote")}, []string{s("base"), s("overlays/remote")}},
		{"the same directory twice", []string{s("base"), shop + "/base/"}, []string{s("base")}},
		{"a cycle", []string{"testdata/cycle/a", "testdata/cycle/b"}, []string{"testdata/cycle/a", "testdata/cycle/b"}},
		{"no kustomization", []string{"testdata"}, nil},
		{"a Flux Kustomization", []string{"testdata/flux"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, k := range NewPlan(tt.dirs, testLimit).Top() {
				got = append(got, k.Dir)
			}
			if !slices.Equal(got, tt.top) {
				t.Errorf("top-level %v, want %v", got, tt.top)
			}
		})
	}
}

// TestPlanConsumes: the files a rendered kustomization reads (its own
// kustomization, resources, patches, generator sources, its bases' files)
// are not linted again; files it does not read are.
func TestPlanConsumes(t *testing.T) {
	shop := filepath.Join("..", "testdata", "kustomize", "shop")
	p := NewPlan([]string{filepath.Join(shop, "overlays", "prod")}, testLimit)
	for _, f := range []string{"overlays/prod/kustomization.yaml", "overlays/prod/metrics-memory.yaml", "base/kustomization.yaml", "base/deployment.yaml", "base/daemonset.yaml", "base/config/app.yaml"} {
		if !p.Consumes(filepath.Join(shop, f)) {
			t.Errorf("%s not consumed", f)
		}
	}
	for _, f := range []string{"overlays/dev/kustomization.yaml", "overlays/monitoring/node-agent.yaml"} {
		if p.Consumes(filepath.Join(shop, f)) {
			t.Errorf("%s consumed", f)
		}
	}
	if p.Files() != 6 {
		t.Errorf("Files() = %d, want 6", p.Files())
	}
	legacy := NewPlan([]string{"testdata/legacy"}, testLimit)
	for _, f := range []string{"legacy/kustomization.yml", "legacy/resources.yaml", "legacy/ops.yaml", "app/Kustomization", "app/api.json", "app/list.yaml", "comp/kustomization.yaml"} {
		if !legacy.Consumes(filepath.Join("testdata", f)) {
			t.Errorf("%s not consumed", f)
		}
	}
}

// TestRenderProblems: what keeps a kustomization from rendering is one
// error at the line that says why, naming the kustomization not linted.
func TestRenderProblems(t *testing.T) {
	shop := filepath.Join("..", "testdata", "kustomize", "shop")
	tests := []struct {
		dir  string
		want []string
	}{
		{filepath.Join(shop, "overlays", "remote"), []string{
			filepath.Join(shop, "overlays", "remote", "kustomization.yaml") + `:6: "https://github.com/example/shop-extras//deploy?ref=v1.2.0" is remote, and podlint renders kustomizations offline, fetching nothing; ` +
				filepath.Join(shop, "overlays", "remote") + " is not linted (lint its render instead: kubectl kustomize " + filepath.Join(shop, "overlays", "remote") + " | podlint -)",
		}},
		{"testdata/sneaky", []string{
			`testdata/sneaky/kustomization.yaml:5: "https://example.org/deploy.yaml" is remote`,
			`testdata/sneaky/kustomization.yaml:7: "https://example.org/patch.yaml" is remote`,
		}},
		{"testdata/broken/missing", []string{
			`testdata/broken/missing/kustomization.yaml:3: "service.yaml" does not exist; testdata/broken/missing is not linted`,
			`testdata/broken/missing/kustomization.yaml:5: "replicas.yaml" does not exist; testdata/broken/missing is not linted`,
		}},
		{"testdata/broken/syntax", []string{
			`testdata/broken/syntax/kustomization.yaml:2: kustomization does not parse: did not find expected ',' or ']'; testdata/broken/syntax is not linted`,
		}},
		{"testdata/broken/alias", []string{
			`testdata/broken/alias/kustomization.yaml:10: alias *v refers to a value that contains it; testdata/broken/alias is not linted`,
			`testdata/broken/alias/loop.yaml:6: alias *a refers to a value that contains it; testdata/broken/alias is not linted`,
		}},
		{"testdata/cycle/a", []string{
			"testdata/cycle/a/kustomization.yaml: kustomize build: accumulating resources:",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			p := NewPlan([]string{tt.dir}, testLimit)
			objs, errs := p.Render(p.Top()[0])
			if len(objs) > 0 {
				t.Errorf("%d objects rendered", len(objs))
			}
			if len(errs) != len(tt.want) {
				t.Fatalf("errors %v, want %d", errs, len(tt.want))
			}
			for i, e := range errs {
				if got := e.Error(); !strings.HasPrefix(got, tt.want[i]) {
					t.Errorf("error %d:\n got %s\nwant %s", i, got, tt.want[i])
				}
			}
		})
	}
}

// testLimit is the size cap of the tests' renders.
const testLimit = 1 << 20

// TestRenderUnreadable: a render reads regular files within the size cap
// only; a FIFO would block it and a huge file exhaust memory, so each is
// one error at the line that names it, and nothing is rendered.
func TestRenderUnreadable(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("kustomization.yaml", "resources:\n- fifo.yaml\n- big.yaml\n- small.yaml\n")
	write("big.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  x: "+strings.Repeat("x", 200)+"\n")
	write("small.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: small\n")
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	p := NewPlan([]string{dir}, 100)
	objs, errs := p.Render(p.Top()[0])
	if len(objs) > 0 {
		t.Errorf("%d objects rendered", len(objs))
	}
	var got []string
	for _, e := range errs {
		got = append(got, strings.TrimPrefix(e.Error(), dir+string(filepath.Separator)))
	}
	want := []string{
		`kustomization.yaml:2: "fifo.yaml" is a named pipe (FIFO), not a regular file; ` + dir + " is not linted",
		`kustomization.yaml:3: "big.yaml" larger than 100, podlint's size limit for one input (raise it with --max-input-bytes); ` + dir + " is not linted",
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The kustomization file itself is held to the cap too.
	p = NewPlan([]string{dir}, 10)
	if _, errs := p.Render(p.Top()[0]); len(errs) != 1 || !strings.Contains(errs[0].Message, "larger than 10") {
		t.Errorf("kustomization over the cap: %v", errs)
	}
}
