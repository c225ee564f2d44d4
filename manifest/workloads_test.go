package manifest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podlint/podlint/checks"
)

// TestWorkloadKinds holds the decoder and checks.NewTarget to the one list
// of workload kinds: every GA kind of the scheme decodes (Known), and
// exactly the listed kinds, at exactly the listed version, get a pod spec.
// A kind added to NewTarget's switch but not to the list (or the other way
// round) fails here, and so does a wrong plural.
func TestWorkloadKinds(t *testing.T) {
	listed := map[schema.GroupVersionKind]checks.WorkloadKind{}
	for _, w := range checks.WorkloadKinds() {
		if _, dup := listed[w.GroupVersionKind]; dup {
			t.Errorf("%v listed twice", w.GroupVersionKind)
		}
		listed[w.GroupVersionKind] = w
		if plural, _ := meta.UnsafeGuessKindToResource(w.GroupVersionKind); w.Resource != plural.Resource {
			t.Errorf("%v: Resource %q, want %q", w.GroupVersionKind, w.Resource, plural.Resource)
		}
		if got, ok := checks.LookupWorkloadKind(w.GroupKind()); !ok || got != w {
			t.Errorf("LookupWorkloadKind(%v) = %v, %v", w.GroupKind(), got, ok)
		}
	}
	var withSpec []schema.GroupVersionKind
	for gvk := range kindScheme().AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal || prerelease(gvk.Version) || strings.HasSuffix(gvk.Kind, "List") {
			// Lists are expanded into their items, never decoded whole.
			continue
		}
		// spec.template is there so a ReplicationController (whose
		// template is a pointer) has a pod spec; other kinds report it
		// as an unknown field, which does not matter here.
		doc := fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata: {name: x}\nspec: {template: {}}\n", gvk.GroupVersion(), gvk.Kind)
		objs, errs := Parse("k.yaml", []byte(doc))
		if len(errs) > 0 || len(objs) != 1 {
			t.Errorf("%v: %d objects, errors %v", gvk, len(objs), errs)
			continue
		}
		o := objs[0]
		if !o.Known {
			t.Errorf("%v: a GA kind of the scheme is not Known", gvk)
			continue
		}
		_, isWorkload := listed[gvk]
		if got := o.Target.Spec != nil; got != isWorkload {
			t.Errorf("%v: NewTarget gives a pod spec = %v, but WorkloadKinds lists it = %v", gvk, got, isWorkload)
		}
		if o.Target.Spec != nil {
			withSpec = append(withSpec, gvk)
			if o.Target.SpecPath == nil {
				t.Errorf("%v: pod spec without SpecPath", gvk)
			}
		}
	}
	for gvk := range listed {
		if !slices.Contains(withSpec, gvk) {
			t.Errorf("%v is listed but the scheme does not decode it to a pod spec", gvk)
		}
	}
}
