package webhook

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/podlint/podlint/certs"
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
	// MaxInflightBytes caps the request bodies held in memory at once,
	// until their checks finish; beyond it requests are allowed unchecked.
	// Decoding and checking an object takes up to some 30 times its size,
	// so this is what bounds the webhook's memory.
	MaxInflightBytes int64
	// MaxConnections caps open connections to the webhook port; more
	// wait to be accepted. Each costs some tens of KiB.
	MaxConnections int
	// TrustedControllers are usernames (a trailing * matches any rest)
	// trusted, besides kube-system's service accounts,
	// system:kube-controller-manager and the nodes, to create Pods that
	// name a controller owner; such Pods only get warnings. Anyone else's
	// Pod is judged as a bare Pod, whatever its ownerReferences say.
	TrustedControllers []string
	// MissingReferences says what error findings about a referenced
	// object that does not exist yet (a ConfigMap, Secret, key, PVC,
	// ServiceAccount, PriorityClass, RuntimeClass or StorageClass) do:
	// Warn (the default) because kubectl apply sends a file's objects one
	// by one and the object may come a moment later in the same apply, or
	// Enforce, to deny them like any other error where every apply
	// creates what it references first (GitOps sync waves, Helm hooks).
	MissingReferences Mode

	// Watch toggles the informers; a kind that is not watched is unknown
	// to the checks, which then stay silent about it.
	Watch informers.WatchOptions
	// SecretKeys is the secret-keys opt-in: the Secret informer watches
	// Secrets whole, data included (no API lists key names without
	// values), and its cache transform keeps names, types and key names
	// only, so that secret-key-not-found can check cluster Secrets.
	// Without it Secrets are watched as metadata only.
	SecretKeys bool

	// BindAddress is the webhook's HTTPS listen address, host:port (an
	// empty host means every address).
	BindAddress            string
	MetricsBindAddress     string
	HealthProbeBindAddress string
	// PprofBindAddress serves net/http/pprof (controller-runtime's
	// manager option) for profiling under load; "" or "0" disables it,
	// the default. Bind it to localhost: profiles show request data.
	PprofBindAddress string
	// Port, when not 0, replaces the port of BindAddress (the older
	// --port flag).
	Port        int
	EnableHTTP2 bool
	// Verbosity raises log detail: 0 logs denials and errors, 1 logs every
	// request's decision, 2 adds each finding.
	Verbosity int
}

