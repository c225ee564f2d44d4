package certs

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func writePair(t *testing.T, dir string, kp *keyPair) {
	t.Helper()
	// Write to temporary names and rename, as the kubelet's atomic writer
	// swaps whole files, so the watcher never reads half a certificate.
	for name, data := range map[string][]byte{"tls.crt": kp.CertPEM, "tls.key": kp.KeyPEM} {
		tmp := filepath.Join(dir, "."+name+".tmp")
		if err := os.WriteFile(tmp, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestExternalReloads(t *testing.T) {
	now := time.Now()
	ca := mustCA(t, now, time.Hour)
	first, err := newServing(now, 10*time.Minute, ca, []string{"hook.ns.svc"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := NewExternal(dir, ExternalOptions{}); err == nil {
		t.Fatal("NewExternal accepted a directory without tls.crt/tls.key")
	}
	writePair(t, dir, first)

	var mu sync.Mutex
	var seen []time.Time
	e, err := NewExternal(dir, ExternalOptions{PollInterval: 50 * time.Millisecond, OnRotate: func(na time.Time) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, na)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if e.NeedLeaderElection() {
		t.Error("NeedLeaderElection must be false")
	}
	if err := e.Ready(); err != nil {
		t.Fatalf("not ready with a valid certificate: %v", err)
	}
	got, err := e.GetCertificate(nil)
	if err != nil || !got.Leaf.Equal(first.Cert) {
		t.Fatalf("serves %v, %v; want the first certificate", got, err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.Start(ctx) }()
	defer func() {
		cancel()
		<-done
	}()

	second, err := newServing(now, 20*time.Minute, ca, []string{"hook.ns.svc"})
	if err != nil {
		t.Fatal(err)
	}
	writePair(t, dir, second)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, _ := e.GetCertificate(nil)
		if c != nil && c.Leaf.Equal(second.Cert) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("rewritten certificate not picked up")
		}
		time.Sleep(20 * time.Millisecond)
	}
	deadline = time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(seen)
		last := time.Time{}
		if n > 0 {
			last = seen[n-1]
		}
		mu.Unlock()
		if last.Equal(second.Cert.NotAfter) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("OnRotate saw %v, want the second certificate's NotAfter %v last", seen, second.Cert.NotAfter)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestReadyRejectsExpired(t *testing.T) {
	ca := mustCA(t, t0, time.Hour)
	sv, err := newServing(t0, time.Minute, ca, []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writePair(t, dir, sv)
	e, err := NewExternal(dir, ExternalOptions{Clock: clockAt(t0.Add(2 * time.Minute))})
	if err != nil {
		t.Fatal(err)
	}
	if e.Ready() == nil {
		t.Fatal("ready with an expired certificate")
	}
}
