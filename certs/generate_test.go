package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func mustCA(t *testing.T, now time.Time, validity time.Duration) *keyPair {
	t.Helper()
	ca, err := newCA(now, validity)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func TestNewCA(t *testing.T) {
	ca := mustCA(t, t0, 10*365*24*time.Hour)
	c := ca.Cert
	if !c.IsCA || !c.BasicConstraintsValid || !c.MaxPathLenZero || c.MaxPathLen != 0 {
		t.Errorf("CA constraints: IsCA=%v BasicConstraintsValid=%v MaxPathLenZero=%v MaxPathLen=%d", c.IsCA, c.BasicConstraintsValid, c.MaxPathLenZero, c.MaxPathLen)
	}
	if c.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("CA key usage %b lacks CertSign", c.KeyUsage)
	}
	if pub, ok := c.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		t.Errorf("CA key is %T, want ECDSA P-256", c.PublicKey)
	}
	if want := t0.Add(10 * 365 * 24 * time.Hour); !c.NotAfter.Equal(want) {
		t.Errorf("NotAfter = %v, want %v", c.NotAfter, want)
	}
	if !c.NotBefore.Before(t0) {
		t.Errorf("NotBefore %v is not backdated before %v", c.NotBefore, t0)
	}
	if err := c.CheckSignatureFrom(c); err != nil {
		t.Errorf("CA is not self-signed: %v", err)
	}
	if len(c.SubjectKeyId) == 0 {
		t.Error("CA has no subject key id")
	}
}

func TestNewServing(t *testing.T) {
	o, err := Options{Namespace: "ns1", ServiceName: "hook"}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	names := o.DNSNames()
	wantNames := []string{"hook", "hook.ns1", "hook.ns1.svc", "hook.ns1.svc.cluster.local"}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("DNSNames = %v, want %v", names, wantNames)
	}
	ca := mustCA(t, t0, 10*365*24*time.Hour)
	sv, err := newServing(t0, 365*24*time.Hour, ca, names)
	if err != nil {
		t.Fatal(err)
	}
	c := sv.Cert
	if !slices.Equal(c.DNSNames, wantNames) {
		t.Errorf("SANs = %v, want %v", c.DNSNames, wantNames)
	}
	if c.IsCA {
		t.Error("serving certificate is a CA")
	}
	if c.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("key usage = %b, want DigitalSignature only", c.KeyUsage)
	}
	if !slices.Equal(c.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
		t.Errorf("ext key usage = %v, want ServerAuth", c.ExtKeyUsage)
	}
	if want := t0.Add(365 * 24 * time.Hour); !c.NotAfter.Equal(want) {
		t.Errorf("NotAfter = %v, want %v", c.NotAfter, want)
	}
	for _, n := range wantNames {
		if err := verifies(c, []*x509.Certificate{ca.Cert}, n, t0); err != nil {
			t.Errorf("does not verify for %q: %v", n, err)
		}
	}
	if err := verifies(c, []*x509.Certificate{ca.Cert}, "other.ns1.svc", t0); err == nil {
		t.Error("verifies for a name it does not carry")
	}
	if err := verifies(c, []*x509.Certificate{mustCA(t, t0, time.Hour).Cert}, "hook", t0); err == nil {
		t.Error("verifies against an unrelated CA")
	}
	if _, err := parseKeyPair(sv.CertPEM, sv.KeyPEM); err != nil {
		t.Errorf("PEM round trip: %v", err)
	}
	if _, err := parseKeyPair(sv.CertPEM, ca.KeyPEM); err == nil {
		t.Error("parseKeyPair accepted a key that does not match the certificate")
	}
}

