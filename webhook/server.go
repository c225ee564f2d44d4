package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"
	"go.uber.org/zap/zapcore"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/podlint/podlint/certs"
	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
	"github.com/podlint/podlint/cluster/informers"
)

// CertSource serves the webhook's certificate; certs.SelfManaged and
// certs.External implement it.
type CertSource interface {
	manager.Runnable
	GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error)
	ReadyCheck(*http.Request) error
}

// Server is a configured podlint-webhook: a controller-runtime manager
// with the informers, the config watcher, the certificate source and the
// admission handler registered.
type Server struct {
	Manager manager.Manager
	Store   *cluster.Store
	Handler *Handler
	Metrics *Metrics
	Feeder  *informers.Feeder
	Config  *ConfigSource
	// Webhook is the HTTPS server (its Addr is known once started).
	Webhook *TLSServer
}

// ServerExtras are hooks for tests and embedders.
type ServerExtras struct {
	// Certs replaces the source chosen by Options.CertMode.
	Certs CertSource
	// Host, when set, replaces the host of Options.BindAddress.
	Host string
	// ExtraChecks run after the catalogue's on every request (tests
	// inject slow or panicking checks through it).
	ExtraChecks []*checks.Check
	// Registry receives the metrics (default controller-runtime's);
	// tests running several servers in one process pass their own.
	Registry prometheus.Registerer
	// Logger replaces the manager's logger.
	Logger *logr.Logger
}

// NewServer builds the manager and everything podlint-webhook runs in it.
func NewServer(ctx context.Context, cfg *rest.Config, o *Options, x ServerExtras) (*Server, error) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	var reg prometheus.Registerer = metrics.Registry
	if x.Registry != nil {
		reg = x.Registry
	}
	m := NewMetrics(reg)
	src := x.Certs
	if src == nil {
		var err error
		if src, err = certSource(cfg, scheme, o, m); err != nil {
			return nil, err
		}
	}
	lg := ctrl.Log
	if x.Logger != nil {
		lg = *x.Logger
	}
	ws, err := newWebhookServer(o, x.Host, src.GetCertificate, m, lg)
	if err != nil {
		return nil, err
	}
	mopts := manager.Options{
		Scheme: scheme,
		Cache:  informers.CacheOptions(o.Watch, o.SecretKeys),
		Metrics: metricsserver.Options{BindAddress: o.MetricsBindAddress, TLSOpts: []func(*tls.Config){func(c *tls.Config) {
			if !o.EnableHTTP2 {
				c.NextProtos = []string{"http/1.1"}
			}
		}}},
		HealthProbeBindAddress: o.HealthProbeBindAddress,
		PprofBindAddress:       o.PprofBindAddress,
		WebhookServer:          ws,
	}
	if x.Logger != nil {
		mopts.Logger = *x.Logger
	}
	mgr, err := ctrl.NewManager(cfg, mopts)
	if err != nil {
		return nil, fmt.Errorf("creating manager: %w", err)
	}
	// The manager runs its webhook server once asked for it.
	mgr.GetWebhookServer()
	if err := mgr.Add(src); err != nil {
		return nil, err
	}
	conf, err := NewConfigSource(o.ConfigFile, o.ConfigPollInterval, m)
	if err != nil {
		return nil, err
	}
	if err := mgr.Add(conf); err != nil {
		return nil, err
	}
	store := cluster.New()
	feeder := informers.NewFeeder(store, m)
	if err := feeder.Setup(ctx, mgr, o.Watch, o.SecretKeys); err != nil {
		return nil, err
	}
	engine := conf.Engine
	if len(x.ExtraChecks) > 0 {
		engine = func() *checks.Engine {
			e := conf.Engine()
			return &checks.Engine{Checks: slices.Concat(e.Checks, x.ExtraChecks), Config: e.Config}
		}
	}
	h := serveAdmission(ws, o, HandlerOptions{Engine: engine, Inventory: store.Inventory, Metrics: m}, lg)
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return nil, err
	}
	for name, c := range map[string]healthz.Checker{
		"informers":   func(*http.Request) error { return feeder.Synced() },
		"certificate": src.ReadyCheck,
		"webhook":     ws.StartedChecker(),
	} {
		if err := mgr.AddReadyzCheck(name, c); err != nil {
			return nil, err
		}
	}
	return &Server{Manager: mgr, Store: store, Handler: h, Metrics: m, Feeder: feeder, Config: conf, Webhook: ws}, nil
}

