package certs

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
)

// ExternalOptions configures External. Zero fields take the default.
type ExternalOptions struct {
	// CertName and KeyName are the file names in the directory (default
	// tls.crt and tls.key, as cert-manager writes them).
	CertName, KeyName string
	// PollInterval re-reads the files even without a file event (default
	// 10 seconds): a Secret volume swaps a symlink, which not every
	// filesystem reports.
	PollInterval time.Duration
	// OnRotate, when set, is called with the NotAfter of each certificate
	// loaded.
	OnRotate func(notAfter time.Time)
	// Clock tells the time for Ready (default the real clock).
	Clock clock.PassiveClock
}

// External serves a certificate that someone else (cert-manager) writes
// to a directory, reloading it when the files change.
type External struct {
	w     *certwatcher.CertWatcher
	clock clock.PassiveClock
}

// NewExternal reads dir's certificate and key, which must already exist
// (a pod mounting a Secret volume only starts once the Secret exists).
func NewExternal(dir string, opts ExternalOptions) (*External, error) {
	if opts.CertName == "" {
		opts.CertName = "tls.crt"
	}
	if opts.KeyName == "" {
		opts.KeyName = "tls.key"
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = 10 * time.Second
	}
	if opts.Clock == nil {
		opts.Clock = clock.RealClock{}
	}
	w, err := certwatcher.New(filepath.Join(dir, opts.CertName), filepath.Join(dir, opts.KeyName))
	if err != nil {
		return nil, fmt.Errorf("certs: load certificate from %s: %w", dir, err)
	}
	w = w.WithWatchInterval(opts.PollInterval)
	if opts.OnRotate != nil {
		w.RegisterCallback(func(c tls.Certificate) {
			if c.Leaf != nil {
				opts.OnRotate(c.Leaf.NotAfter)
			}
		})
	}
	return &External{w: w, clock: opts.Clock}, nil
}

// Start watches the files until ctx ends.
func (e *External) Start(ctx context.Context) error { return e.w.Start(ctx) }

// NeedLeaderElection is false: every replica serves.
func (e *External) NeedLeaderElection() bool { return false }

// GetCertificate returns the certificate last read from the directory.
func (e *External) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	return e.w.GetCertificate(hello)
}

// Ready returns nil while the loaded certificate has not expired.
func (e *External) Ready() error {
	c, _ := e.w.GetCertificate(nil)
	return readyErr(c, e.clock.Now(), nil)
}

// ReadyCheck is Ready for healthz.
func (e *External) ReadyCheck(*http.Request) error { return e.Ready() }
