package helm

import (
	"os"
	"regexp"
	"testing"

	"helm.sh/helm/v3/pkg/chartutil"
)

// TestDefaultKubeVersion holds DefaultKubeVersion to the Kubernetes API
// podlint is built against: k8s.io/api v0.N is Kubernetes 1.N.
func TestDefaultKubeVersion(t *testing.T) {
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*k8s\.io/api v0\.(\d+)\.`).FindSubmatch(data)
	if m == nil {
		t.Fatal("go.mod has no k8s.io/api requirement")
	}
	kv, err := chartutil.ParseKubeVersion(DefaultKubeVersion)
	if err != nil {
		t.Fatal(err)
	}
	if kv.Major != "1" || kv.Minor != string(m[1]) {
		t.Errorf("DefaultKubeVersion is %s, but podlint is built against k8s.io/api v0.%s (Kubernetes 1.%s)", DefaultKubeVersion, m[1], m[1])
	}
}
