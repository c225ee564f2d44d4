package release

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// workflow is the part of a GitHub Actions workflow these tests read.
type workflow struct {
	On struct {
		Push struct {
			Tags     []string `yaml:"tags"`
			Branches []string `yaml:"branches"`
		} `yaml:"push"`
	} `yaml:"on"`
	Jobs map[string]struct {
		Steps []step `yaml:"steps"`
	} `yaml:"jobs"`
}

type step struct {
	Name string            `yaml:"name"`
	Uses string            `yaml:"uses"`
	If   string            `yaml:"if"`
	Run  string            `yaml:"run"`
	Env  map[string]string `yaml:"env"`
}

func readWorkflow(t *testing.T, name string) workflow {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), ".github", "workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(data, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return w
}

// stepIndex returns the index of the first step whose run script matches
// re, or -1.
func (w workflow) stepIndex(job string, re *regexp.Regexp) int {
	return slices.IndexFunc(w.Jobs[job].Steps, func(s step) bool { return re.MatchString(s.Run) })
}

// TestWorkflows: CI runs .ci/run with CI set; a release tag is tested
// before anything is built for it, is built by make release with the tag
// as version, and only a final release moves the major tag that
// `uses: podlint/podlint@v0` follows.
func TestWorkflows(t *testing.T) {
	ci := readWorkflow(t, "ci.yml")
	if i := ci.stepIndex("test", regexp.MustCompile(`(?m)^bash \.ci/run$`)); i < 0 || ci.Jobs["test"].Steps[i].Env["CI"] != "true" {
		t.Errorf("ci.yml: no step runs bash .ci/run with CI=true")
	}

	rel := readWorkflow(t, "release.yml")
	if !slices.Equal(rel.On.Push.Tags, []string{"v*.*.*"}) || len(rel.On.Push.Branches) != 0 {
		t.Errorf("release.yml runs on %+v, want tags v*.*.* only", rel.On.Push)
	}
	test := rel.stepIndex("release", regexp.MustCompile(`(?m)^bash \.ci/run$`))
	build := rel.stepIndex("release", regexp.MustCompile(`(?m)^make release VERSION="\$GITHUB_REF_NAME"$`))
	publish := rel.stepIndex("release", regexp.MustCompile(`gh release create "\$GITHUB_REF_NAME"`))
	move := rel.stepIndex("release", regexp.MustCompile(`git push -f origin "refs/tags/\$major"`))
	if test < 0 || build < 0 || publish < 0 || move < 0 || !(test < build && build < publish && publish < move) {
		t.Fatalf("release.yml steps: test %d, build %d, publish %d, move major tag %d: want all, in that order", test, build, publish, move)
	}
	if got := rel.Jobs["release"].Steps[move].If; !strings.Contains(got, "!contains(github.ref_name, '-')") {
		t.Errorf("moving the major tag runs if %q: a pre-release must not move it", got)
	}
	if !strings.Contains(rel.Jobs["release"].Steps[build].Run, "sha256sum -c SHA256SUMS") {
		t.Error("release.yml does not verify SHA256SUMS before publishing")
	}
}

// uploadGlobs returns the files the release workflow publishes.
func uploadGlobs(t *testing.T) []string {
	t.Helper()
	rel := readWorkflow(t, "release.yml")
	i := rel.stepIndex("release", regexp.MustCompile(`gh release create`))
	if i < 0 {
		t.Fatal("release.yml publishes nothing")
	}
	var globs []string
	for _, f := range strings.Fields(rel.Jobs["release"].Steps[i].Run) {
		if strings.HasPrefix(f, "dist/") {
			globs = append(globs, strings.TrimPrefix(f, "dist/"))
		}
	}
	return globs
}

// assertPublished fails unless every file make release wrote at the top of
// dist is one the release workflow uploads (a new archive kind or a
// renamed manifest would otherwise be built and never published).
func assertPublished(t *testing.T, dist string) {
	t.Helper()
	globs := uploadGlobs(t)
	entries, err := os.ReadDir(dist)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		if !slices.ContainsFunc(globs, func(g string) bool { ok, _ := filepath.Match(g, e.Name()); return ok }) {
			t.Errorf("dist/%s is built but release.yml does not upload it (uploads %q)", e.Name(), globs)
		}
	}
	for _, want := range []string{"x.zip", "x.tar.gz", "SHA256SUMS", "podlint.yaml"} {
		if !slices.ContainsFunc(globs, func(g string) bool { ok, _ := filepath.Match(g, want); return ok }) {
			t.Errorf("release.yml uploads %q: nothing matches %s", globs, want)
		}
	}
}
