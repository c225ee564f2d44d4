package webhook

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/podlint/podlint/cluster"
	"github.com/podlint/podlint/cluster/informers"
)

// Mode says what the webhook does with error-severity findings.
type Mode string

// Modes. Off is only valid as a namespace label.
const (
	// Enforce denies requests with error-severity findings.
	Enforce Mode = "enforce"
	// Warn turns every finding into an admission warning.
	Warn Mode = "warn"
	// Off skips the checks (namespace label only).
	Off Mode = "off"
)

// ModeLabel on a Namespace overrides the global mode for objects in it.
const ModeLabel = "podlint.io/mode"

// CertMode says where the serving certificate comes from.
type CertMode string

// Certificate modes.
const (
	// CertSelf generates and rotates a CA and serving certificate, kept in
	// a Secret, and injects the CA into the webhook configuration.
	CertSelf CertMode = "self"
	// CertExternal reads tls.crt and tls.key from --cert-dir (cert-manager)
	// and reloads them when they change.
	CertExternal CertMode = "external"
)

// Options configure podlint-webhook. The zero value is not useful; start
// from DefaultOptions or ParseFlags.
type Options struct {
	// Mode is the global mode (enforce or warn).
	Mode Mode
	// ConfigFile is the .podlint.yaml mounted from a ConfigMap; "" means
	// the built-in defaults. It is reloaded when it changes.
	ConfigFile string
	// ConfigPollInterval is how often ConfigFile is re-read. Polling
	// rather than inotify because kubelet updates ConfigMap volumes by
	// swapping a symlink, which inotify watches on the file miss.
	ConfigPollInterval time.Duration

	// Kubeconfig, when set, is the kubeconfig file to use; otherwise the
	// in-cluster configuration or $KUBECONFIG, as controller-runtime finds
	// them. Running outside a cluster (a test, a laptop) needs it.
	Kubeconfig string

	CertMode CertMode
	// CertDir holds tls.crt and tls.key in external mode.
	CertDir string
	// Namespace, ServiceName, WebhookConfigName and SecretName locate
	// podlint's own objects for self-managed certificates.
	Namespace         string
	ServiceName       string
	WebhookConfigName string
	SecretName        string
	// ExtraDNSNames are added to a self-managed serving certificate (for
	// a webhook reached by URL rather than through the Service).
	ExtraDNSNames []string

	// Timeout is the per-request deadline after which the request is
	// allowed with a warning. Keep it below the configuration's
	// timeoutSeconds so the API server hears podlint's answer.
	Timeout time.Duration
	// MaxConcurrency caps requests checked at once; beyond it requests are
	// allowed with a warning instead of queueing.
	MaxConcurrency int
	// MaxRequestBytes caps the AdmissionReview body.
	MaxRequestBytes int64

	// Watch toggles the informers; a kind that is not watched is unknown
	// to the checks, which then stay silent about it.
	Watch informers.WatchOptions

	MetricsBindAddress     string
	HealthProbeBindAddress string
	Port                   int
	EnableHTTP2            bool
	// Verbosity raises log detail: 0 logs denials and errors, 1 logs every
	// request's decision, 2 adds each finding.
	Verbosity int
}

// DefaultOptions returns the documented defaults.
func DefaultOptions() *Options {
	return &Options{
		Mode:                   Enforce,
		ConfigPollInterval:     10 * time.Second,
		CertMode:               CertSelf,
		CertDir:                "/tmp/k8s-webhook-server/serving-certs",
		Namespace:              "podlint-system",
		ServiceName:            "podlint-webhook",
		WebhookConfigName:      "podlint",
		SecretName:             "podlint-webhook-tls",
		Timeout:                2 * time.Second,
		MaxConcurrency:         64,
		MaxRequestBytes:        7 << 20,
		Watch:                  informers.DefaultWatch(),
		MetricsBindAddress:     ":8080",
		HealthProbeBindAddress: ":8081",
		Port:                   9443,
	}
}

