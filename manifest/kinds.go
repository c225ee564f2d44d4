package manifest

import (
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
)

// gaKinds lists the kinds the scheme has at a GA version. It is computed
// once from the scheme, which never changes after its own initialisation.
var gaKinds = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for gvk := range scheme.Scheme.AllKnownTypes() {
		if !prerelease(gvk.Version) {
			m[gvk.Kind] = true
		}
	}
	return m
})

func prerelease(version string) bool {
	return strings.Contains(version, "alpha") || strings.Contains(version, "beta")
}

// newObject returns an empty typed object for apiVersion and kind, or nil
// when podlint does not decode that kind (see the package documentation
// on API versions).
func newObject(apiVersion, kind string) runtime.Object {
	if apiVersion == "" || kind == "" || strings.HasSuffix(kind, "List") {
		return nil
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return nil
	}
	if prerelease(gv.Version) && gaKinds()[kind] {
		return nil
	}
	obj, err := scheme.Scheme.New(gv.WithKind(kind))
	if err != nil {
		return nil
	}
	return obj
}
