package chart

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func chartDir(t *testing.T) string {
	return filepath.Join(repoRoot(t), "manifests", "chart", "podlint-webhook")
}

// missing skips locally and fails in CI, where every tool must be there.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format+" (required in CI)", args...)
	}
	t.Skipf(format, args...)
}

var helmOnce struct {
	sync.Once
	path string
	err  error
}

// helmBinary is the helm CLI hack/helm.sh builds (once per machine).
func helmBinary(t *testing.T) string {
	t.Helper()
	helmOnce.Do(func() {
		var stderr bytes.Buffer
		cmd := exec.Command("bash", filepath.Join(repoRoot(t), "hack", "helm.sh"))
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			helmOnce.err = fmt.Errorf("hack/helm.sh: %w\n%s", err, stderr.String())
			return
		}
		helmOnce.path = strings.TrimSpace(string(out))
	})
	if helmOnce.err != nil {
		missing(t, "no helm: %v", helmOnce.err)
	}
	return helmOnce.path
}

// object is one rendered Kubernetes object, as JSON-shaped data.
type object = map[string]any

// rendering is a multi-document YAML stream, decoded, by
// "apiVersion Kind namespace/name".
type rendering struct {
	objects map[string]object
	raw     []byte
}

func decode(t *testing.T, what string, data []byte) *rendering {
	t.Helper()
	r := &rendering{objects: map[string]object{}, raw: data}
	rd := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		var o object
		if err := yaml.Unmarshal(doc, &o); err != nil {
			t.Fatalf("%s: %v\n%s", what, err, doc)
		}
		if o == nil {
			continue // only comments
		}
		meta, _ := o["metadata"].(object)
		key := fmt.Sprintf("%v %v %v/%v", o["apiVersion"], o["kind"], meta["namespace"], meta["name"])
		if _, dup := r.objects[key]; dup {
			t.Fatalf("%s renders %s twice", what, key)
		}
		r.objects[key] = o
	}
	return r
}

func (r *rendering) keys() []string {
	keys := make([]string, 0, len(r.objects))
	for k := range r.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (r *rendering) get(t *testing.T, key string) object {
	t.Helper()
	o, ok := r.objects[key]
	if !ok {
		t.Fatalf("%s not rendered; have %q", key, r.keys())
	}
	return o
}

// kustomize renders dir with the real kubectl kustomize.
func kustomize(t *testing.T, dir string) *rendering {
	t.Helper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		missing(t, "kubectl not on PATH")
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), kubectl, "kustomize", filepath.Join(repoRoot(t), dir))
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl kustomize %s: %v\n%s", dir, err, stderr.String())
	}
	return decode(t, "kubectl kustomize "+dir, out)
}

// kubeVersion is the cluster version helm renders for. A helm built with
// go install, as hack/helm.sh does, claims v1.20 without it (release
// binaries have their client-go version linked in), below the chart's
// kubeVersion.
const kubeVersion = "v1.32.0"

// helmTemplate renders the chart as "helm template" does for an install,
// with extra flags (--set, --set-file, -f).
func helmTemplate(t *testing.T, args ...string) *rendering {
	t.Helper()
	out, err := helmRun(t, args...)
	if err != nil {
		t.Fatalf("helm template %q: %v", args, err)
	}
	return decode(t, fmt.Sprintf("helm template %q", args), out)
}

// helmRun runs helm template and returns stdout, or an error with stderr.
func helmRun(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	helm := helmBinary(t)
	home := t.TempDir() // no user configuration, repositories or plugins
	cmd := exec.CommandContext(t.Context(), helm, append([]string{"template", "podlint-webhook", chartDir(t), "--kube-version", kubeVersion}, args...)...)
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+home, "HELM_CONFIG_HOME="+home, "HELM_DATA_HOME="+home)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, stderr.String())
	}
	return out, nil
}

// diff lists where two JSON-shaped values differ, by path.
func diff(path string, a, b any) []string {
	if reflect.DeepEqual(a, b) {
		return nil
	}
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok {
			break
		}
		var out []string
		keys := map[string]bool{}
		for k := range a {
			keys[k] = true
		}
		for k := range b {
			keys[k] = true
		}
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			av, aok := a[k]
			bv, bok := b[k]
			switch {
			case !aok:
				out = append(out, fmt.Sprintf("%s.%s: only in kustomize: %v", path, k, bv))
			case !bok:
				out = append(out, fmt.Sprintf("%s.%s: only in the chart: %v", path, k, av))
			default:
				out = append(out, diff(path+"."+k, av, bv)...)
			}
		}
		return out
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			break
		}
		var out []string
		for i := range a {
			out = append(out, diff(fmt.Sprintf("%s[%d]", path, i), a[i], b[i])...)
		}
		return out
	}
	return []string{fmt.Sprintf("%s: chart %#v, kustomize %#v", path, a, b)}
}

// sameObjects fails unless chart and kustomize render the same objects,
// each equal field for field.
func sameObjects(t *testing.T, chart, kust *rendering) {
	t.Helper()
	for _, k := range kust.keys() {
		c, ok := chart.objects[k]
		if !ok {
			t.Errorf("%s: rendered by kustomize, not by the chart", k)
			continue
		}
		for _, d := range diff("", c, kust.objects[k]) {
			t.Errorf("%s: %s", k, d)
		}
	}
	for _, k := range chart.keys() {
		if _, ok := kust.objects[k]; !ok {
			t.Errorf("%s: rendered by the chart, not by kustomize", k)
		}
	}
}
