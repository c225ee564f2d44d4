package lint

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/manifest"
)

// TestCompactRoundTrip holds that an object written to its compact form
// and read back is the object the checks saw: the same typed object (nil
// and empty lists and maps aside, which the API treats alike), reference,
// spec path and replicas, and its pods as other workloads see them. Over
// every workload of the check fixtures and, when present, the corpus.
func TestCompactRoundTrip(t *testing.T) {
	var files []string
	for _, glob := range []string{"../checks/testdata/*/*.yaml", "../examples/*.yaml", "../examples/cluster/*.yaml"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	if st, err := os.Stat(corpusDir); err == nil && st.IsDir() {
		filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && manifestExt(p) {
				files = append(files, p)
			}
			return nil
		})
	}
	sp := newSpool()
	defer sp.close()
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, _ := manifest.Parse(f, data)
		for _, o := range objs {
			if !o.Known {
				continue
			}
			c := compactTarget(o.Target, sp)
			if c == nil {
				// Kept typed (a StatefulSet's claim templates with
				// their own apiVersion and kind).
				continue
			}
			got, err := c.target(sp)
			if err != nil {
				t.Fatalf("%s: %s: %v", f, o.Ref, err)
			}
			want := o.Target
			if !equality.Semantic.DeepEqual(got.Object, want.Object) {
				g, _ := json.Marshal(got.Object)
				w, _ := json.Marshal(want.Object)
				t.Errorf("%s: %s differs after the round trip:\n got %s\nwant %s", f, o.Ref, g, w)
			}
			if got.Ref != want.Ref || got.SpecPath.String() != want.SpecPath.String() || got.Replicas != want.Replicas ||
				!reflect.DeepEqual(got.Object.GetObjectKind(), want.Object.GetObjectKind()) {
				t.Errorf("%s: target %+v, want %+v", f, got, want)
			}
			if c.whole {
				n++
				continue
			}
			// What other workloads' checks see of its pods.
			pods, err := c.podsTarget(sp)
			if err != nil {
				t.Fatalf("%s: %s: pods: %v", f, o.Ref, err)
			}
			if pods.Ref != want.Ref || pods.Replicas != want.Replicas || !maps.Equal(checks.PodLabels(pods), checks.PodLabels(want)) ||
				(pods.TemplateMeta == nil) != (want.TemplateMeta == nil) {
				t.Errorf("%s: %s: pods %+v labels %v, want %+v labels %v", f, o.Ref, pods, checks.PodLabels(pods), want, checks.PodLabels(want))
			}
			n++
		}
	}
	t.Logf("%d objects", n)
	if n < 50 {
		t.Errorf("only %d objects read: the fixtures moved?", n)
	}
}
