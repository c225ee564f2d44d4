package lint

import (
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// kustomizationNames are the file names kustomize reads a kustomization
// from, in its order of preference.
func kustomizationNames() []string {
	return []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}
}

// kustomizationPatches is the part of a kustomization that names patch
// files. Patches are not objects: they lack what kubectl needs (a
// selector, a template) and may hold "$patch" directives, so linting them
// as objects only produces false findings.
type kustomizationPatches struct {
	Patches []struct {
		Path string `yaml:"path"`
	} `yaml:"patches"`
	// Entries are file names, or inline patches (several lines).
	PatchesStrategicMerge []string `yaml:"patchesStrategicMerge"`
	PatchesJSON6902       []struct {
		Path string `yaml:"path"`
	} `yaml:"patchesJson6902"`
}

// markPatches sets patch on every input that a kustomization in the
// directory of an input lists as a patch file. A kustomization that
// cannot be read marks nothing: its patches are then linted like any file.
func markPatches(inputs []input) {
	dirs := map[string]bool{}
	for _, in := range inputs {
		if in.name != "-" && in.err == nil {
			dirs[filepath.Dir(filepath.Clean(in.name))] = true
		}
	}
	patches := map[string]bool{}
	for dir := range dirs {
		for _, name := range kustomizationNames() {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				continue
			}
			for _, p := range patchPaths(data) {
				patches[absPath(filepath.Join(dir, filepath.FromSlash(p)))] = true
			}
			// kustomize reads the first of the names that exists.
			break
		}
	}
	if len(patches) == 0 {
		return
	}
	for i := range inputs {
		if in := &inputs[i]; in.name != "-" && in.err == nil && patches[absPath(in.name)] {
			in.patch = true
		}
	}
}

// patchPaths lists the patch files a kustomization names (relative to its
// directory). Entries of unexpected shapes are skipped: kustomize itself
// reports those.
func patchPaths(data []byte) []string {
	var k kustomizationPatches
	// A partial decode still yields the entries that have the right
	// shape.
	_ = yaml.Unmarshal(data, &k)
	var out []string
	for _, p := range k.Patches {
		out = append(out, p.Path)
	}
	for _, p := range k.PatchesStrategicMerge {
		if !strings.Contains(p, "\n") {
			out = append(out, p)
		}
	}
	for _, p := range k.PatchesJSON6902 {
		out = append(out, p.Path)
	}
	var paths []string
	for _, p := range out {
		if p = strings.TrimSpace(p); p != "" && !strings.Contains(p, "://") {
			paths = append(paths, p)
		}
	}
	return paths
}

func absPath(name string) string {
	if a, err := filepath.Abs(name); err == nil {
		return a
	}
	return filepath.Clean(name)
}