func TestNewServingNeverOutlivesCA(t *testing.T) {
	ca := mustCA(t, t0, 24*time.Hour)
	sv, err := newServing(t0, 365*24*time.Hour, ca, []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	if !sv.Cert.NotAfter.Equal(ca.Cert.NotAfter) {
		t.Errorf("serving NotAfter %v, want clamped to CA NotAfter %v", sv.Cert.NotAfter, ca.Cert.NotAfter)
	}
	if _, err := newServing(t0, time.Hour, ca, nil); err == nil {
		t.Error("no dns names accepted")
	}
}

func TestMergeBundle(t *testing.T) {
	a := mustCA(t, t0, 48*time.Hour).Cert
	b := mustCA(t, t0, 48*time.Hour).Cert
	expired := mustCA(t, t0.Add(-72*time.Hour), time.Hour).Cert
	got := mergeBundle(t0, []*x509.Certificate{b, a}, []*x509.Certificate{a, expired, b})
	if len(got) != 2 || got[0] != b || got[1] != a {
		t.Errorf("mergeBundle = %v, want [b a] deduplicated, expired dropped", subjects(got))
	}
	parsed, err := parseBundle(encodeBundle(got))
	if err != nil || len(parsed) != 2 || !parsed[0].Equal(b) || !parsed[1].Equal(a) {
		t.Errorf("encode/parse round trip: %v %v", subjects(parsed), err)
	}
	if _, err := parseBundle([]byte("not pem")); err == nil {
		t.Error("parseBundle accepted a bundle without certificates")
	}
}

func TestDesiredCABundle(t *testing.T) {
	old := mustCA(t, t0.Add(-time.Hour), 48*time.Hour).Cert
	cur := mustCA(t, t0, 48*time.Hour).Cert
	newer := mustCA(t, t0.Add(time.Hour), 48*time.Hour).Cert
	foreign := foreignCA(t, t0.Add(time.Hour))
	now := t0.Add(2 * time.Hour)
	tests := []struct {
		name    string
		current []*x509.Certificate
		secret  []*x509.Certificate
		want    []*x509.Certificate
	}{
		{"empty caBundle takes the secret", nil, []*x509.Certificate{cur}, []*x509.Certificate{cur}},
		{"older CA in caBundle is dropped", []*x509.Certificate{old, cur}, []*x509.Certificate{cur}, []*x509.Certificate{cur}},
		{"newer podlint CA from a peer is kept", []*x509.Certificate{newer, cur}, []*x509.Certificate{cur}, []*x509.Certificate{cur, newer}},
		{"duplicates collapse", []*x509.Certificate{cur, cur}, []*x509.Certificate{cur, cur}, []*x509.Certificate{cur}},
		{"newer foreign CA is not podlint's to keep", []*x509.Certificate{foreign, cur}, []*x509.Certificate{cur}, []*x509.Certificate{cur}},
		{"two CAs during rotation", nil, []*x509.Certificate{cur, old}, []*x509.Certificate{cur, old}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := desiredCABundle(encodeBundle(tt.current), tt.secret, now)
			if !slices.EqualFunc(got, tt.want, func(a, b *x509.Certificate) bool { return a.Equal(b) }) {
				t.Errorf("got %v, want %v", subjects(got), subjects(tt.want))
			}
		})
	}
}

func foreignCA(t *testing.T, now time.Time) *x509.Certificate {
	t.Helper()
	key, err := newKey()
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "someone-else"},
		NotBefore: now, NotAfter: now.Add(48 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	kp, err := sign(tmpl, tmpl, key, key)
	if err != nil {
		t.Fatal(err)
	}
	return kp.Cert
}

func TestSameCerts(t *testing.T) {
	a := mustCA(t, t0, time.Hour).Cert
	b := mustCA(t, t0, time.Hour).Cert
	tests := []struct {
		name string
		pem  []byte
		want []*x509.Certificate
		same bool
	}{
		{"order ignored", encodeBundle([]*x509.Certificate{a, b}), []*x509.Certificate{b, a}, true},
		{"missing one", encodeBundle([]*x509.Certificate{a}), []*x509.Certificate{a, b}, false},
		{"extra one", encodeBundle([]*x509.Certificate{a, b}), []*x509.Certificate{a}, false},
		{"duplicate in caBundle", encodeBundle([]*x509.Certificate{a, a}), []*x509.Certificate{a}, true},
		{"empty caBundle", nil, []*x509.Certificate{a}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameCerts(tt.pem, tt.want); got != tt.same {
				t.Errorf("sameCerts = %v, want %v", got, tt.same)
			}
		})
	}
}

func subjects(cs []*x509.Certificate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Subject.CommonName+"/"+c.SerialNumber.Text(16)[:6])
	}
	return out
}
