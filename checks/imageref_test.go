package checks

import (
	"testing"

	"github.com/distribution/reference"
)

func TestQuickImageDomain(t *testing.T) {
	for _, tc := range []struct {
		image, domain string
		quick         bool
	}{
		{"nginx", "docker.io", true},
		{"nginx:1.27", "docker.io", true},
		{"bitnami/redis:7.2.4-debian-12-r0", "docker.io", true},
		{"docker.io/library/nginx:latest", "docker.io", true},
		{"registry.k8s.io/ingress-nginx/controller:v1.10.0@sha256:42b3f0e5d0846876b1791cd3afeb5f1cbbe4259d6f35651dcc1b5c980925379c", "registry.k8s.io", true},
		{"docker02:35000/team/app:2.1", "docker02:35000", true},
		{"localhost/app", "localhost", true},
		{"localhost:5000/a__b/c-d.e_f:v1", "localhost:5000", true},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1", "123456789012.dkr.ecr.eu-west-1.amazonaws.com", true},
		{"Registry.Example.com/app", "Registry.Example.com", true},
		{"ghcr.io/org/app@sha256:42b3f0e5d0846876b1791cd3afeb5f1cbbe4259d6f35651dcc1b5c980925379c", "ghcr.io", true},

		// The slow path decides these (most are errors there).
		{"", "", false},
		{"UPPER/app", "", false},
		{"app:", "", false},
		{"app:-x", "", false},
		{"app@sha256:abc", "", false},
		{"index.docker.io/app", "", false},
		{"[::1]:5000/app", "", false},
		{"a..b/app", "", false},
		{"registry:port/app", "", false},
		{"app/", "", false},
		{"-app", "", false},
		{"a---b", "docker.io", true},
		{"a___b", "", false},
		{"42b3f0e5d0846876b1791cd3afeb5f1cbbe4259d6f35651dcc1b5c980925379c", "", false},
		{"${IMAGE}", "", false},
		{"app :1", "", false},
	} {
		d, ok := quickImageDomain(tc.image)
		if ok != tc.quick || d != tc.domain && ok {
			t.Errorf("quickImageDomain(%q) = %q, %v; want %q, %v", tc.image, d, ok, tc.domain, tc.quick)
		}
		assertQuickImage(t, tc.image)
	}
}

// assertQuickImage: whatever quickImageDomain takes, distribution/reference
// takes too, with the same domain.
func assertQuickImage(t *testing.T, image string) {
	t.Helper()
	d, ok := quickImageDomain(image)
	if !ok {
		return
	}
	n, err := parseImage(image)
	if err != nil {
		t.Fatalf("quickImageDomain(%q) took it, reference refuses it: %v", image, err)
	}
	if got := reference.Domain(n); got != d {
		t.Fatalf("quickImageDomain(%q) = %q, reference says %q", image, d, got)
	}
}

func FuzzQuickImageDomain(f *testing.F) {
	for _, s := range []string{"nginx", "docker02:35000/team/app:2.1", "localhost:5000/a__b/c-d.e_f:v1", "Registry.Example.com/app",
		"ghcr.io/org/app@sha256:42b3f0e5d0846876b1791cd3afeb5f1cbbe4259d6f35651dcc1b5c980925379c", "a.b/c.d/e", "x:1/y"} {
		f.Add(s)
	}
	f.Fuzz(assertQuickImage)
}
