package manifest

import (
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/client-go/kubernetes/scheme"
)

// TestKindsIgnoreGlobalScheme: what podlint decodes does not change when
// a linked-in package adds kinds to client-go's global scheme, as Helm's
// chartutil does with CustomResourceDefinition at init.
func TestKindsIgnoreGlobalScheme(t *testing.T) {
	if err := apiextensionsv1.AddToScheme(scheme.Scheme); err != nil {
		t.Fatal(err)
	}
	objs, errs := Parse("crd.yaml", []byte("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n"))
	if len(errs) > 0 || len(objs) != 1 {
		t.Fatalf("objs %d, errs %v", len(objs), errs)
	}
	if objs[0].Known {
		t.Error("a CustomResourceDefinition is decoded: podlint's kinds follow client-go's global scheme")
	}
}
