package manifest

import (
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
)

// kindScheme holds the kinds podlint decodes: client-go's built-in API
// types, in a scheme of podlint's own. client-go's global scheme.Scheme
// is not used because other packages add to it when they are linked in
// (Helm's chartutil registers CustomResourceDefinition at init), which
// would change what podlint decodes depending on what the binary holds.
var kindScheme = sync.OnceValue(func() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic("manifest: client-go's scheme does not register: " + err.Error())
	}
	return s
})

// gaKinds lists the kinds the scheme has at a GA version. It is computed
// once from the scheme, which never changes after its own initialisation.
var gaKinds = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for gvk := range kindScheme().AllKnownTypes() {
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
	obj, err := kindScheme().New(gv.WithKind(kind))
	if err != nil {
		return nil
	}
	return obj
}