// newWebhookServer is the HTTPS server as o configures it; host, when
// set, replaces the host of the bind address.
func newWebhookServer(o *Options, host string, getCert func(*tls.ClientHelloInfo) (*tls.Certificate, error), m *Metrics, lg logr.Logger) (*TLSServer, error) {
	addr, err := o.WebhookAddress()
	if err != nil {
		return nil, err
	}
	if host != "" {
		_, port, _ := net.SplitHostPort(addr)
		addr = net.JoinHostPort(host, port)
	}
	return NewTLSServer(TLSServerOptions{
		Addr:           addr,
		TLSConfig:      &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: getCert},
		EnableHTTP2:    o.EnableHTTP2,
		MaxConnections: o.MaxConnections,
		Log:            lg.WithName("webhook-server"),
		Metrics:        m,
	}), nil
}

// serveAdmission builds the admission handler as o configures it (ho
// brings the engine, the inventory and the metrics) and serves it on ws.
func serveAdmission(ws *TLSServer, o *Options, ho HandlerOptions, lg logr.Logger) *Handler {
	ho.Mode, ho.Timeout, ho.MaxConcurrency, ho.TrustedControllers = o.Mode, o.Timeout, o.MaxConcurrency, o.TrustedControllers
	ho.DenyMissingReferences = o.MissingReferences == Enforce
	h := NewHandler(ho)
	admissionLog := lg.WithName("admission")
	ws.Register(Path, NewHTTPHandlerWith(h, HTTPOptions{
		MaxRequestBytes:  o.MaxRequestBytes,
		MaxInflightBytes: o.MaxInflightBytes,
		Metrics:          ho.Metrics,
		Log:              &admissionLog,
	}))
	return h
}

// certSource picks the certificate source for the mode.
func certSource(cfg *rest.Config, scheme *runtime.Scheme, o *Options, m *Metrics) (CertSource, error) {
	switch o.CertMode {
	case CertExternal:
		return certs.NewExternal(o.CertDir, certs.ExternalOptions{OnRotate: m.SetCertificateExpiry})
	case CertSelf:
		// A direct client: a cached one would start a cluster-wide
		// Secret informer holding data, which podlint must not have.
		c, err := client.New(cfg, client.Options{Scheme: scheme})
		if err != nil {
			return nil, fmt.Errorf("creating client: %w", err)
		}
		return certs.NewSelfManaged(c, certs.Options{
			Namespace:         o.Namespace,
			SecretName:        o.SecretName,
			ServiceName:       o.ServiceName,
			WebhookConfigName: o.WebhookConfigName,
			ExtraDNSNames:     o.ExtraDNSNames,
			OnRotate:          m.SetCertificateExpiry,
		})
	}
	return nil, fmt.Errorf("unknown certificate mode %q", o.CertMode)
}

// NewLogger returns the structured JSON logger: verbosity 0 logs denials
// and errors, 1 every request, 2 more detail.
func NewLogger(o *Options, w io.Writer) logr.Logger {
	return zap.New(zap.WriteTo(w), zap.UseDevMode(false), zap.JSONEncoder(),
		zap.Level(zapcore.Level(-o.Verbosity)), zap.StacktraceLevel(zapcore.PanicLevel))
}

// Main runs podlint-webhook; it returns the process exit code.
func Main(ctx context.Context, args []string, stderr io.Writer) int {
	o, err := ParseFlags(args)
	if errors.Is(err, pflag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "podlint-webhook:", err)
		return 2
	}
	lg := NewLogger(o, stderr)
	ctrl.SetLogger(lg)
	memLimit := applyMemoryLimit(os.Getenv)
	cfg, err := restConfig(o.Kubeconfig)
	if err != nil {
		lg.Error(err, "no Kubernetes configuration")
		return 1
	}
	srv, err := NewServer(ctx, cfg, o, ServerExtras{})
	if err != nil {
		lg.Error(err, "setting up")
		return 1
	}
	addr, _ := o.WebhookAddress()
	lg.Info("starting", "mode", o.Mode, "certMode", o.CertMode, "address", addr, "timeout", o.Timeout.String(), "goMemoryLimit", memLimit)
	if err := srv.Manager.Start(ctx); err != nil {
		lg.Error(err, "stopped")
		return 1
	}
	return 0
}

// restConfig loads the flag's kubeconfig when given, else what
// controller-runtime finds (in-cluster, then $KUBECONFIG).
func restConfig(kubeconfig string) (*rest.Config, error) {
	if kubeconfig == "" {
		return ctrl.GetConfig()
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("loading --kubeconfig %s: %w", kubeconfig, err)
	}
	return cfg, nil
}