// DefaultOptions returns the documented defaults.
func DefaultOptions() *Options {
	return &Options{
		Mode:                   Enforce,
		MissingReferences:      Warn,
		ConfigPollInterval:     10 * time.Second,
		CertMode:               CertSelf,
		CertDir:                "/tmp/k8s-webhook-server/serving-certs",
		Namespace:              "podlint-system",
		ServiceName:            "podlint-webhook",
		WebhookConfigName:      "podlint",
		SecretName:             "podlint-webhook-tls",
		Timeout:                2 * time.Second,
		MaxConcurrency:         64,
		MaxRequestBytes:        4 << 20,
		MaxInflightBytes:       8 << 20,
		MaxConnections:         1024,
		BindAddress:            ":9443",
		Watch:                  informers.DefaultWatch(),
		MetricsBindAddress:     ":8080",
		HealthProbeBindAddress: ":8081",
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
	fs.DurationVar(&o.Timeout, "timeout", o.Timeout, "per-request deadline from arrival (the API server's shorter timeout, less a margin, wins); slower requests are allowed with a warning")
	fs.IntVar(&o.MaxConcurrency, "max-concurrency", o.MaxConcurrency, "requests checked at once; more are allowed with a warning")
	fs.Int64Var(&o.MaxRequestBytes, "max-request-bytes", o.MaxRequestBytes, "largest AdmissionReview body checked; larger ones are allowed with a warning")
	fs.Int64Var(&o.MaxInflightBytes, "max-inflight-bytes", o.MaxInflightBytes, "request bytes held in memory at once, until their checks finish; more are allowed with a warning (bounds memory: checking takes up to ~30x a request's size)")
	fs.IntVar(&o.MaxConnections, "max-connections", o.MaxConnections, "open connections to the webhook port; more wait to be accepted")
	fs.StringSliceVar(&o.TrustedControllers, "trusted-controllers", nil, "usernames (trailing * matches any rest) trusted besides kube-system service accounts, system:kube-controller-manager and nodes to create Pods owned by a controller, which then only get warnings")
	missing := fs.String("missing-references", string(o.MissingReferences), "what error findings about a referenced object that does not exist yet do: warn (it may come later in the same kubectl apply) or enforce (deny, like other errors)")
	watch := map[cluster.Kind]*bool{}
	for _, r := range cluster.Kinds() {
		if r.Watch != "" {
			watch[r.Kind] = fs.Bool("watch-"+r.Watch, o.Watch[r.Kind], "cache "+r.Watch+" for the cluster-aware checks (off: those checks treat the kind as unknown)")
		}
	}
	fs.BoolVar(&o.SecretKeys, "secret-keys", o.SecretKeys, "watch Secrets whole (data crosses the wire to podlint) and keep only their key names, for secret-key-not-found against cluster Secrets; off: Secrets are watched as metadata only and that check's cluster side is silent")
	fs.StringVar(&o.MetricsBindAddress, "metrics-bind-address", o.MetricsBindAddress, "Prometheus metrics address (0 disables)")
	fs.StringVar(&o.HealthProbeBindAddress, "health-probe-bind-address", o.HealthProbeBindAddress, "healthz/readyz address")
	fs.StringVar(&o.PprofBindAddress, "pprof-bind-address", o.PprofBindAddress, "net/http/pprof address for profiling (empty or 0: off, the default; keep it on localhost)")
	fs.StringVar(&o.BindAddress, "webhook-bind-address", o.BindAddress, "webhook HTTPS address, host:port (no host: every address)")
	fs.IntVar(&o.Port, "port", o.Port, "webhook HTTPS port, replacing the port of --webhook-bind-address")
	_ = fs.MarkDeprecated("port", "use --webhook-bind-address")
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
	switch Mode(*missing) {
	case Enforce, Warn:
		o.MissingReferences = Mode(*missing)
	default:
		return nil, fmt.Errorf("--missing-references %q: want warn or enforce", *missing)
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
	if o.MaxInflightBytes < o.MaxRequestBytes {
		return nil, fmt.Errorf("--max-inflight-bytes (%d) must be at least --max-request-bytes (%d), or the largest requests are never checked", o.MaxInflightBytes, o.MaxRequestBytes)
	}
	if o.MaxConnections < 1 {
		return nil, fmt.Errorf("--max-connections must be at least 1, got %d", o.MaxConnections)
	}
	if _, err := o.WebhookAddress(); err != nil {
		return nil, err
	}
	if err := certs.ValidateNames(o.ExtraDNSNames); err != nil {
		return nil, fmt.Errorf("--extra-dns-names: %w", err)
	}
	for _, u := range o.TrustedControllers {
		if strings.TrimSuffix(u, "*") == "" {
			return nil, fmt.Errorf("--trusted-controllers: %q would trust every user", u)
		}
	}
	if o.ConfigPollInterval <= 0 {
		return nil, fmt.Errorf("--config-poll-interval must be positive, got %s", o.ConfigPollInterval)
	}
	return o, nil
}

// WebhookAddress is the address the webhook listens on: BindAddress, with
// its port replaced by Port when that is set.
func (o *Options) WebhookAddress() (string, error) {
	host, port, err := net.SplitHostPort(o.BindAddress)
	if err != nil {
		return "", fmt.Errorf("--webhook-bind-address %q: %w", o.BindAddress, err)
	}
	if o.Port != 0 {
		port = strconv.Itoa(o.Port)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("--webhook-bind-address %q: bad port %q", o.BindAddress, port)
	}
	return net.JoinHostPort(host, port), nil
}
