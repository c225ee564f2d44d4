package certs

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/utils/clock"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// Defaults for Options. They match manifests/.
const (
	DefaultNamespace         = "podlint-system"
	DefaultSecretName        = "podlint-webhook-tls"
	DefaultServiceName       = "podlint-webhook"
	DefaultWebhookConfigName = "podlint"
	DefaultClusterDomain     = "cluster.local"
	DefaultCAValidity        = 10 * 365 * 24 * time.Hour
	DefaultValidity          = 365 * 24 * time.Hour
	DefaultCheckInterval     = time.Minute
	DefaultOverlap           = 5 * time.Minute
)

// Options configures SelfManaged. Zero fields take the documented default.
type Options struct {
	// Namespace holds the Service and the Secret (default "podlint-system";
	// the webhook passes its own namespace from the downward API).
	Namespace string
	// SecretName is podlint's own Secret, the only one it reads or writes
	// (default "podlint-webhook-tls"). It holds ca.crt (the trusted CA
	// bundle, one CA or two during a CA rotation), ca.key (the key of the
	// newest CA), tls.crt and tls.key.
	SecretName string
	// ServiceName is the Service in front of the webhook (default
	// "podlint-webhook"); the serving certificate names it as <svc>,
	// <svc>.<ns>, <svc>.<ns>.svc and <svc>.<ns>.svc.<ClusterDomain>.
	ServiceName string
	// ClusterDomain is the cluster's DNS domain (default "cluster.local").
	ClusterDomain string
	// ExtraDNSNames are added to the serving certificate (tests use
	// "localhost"). An IP address (127.0.0.1, ::1) goes into the IP SANs,
	// where TLS clients look for it; anything that is neither an IP nor a
	// valid DNS name (RFC 1123, "*." wildcard allowed) is an error.
	ExtraDNSNames []string
	// WebhookConfigName is the ValidatingWebhookConfiguration whose
	// webhooks all get caBundle (default "podlint"). A missing
	// configuration is not an error: there is nothing to inject into yet.
	WebhookConfigName string

	// CAValidity is the CA's lifetime (default 10 years).
	CAValidity time.Duration
	// CARotateBefore starts a CA rotation when the CA has less than this
	// left (default CAValidity/3).
	CARotateBefore time.Duration
	// Validity is the serving certificate's lifetime (default 1 year); it
	// is cut short so as never to outlive its CA.
	Validity time.Duration
	// RotateBefore issues a new serving certificate when the current one
	// has less than this left (default Validity/3).
	RotateBefore time.Duration
	// CheckInterval is how often every replica re-reads the Secret and the
	// webhook configuration (default 1 minute).
	CheckInterval time.Duration
	// Overlap is how long each step of a CA rotation waits: after the new
	// CA joins caBundle before the serving certificate switches to it (so
	// every API server trusts it), and after the switch before the old CA
	// leaves caBundle (so every replica has re-read the Secret). Default
	// 5 minutes; it must be longer than CheckInterval.
	Overlap time.Duration

	// Clock tells the time for every decision (default the real clock);
	// tests use a fake one.
	Clock clock.PassiveClock
	// OnRotate, when set, is called with the NotAfter of each serving
	// certificate this replica starts to serve (for an expiry gauge).
	OnRotate func(notAfter time.Time)
	// Log receives rotation events (default controller-runtime's logger
	// named "certs").
	Log logr.Logger
}

// withDefaults returns a copy with defaults filled in, or an error when the
// durations cannot produce a safe schedule.
func (o Options) withDefaults() (Options, error) {
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.SecretName == "" {
		o.SecretName = DefaultSecretName
	}
	if o.ServiceName == "" {
		o.ServiceName = DefaultServiceName
	}
	if o.ClusterDomain == "" {
		o.ClusterDomain = DefaultClusterDomain
	}
	if o.WebhookConfigName == "" {
		o.WebhookConfigName = DefaultWebhookConfigName
	}
	if o.CAValidity == 0 {
		o.CAValidity = DefaultCAValidity
	}
	if o.CARotateBefore == 0 {
		o.CARotateBefore = o.CAValidity / 3
	}
	if o.Validity == 0 {
		o.Validity = DefaultValidity
	}
	if o.RotateBefore == 0 {
		o.RotateBefore = o.Validity / 3
	}
	if o.CheckInterval == 0 {
		o.CheckInterval = DefaultCheckInterval
	}
	if o.Overlap == 0 {
		o.Overlap = DefaultOverlap
	}
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	if o.Log.GetSink() == nil {
		o.Log = ctrllog.Log.WithName("certs")
	}
	var errs []error
	for name, d := range map[string]time.Duration{
		"ca validity": o.CAValidity, "ca rotate-before": o.CARotateBefore,
		"validity": o.Validity, "rotate-before": o.RotateBefore,
		"check interval": o.CheckInterval, "overlap": o.Overlap,
	} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("%s %v is negative", name, d))
		}
	}
	if o.RotateBefore >= o.Validity {
		errs = append(errs, fmt.Errorf("rotate-before %v must be shorter than validity %v, or every check rotates", o.RotateBefore, o.Validity))
	}
	if o.CARotateBefore >= o.CAValidity {
		errs = append(errs, fmt.Errorf("ca rotate-before %v must be shorter than ca validity %v", o.CARotateBefore, o.CAValidity))
	}
	if o.Overlap <= o.CheckInterval {
		errs = append(errs, fmt.Errorf("overlap %v must be longer than the check interval %v, or a replica may still serve a certificate whose CA was dropped", o.Overlap, o.CheckInterval))
	}
	if o.CARotateBefore <= 2*o.Overlap {
		errs = append(errs, fmt.Errorf("ca rotate-before %v must exceed two overlaps (%v), or the old CA expires mid-rotation", o.CARotateBefore, 2*o.Overlap))
	}
	if o.RotateBefore <= o.CheckInterval {
		errs = append(errs, fmt.Errorf("rotate-before %v must exceed the check interval %v, or a certificate can expire between checks", o.RotateBefore, o.CheckInterval))
	}
	if err := ValidateNames(o.names()); err != nil {
		errs = append(errs, fmt.Errorf("serving certificate names: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return o, fmt.Errorf("certs options: %w", err)
	}
	return o, nil
}

// DNSNames are the DNS names the serving certificate is valid for,
// shortest first: the Service's names, then the extra names that are not
// IP addresses.
func (o Options) DNSNames() []string {
	dns, _ := splitNames(o.names())
	return dns
}

// IPAddresses are the extra names that are IP addresses; the serving
// certificate carries them as IP SANs.
func (o Options) IPAddresses() []net.IP {
	_, ips := splitNames(o.names())
	return ips
}

// names is every name the serving certificate must carry, as configured.
func (o Options) names() []string {
	svc, ns := o.ServiceName, o.Namespace
	names := []string{svc, svc + "." + ns, svc + "." + ns + ".svc", svc + "." + ns + ".svc." + o.ClusterDomain}
	return append(names, o.ExtraDNSNames...)
}
