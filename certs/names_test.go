package certs

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	clocktesting "k8s.io/utils/clock/testing"
)

func TestValidateNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"127.0.0.1", true},
		{"::1", true},
		{"2001:db8::7", true},
		{"localhost", true},
		{"hook.example.com", true},
		{"Hook.Example.COM", true}, // certificates compare names without case
		{"*.hooks.example.com", true},
		{"xn--bcher-kva.example", true},
		{"", false},
		{"*", false},
		{"*example.com", false},
		{"a.*.example.com", false},
		{"bad_name", false},
		{"-leading.example.com", false},
		{"trailing-.example.com", false},
		{"example.com.", false},
		{"two words", false},
		{"[::1]", false},
		{"fe80::1%eth0", false},
		{"127.0.0.1:9443", false},
		{"https://hook.example.com", false},
		{strings.Repeat("a", 64) + ".example.com", false},
		{strings.Repeat("a", 63) + ".example.com", true},
	} {
		err := ValidateNames([]string{tc.name})
		if (err == nil) != tc.ok {
			t.Errorf("ValidateNames(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && tc.name != "" && !strings.Contains(err.Error(), tc.name) {
			t.Errorf("error %q does not name %q", err, tc.name)
		}
	}
}

func TestNewSelfManagedRefusesUnusableNames(t *testing.T) {
	w := &secretWrites{}
	for _, o := range []Options{
		{ExtraDNSNames: []string{"localhost", "bad_name"}},
		{ExtraDNSNames: []string{"[::1]"}},
		{ServiceName: "Hook_Service"},
		{ClusterDomain: "cluster..local"},
	} {
		if _, err := NewSelfManaged(w.client(), o); err == nil {
			t.Errorf("NewSelfManaged(%+v) accepted an unusable name", o)
		}
	}
}

// TestSelfManagedIPAndWildcardNames is the re-issue loop of
// --extra-dns-names=127.0.0.1: the certificate must carry IPs as IP SANs,
// be written once and then left alone, and verify in a real handshake
// addressed to the IP.
func TestSelfManagedIPAndWildcardNames(t *testing.T) {
	clock := clocktesting.NewFakePassiveClock(t0)
	w := &secretWrites{}
	c := w.client(testVWC("podlint"))
	m, err := NewSelfManaged(c, Options{
		Namespace: "ns", ServiceName: "hook",
		ExtraDNSNames: []string{"127.0.0.1", "::1", "localhost", "*.hooks.example.com", "LOCALHOST"},
		Clock:         clock, Log: logr.Discard(),
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		clock.SetTime(t0.Add(time.Duration(i) * time.Minute))
		if err := m.Reconcile(t.Context()); err != nil {
			t.Fatalf("reconcile %d: %v", i, err)
		}
	}
	if n := w.n.Load(); n != 1 {
		t.Errorf("%d Secret writes in 30 reconciles, want 1 (a name the certificate never satisfies re-issues it every time)", n)
	}
	cert, err := m.GetCertificate(&tls.ClientHelloInfo{})
	if err != nil {
		t.Fatal(err)
	}
	leaf := cert.Leaf
	wantDNS := []string{"hook", "hook.ns", "hook.ns.svc", "hook.ns.svc.cluster.local", "localhost", "*.hooks.example.com"}
	if !slices.Equal(leaf.DNSNames, wantDNS) {
		t.Errorf("DNS SANs = %q, want %q", leaf.DNSNames, wantDNS)
	}
	if len(leaf.IPAddresses) != 2 || !leaf.IPAddresses[0].Equal(net.IPv4(127, 0, 0, 1)) || !leaf.IPAddresses[1].Equal(net.IPv6loopback) {
		t.Errorf("IP SANs = %v, want [127.0.0.1 ::1]", leaf.IPAddresses)
	}

	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(m.CABundle()) {
		t.Fatal("no CA bundle")
	}
	for _, tc := range []struct{ network, addr, serverName string }{
		{"tcp4", "127.0.0.1:0", "127.0.0.1"},
		{"tcp6", "[::1]:0", "::1"},
		{"tcp4", "127.0.0.1:0", "localhost"},
		{"tcp4", "127.0.0.1:0", "a.hooks.example.com"},
	} {
		t.Run(tc.serverName, func(t *testing.T) {
			l, err := tls.Listen(tc.network, tc.addr, &tls.Config{GetCertificate: m.GetCertificate})
			if err != nil {
				if tc.network == "tcp6" {
					t.Skipf("no IPv6 loopback: %v", err)
				}
				t.Fatal(err)
			}
			defer l.Close()
			go func() {
				conn, err := l.Accept()
				if err != nil {
					return
				}
				defer conn.Close()
				_ = conn.(*tls.Conn).Handshake()
			}()
			conn, err := tls.Dial("tcp", l.Addr().String(), &tls.Config{
				RootCAs: roots, ServerName: tc.serverName,
				// The certificate lives on the fake clock.
				Time: func() time.Time { return clock.Now() },
			})
			if err != nil {
				t.Fatalf("verified handshake for %s: %v", tc.serverName, err)
			}
			_ = conn.Close()
		})
	}
}
