package kustomize

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/podlint/podlint/test/need"
)

// kustomizationDirs lists the directories under root holding a
// kustomization file.
func kustomizationDirs(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && FileIn(p) != "" {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRenderMatchesKubectl renders every kustomization of the tests, of
// the repository's manifests/ and of ../shared/corpus in-process and with
// `kubectl kustomize`, and requires the same objects from both.
func TestRenderMatchesKubectl(t *testing.T) {
	kubectl := need.Kubectl(t)
	roots := []string{"testdata", filepath.Join("..", "testdata", "kustomize"), filepath.Join("..", "testdata", "repos"), filepath.Join("..", "..", "manifests")}
	var dirs []string
	for _, r := range roots {
		dirs = append(dirs, kustomizationDirs(t, r)...)
	}
	if len(dirs) < 10 {
		t.Fatalf("only %d kustomizations found under %v; the test would prove little", len(dirs), roots)
	}
	t.Run("corpus", func(t *testing.T) {
		cdirs := kustomizationDirs(t, need.Corpus(t))
		// The corpus holds manifests copied file by file: today no
		// kustomization. Any that appears is compared like the others.
		t.Logf("%d kustomizations in the corpus", len(cdirs))
		for _, d := range cdirs {
			compareWithKubectl(t, kubectl, d)
		}
	})
	for _, d := range dirs {
		compareWithKubectl(t, kubectl, d)
	}
}

func compareWithKubectl(t *testing.T, kubectl, dir string) {
	t.Run(filepath.ToSlash(dir), func(t *testing.T) {
		p := NewPlan([]string{dir}, testLimit)
		top := p.Top()
		if len(top) == 0 {
			// Not kustomize's (a Flux Kustomization): kubectl refuses it.
			if err := exec.CommandContext(t.Context(), kubectl, "kustomize", dir).Run(); err == nil {
				t.Fatalf("podlint does not render %s, kubectl kustomize does", dir)
			}
			return
		}
		if len(top) != 1 {
			t.Fatalf("plan for %s has %d top-level kustomizations", dir, len(top))
		}
		objs, errs := p.Render(top[0])
		remote := false
		for m := range reach(top[0].n) {
			for _, pr := range m.problems {
				remote = remote || pr.remote
			}
		}
		if remote {
			// kubectl would go to the network; podlint must not, and says
			// so.
			if len(errs) == 0 || len(objs) > 0 {
				t.Fatalf("remote kustomization rendered: %d objects, errors %v", len(objs), errs)
			}
			return
		}
		if len(errs) > 0 && !strings.HasPrefix(errs[0].Message, "kustomize build: ") {
			// Refused before kustomize runs (a missing file, an alias
			// that would crash kustomize, and kubectl with it).
			return
		}
		var stderr bytes.Buffer
		cmd := exec.CommandContext(t.Context(), kubectl, "kustomize", dir)
		cmd.Stderr = &stderr
		out, kerr := cmd.Output()
		if kerr != nil {
			if len(errs) == 0 {
				t.Fatalf("kubectl kustomize fails (%v: %s) but podlint renders %d objects", kerr, stderr.String(), len(objs))
			}
			return
		}
		if len(errs) > 0 {
			t.Fatalf("kubectl kustomize renders, podlint fails: %v", errs)
		}
		want := canonical(t, splitYAML(t, out))
		var docs [][]byte
		for _, o := range objs {
			b, err := yaml.Marshal(o.loc.rendered)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, b)
		}
		got := canonical(t, docs)
		if !slices.Equal(got, want) {
			t.Errorf("podlint and kubectl kustomize render different objects\npodlint:\n%s\nkubectl:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// splitYAML cuts kubectl's output into documents.
func splitYAML(t *testing.T, data []byte) [][]byte {
	t.Helper()
	var out [][]byte
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := yaml.Marshal(&n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
}

// canonical turns documents into sorted canonical JSON, one line each, so
// that key order and YAML style do not count.
func canonical(t *testing.T, docs [][]byte) []string {
	t.Helper()
	var out []string
	for _, d := range docs {
		j, err := sigsyaml.YAMLToJSON(d)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(j, &v); err != nil {
			t.Fatal(err)
		}
		if v == nil {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}
