package checks

import (
	"net"
	"strings"
	"testing"

	"github.com/distribution/reference"
)

// checks parses addresses with net/netip, not net (test/layout keeps net
// out of the package); these tests hold hostIPsOverlap and the registry
// host helpers to what the net versions they replaced answered.

func netHostIPsOverlap(a, b string) bool {
	ia, ib := net.ParseIP(a), net.ParseIP(b)
	if a == "" || b == "" || ia != nil && ia.IsUnspecified() || ib != nil && ib.IsUnspecified() {
		return true
	}
	if ia != nil && ib != nil {
		return ia.Equal(ib)
	}
	return a == b
}

func netSplitRegistryHost(domain string) (host, port string) {
	if h, p, err := net.SplitHostPort(domain); err == nil {
		return strings.ToLower(h), p
	}
	return strings.ToLower(strings.Trim(domain, "[]")), ""
}

var addrSeeds = []string{
	"", "0.0.0.0", "::", "::ffff:0.0.0.0", "10.0.0.1", "::ffff:10.0.0.1", "10.0.0.2", "010.0.0.1",
	"fe80::1", "FE80::1", "fe80::1%eth0", "::%eth0", "127.0.0.1", "::1", "localhost", "node-a", "1.2.3.4.5",
}

func TestHostIPsOverlapMatchesNet(t *testing.T) {
	for _, a := range addrSeeds {
		for _, b := range addrSeeds {
			if got, want := hostIPsOverlap(a, b), netHostIPsOverlap(a, b); got != want {
				t.Errorf("hostIPsOverlap(%q, %q) = %v, net says %v", a, b, got, want)
			}
		}
	}
}

func FuzzHostIPsOverlap(f *testing.F) {
	for i, a := range addrSeeds {
		f.Add(a, addrSeeds[(i+3)%len(addrSeeds)])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, want := hostIPsOverlap(a, b), netHostIPsOverlap(a, b); got != want {
			t.Errorf("hostIPsOverlap(%q, %q) = %v, net says %v", a, b, got, want)
		}
	})
}

var imageSeeds = []string{
	"nginx", "docker.io/library/nginx:1", "registry:5000/app", "docker02:35000/web:1", "[::1]:5000/app",
	"[fe80::1]/app", "127.0.0.1:5000/x", "10.0.0.1/x", "[::ffff:127.0.0.1]/x", "Registry.Example.COM:443/a/b",
	"localhost/x", "localhost:5000/x", "ghcr.io/o/r@sha256:" + strings.Repeat("a", 64),
}

// registryHostMatchesNet compares, for one image, what privateRegistry
// reads of its domain: host, port, and whether the host is a (loopback)
// IP address.
func registryHostMatchesNet(t *testing.T, image string) {
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return
	}
	domain := reference.Domain(named)
	h, p := splitRegistryHost(domain)
	wh, wp := netSplitRegistryHost(domain)
	if h != wh || p != wp {
		t.Errorf("splitRegistryHost(%q) = %q, %q; net says %q, %q", domain, h, p, wh, wp)
	}
	ip, ok := parseIP(h)
	nip := net.ParseIP(h)
	if ok != (nip != nil) || ok && ip.IsLoopback() != nip.IsLoopback() {
		t.Errorf("parseIP(%q) = %v, %v; net says %v", h, ip, ok, nip)
	}
}

func TestRegistryHostMatchesNet(t *testing.T) {
	for _, image := range imageSeeds {
		registryHostMatchesNet(t, image)
	}
}

func FuzzRegistryHost(f *testing.F) {
	for _, s := range imageSeeds {
		f.Add(s)
	}
	f.Fuzz(registryHostMatchesNet)
}
