package certs

import (
	"crypto/x509"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"
)

func testOptions(t *testing.T) Options {
	t.Helper()
	o, err := Options{
		Namespace: "ns", ServiceName: "hook",
		CAValidity: 100 * time.Hour, CARotateBefore: 30 * time.Hour,
		Validity: 10 * time.Hour, RotateBefore: 3 * time.Hour,
		CheckInterval: time.Minute, Overlap: 10 * time.Minute,
	}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestPlan(t *testing.T) {
	o := testOptions(t)
	names := o.DNSNames()
	ca := mustCA(t, t0, o.CAValidity)
	// next is the CA a rotation at t0+75h creates.
	rot := t0.Add(75 * time.Hour)
	next := mustCA(t, rot, o.CAValidity)
	serving := func(signer *keyPair, at time.Time, dns ...string) *keyPair {
		if dns == nil {
			dns = names
		}
		kp, err := newServing(at, o.Validity, signer, dns)
		if err != nil {
			t.Fatal(err)
		}
		return kp
	}
	expired := mustCA(t, t0.Add(-200*time.Hour), time.Hour)

	tests := []struct {
		name     string
		st       *state
		now      time.Time
		injected bool
		want     action
	}{
		{"empty secret", &state{}, t0, true, actNewCA},
		{"expired CA", &state{bundle: []*x509.Certificate{ca.Cert}, signer: ca, serving: serving(ca, t0)}, t0.Add(101 * time.Hour), true, actNewCA},
		{"fresh", &state{bundle: []*x509.Certificate{ca.Cert}, signer: ca, serving: serving(ca, t0)}, t0.Add(time.Hour), true, actNone},
		{"serving just inside threshold", &state{bundle: []*x509.Certificate{ca.Cert}, signer: ca, serving: serving(ca, t0)}, t0.Add(7*time.Hour + time.Minute), true, actIssueServing},
		{"serving just outside threshold", &state{bundle: []*x509.Certificate{ca.Cert}, signer: ca, serving: serving(ca, t0)}, t0.Add(7*time.Hour - time.Minute), true, actNone},
		{"serving expired", &state{bundle: []*x509.Certificate{ca.Cert}, signer: ca, serving: serving(ca, t0)}, t0.Add(11 * time.Hour), true, actIssueServing},
		{"no serving", &state{bundle: []*x509.Certificate{ca.Cert}, signer: ca}, t0, true, actIssueServing},
		{"serving lacks a service name", &state{bundle: []*x509.Certificate{ca.Cert}, signer: ca, serving: serving(ca, t0, "hook", "hook.ns")}, t0, true, actIssueServing},
		{"serving from a CA not in ca.crt", &state{bundle: []*x509.Certificate{ca.Cert}, signer: ca, serving: serving(next, t0)}, t0, true, actIssueServing},
		{"CA inside rotation threshold", &state{bundle: []*x509.Certificate{ca.Cert}, signer: ca, serving: serving(ca, rot.Add(-time.Hour))}, rot, true, actRotateCA},

		// Step 1 of a CA rotation done: both CAs trusted, old serving.
		{"new CA still spreading", &state{bundle: []*x509.Certificate{next.Cert, ca.Cert}, signer: next, serving: serving(ca, rot.Add(-time.Hour)), caRotatedAt: rot}, rot.Add(9 * time.Minute), true, actNone},
		{"new CA spread: switch serving", &state{bundle: []*x509.Certificate{next.Cert, ca.Cert}, signer: next, serving: serving(ca, rot.Add(-time.Hour)), caRotatedAt: rot}, rot.Add(10 * time.Minute), true, actIssueServing},
		{"new CA not yet in the webhook configuration", &state{bundle: []*x509.Certificate{next.Cert, ca.Cert}, signer: next, serving: serving(ca, rot.Add(-time.Hour)), caRotatedAt: rot}, rot.Add(time.Hour), false, actNone},
		{"old serving would expire while waiting", &state{bundle: []*x509.Certificate{next.Cert, ca.Cert}, signer: next, serving: serving(ca, rot.Add(-10*time.Hour).Add(5*time.Minute)), caRotatedAt: rot}, rot, false, actIssueServing},

		// Step 2 done: serving from the new CA, old CA still trusted.
		{"replicas still switching", &state{bundle: []*x509.Certificate{next.Cert, ca.Cert}, signer: next, serving: serving(next, rot.Add(10*time.Minute)), caRotatedAt: rot, servingIssuedAt: rot.Add(10 * time.Minute)}, rot.Add(19 * time.Minute), true, actNone},
		{"replicas switched: drop old CA", &state{bundle: []*x509.Certificate{next.Cert, ca.Cert}, signer: next, serving: serving(next, rot.Add(10*time.Minute)), caRotatedAt: rot, servingIssuedAt: rot.Add(10 * time.Minute)}, rot.Add(20 * time.Minute), true, actDropOldCAs},
		{"expired CA in ca.crt", &state{bundle: []*x509.Certificate{ca.Cert, expired.Cert}, signer: ca, serving: serving(ca, t0), servingIssuedAt: t0}, t0.Add(time.Minute), true, actDropOldCAs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := plan(tt.st, tt.now, &o, tt.injected)
			if got != tt.want {
				t.Errorf("plan = %v (%s), want %v", got, why, tt.want)
			}
		})
	}
}

func TestOptionsValidation(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		ok   bool
	}{
		{"defaults", Options{}, true},
		{"rotate-before not shorter than validity", Options{Validity: time.Hour, RotateBefore: time.Hour}, false},
		{"overlap not longer than check interval", Options{CheckInterval: time.Minute, Overlap: time.Minute}, false},
		{"ca rotate-before too short for two overlaps", Options{CAValidity: time.Hour, CARotateBefore: 10 * time.Minute, Overlap: 5 * time.Minute, CheckInterval: time.Second}, false},
		{"rotate-before shorter than check interval", Options{Validity: time.Hour, RotateBefore: time.Second, CheckInterval: time.Minute}, false},
		{"negative", Options{CheckInterval: -time.Second}, false},
		{"short but consistent", Options{CAValidity: time.Minute, CARotateBefore: 30 * time.Second, Validity: 10 * time.Second, RotateBefore: 5 * time.Second, CheckInterval: 100 * time.Millisecond, Overlap: time.Second}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.o.withDefaults()
			if (err == nil) != tt.ok {
				t.Errorf("withDefaults error = %v, want ok=%v", err, tt.ok)
			}
		})
	}
	o, err := Options{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if o.Validity != 365*24*time.Hour || o.RotateBefore != o.Validity/3 || o.CAValidity != 10*365*24*time.Hour || o.CARotateBefore != o.CAValidity/3 {
		t.Errorf("defaults: validity %v rotate %v ca %v ca-rotate %v", o.Validity, o.RotateBefore, o.CAValidity, o.CARotateBefore)
	}
	if o.Namespace != "podlint-system" || o.SecretName != "podlint-webhook-tls" || o.WebhookConfigName != "podlint" || o.ServiceName != "podlint-webhook" {
		t.Errorf("default names: %+v", o)
	}
}

func clockAt(at time.Time) *clocktesting.FakePassiveClock {
	return clocktesting.NewFakePassiveClock(at)
}