// ParseFlags parses podlint-webhook's command line. It has no side effects:
// errors (including -h) come back for the caller to print.
func ParseFlags(args []string) (*Options, error) {
	o := DefaultOptions()
	fs := pflag.NewFlagSet("podlint-webhook", pflag.ContinueOnError)
	fs.SortFlags = false
	mode := fs.String("mode", string(o.Mode), "what to do with error findings: enforce (deny) or warn; the namespace label "+ModeLabel+" (enforce|warn|off) overrides it")
	fs.StringVar(&o.ConfigFile, "config", o.ConfigFile, "podlint config file (same format as the CLI's .podlint.yaml), reloaded when it changes")
	fs.DurationVar(&o.ConfigPollInterval, "config-poll-interval", o.ConfigPollInterval, "how often --config is re-read")
	certMode := fs.String("cert-mode", string(o.CertMode), "serving certificate: self (generate, rotate, inject caBundle) or external (read --cert-dir)")
	fs.StringVar(&o.Kubeconfig, "kubeconfig", o.Kubeconfig, "kubeconfig file (default: in-cluster configuration, or $KUBECONFIG)")
	fs.StringVar(&o.CertDir, "cert-dir", o.CertDir, "directory with tls.crt and tls.key (external mode)")
	fs.StringVar(&o.Namespace, "namespace", o.Namespace, "podlint's namespace (Secret and Service live there)")
	fs.StringVar(&o.ServiceName, "service-name", o.ServiceName, "Service in front of the webhook (certificate DNS names)")
	fs.StringVar(&o.WebhookConfigName, "webhook-config-name", o.WebhookConfigName, "ValidatingWebhookConfiguration whose caBundle podlint manages")
	fs.StringVar(&o.SecretName, "secret-name", o.SecretName, "Secret holding the self-managed CA and serving certificate")
	fs.StringSliceVar(&o.ExtraDNSNames, "extra-dns-names", nil, "additional DNS names for the self-managed serving certificate")
	fs.DurationVar(&o.Timeout, "timeout", o.Timeout, "per-request deadline; slower requests are allowed with a warning")
	fs.IntVar(&o.MaxConcurrency, "max-concurrency", o.MaxConcurrency, "requests checked at once; more are allowed with a warning")
	fs.Int64Var(&o.MaxRequestBytes, "max-request-bytes", o.MaxRequestBytes, "largest AdmissionReview body accepted")
	watch := map[cluster.Kind]*bool{}
	for _, r := range cluster.Kinds() {
		if r.Watch != "" {
			watch[r.Kind] = fs.Bool("watch-"+r.Watch, o.Watch[r.Kind], "cache "+r.Watch+" for the cluster-aware checks (off: those checks treat the kind as unknown)")
		}
	}
	fs.StringVar(&o.MetricsBindAddress, "metrics-bind-address", o.MetricsBindAddress, "Prometheus metrics address (0 disables)")
	fs.StringVar(&o.HealthProbeBindAddress, "health-probe-bind-address", o.HealthProbeBindAddress, "healthz/readyz address")
	fs.IntVar(&o.Port, "port", o.Port, "webhook HTTPS port")
	fs.BoolVar(&o.EnableHTTP2, "enable-http2", o.EnableHTTP2, "serve HTTP/2 (off by default: HTTP/2 rapid reset, CVE-2023-44487)")
	fs.IntVarP(&o.Verbosity, "v", "v", o.Verbosity, "log verbosity (0: denials and errors, 1: every request, 2: every finding)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	for k, on := range watch {
		o.Watch[k] = *on
	}
	switch Mode(*mode) {
	case Enforce, Warn:
		o.Mode = Mode(*mode)
	default:
		return nil, fmt.Errorf("--mode %q: want enforce or warn", *mode)
	}
	switch CertMode(*certMode) {
	case CertSelf, CertExternal:
		o.CertMode = CertMode(*certMode)
	default:
		return nil, fmt.Errorf("--cert-mode %q: want self or external", *certMode)
	}
	if o.Timeout <= 0 {
		return nil, fmt.Errorf("--timeout must be positive, got %s", o.Timeout)
	}
	if o.MaxConcurrency < 1 {
		return nil, fmt.Errorf("--max-concurrency must be at least 1, got %d", o.MaxConcurrency)
	}
	if o.MaxRequestBytes < 1<<10 {
		return nil, fmt.Errorf("--max-request-bytes must be at least 1024, got %d", o.MaxRequestBytes)
	}
	if o.ConfigPollInterval <= 0 {
		return nil, fmt.Errorf("--config-poll-interval must be positive, got %s", o.ConfigPollInterval)
	}
	return o, nil
}
