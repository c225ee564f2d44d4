package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	stdlog "log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"golang.org/x/net/netutil"
	"golang.org/x/time/rate"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
)

// Timeouts of the webhook's HTTPS server outside a request's own deadline.
const (
	// headerTimeout bounds the TLS handshake and the request headers. The
	// API server sends its headers at once and gives up on the whole call
	// after timeoutSeconds (3 in manifests/, at most 30), so a connection
	// still not past its headers after this is not the API server.
	headerTimeout = 5 * time.Second
	// idleTimeout matches client-go's keep-alive, so the API server's idle
	// connections are reused rather than raced by our close.
	idleTimeout = 90 * time.Second
	// shutdownTimeout bounds the wait for requests in flight at shutdown;
	// each ends by its deadline anyway.
	shutdownTimeout = 30 * time.Second
)

// TLSServerOptions configure the webhook's HTTPS server.
type TLSServerOptions struct {
	// Addr is host:port to listen on.
	Addr string
	// TLSConfig carries the certificate (GetCertificate) and the protocol
	// floor; NextProtos is set from EnableHTTP2.
	TLSConfig *tls.Config
	// EnableHTTP2 serves HTTP/2 as well as HTTP/1.1.
	EnableHTTP2 bool
	// MaxConnections caps open connections; more wait in the listen queue.
	MaxConnections int
	// HeaderTimeout bounds the handshake and headers (default headerTimeout).
	HeaderTimeout time.Duration
	// Log receives the server's own errors, rate-limited (TLS handshake
	// errors come in thousands when a client holds a stale CA).
	Log logr.Logger
	// Metrics count connections and server errors.
	Metrics *Metrics
}

// TLSServer is the HTTPS server of the webhook, in place of
// controller-runtime's: it takes the same place in the manager
// (webhook.Server) but sets what that one does not let us set: the error
// log (JSON, rate-limited, instead of Go's plain lines on stderr), the
// header timeout, the connection cap and any listen address.
type TLSServer struct {
	o   TLSServerOptions
	mux *http.ServeMux

	mu      sync.Mutex
	addr    net.Addr
	started bool
}

var _ crwebhook.Server = (*TLSServer)(nil)

// NewTLSServer returns a server that serves once started.
func NewTLSServer(o TLSServerOptions) *TLSServer {
	if o.HeaderTimeout <= 0 {
		o.HeaderTimeout = headerTimeout
	}
	if o.MaxConnections <= 0 {
		o.MaxConnections = DefaultOptions().MaxConnections
	}
	if o.Log.GetSink() == nil {
		o.Log = logr.Discard()
	}
	cfg := o.TLSConfig.Clone()
	if cfg == nil {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	cfg.NextProtos = []string{"http/1.1"}
	if o.EnableHTTP2 {
		cfg.NextProtos = []string{"h2", "http/1.1"}
	}
	o.TLSConfig = cfg
	return &TLSServer{o: o, mux: http.NewServeMux()}
}

// NeedLeaderElection is false: every replica serves.
func (s *TLSServer) NeedLeaderElection() bool { return false }

// Register serves hook at path.
func (s *TLSServer) Register(path string, hook http.Handler) { s.mux.Handle(path, hook) }

// WebhookMux returns the server's mux.
func (s *TLSServer) WebhookMux() *http.ServeMux { return s.mux }

// Addr is the address the server listens on, once started (useful with
// port 0).
func (s *TLSServer) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// StartedChecker is healthy once the server listens. It does not dial:
// a probe connection would be one more handshake error in the log every
// few seconds while no certificate is loaded, and the certificate has its
// own readiness check.
func (s *TLSServer) StartedChecker() healthz.Checker {
	return func(*http.Request) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.started {
			return errors.New("webhook server has not been started yet")
		}
		return nil
	}
}

// Start listens and serves until ctx ends.
func (s *TLSServer) Start(ctx context.Context) error {
	l, err := net.Listen("tcp", s.o.Addr)
	if err != nil {
		return fmt.Errorf("webhook server: %w", err)
	}
	srv := &http.Server{
		Handler:           s.mux,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		MaxHeaderBytes:    64 << 10,
		ReadHeaderTimeout: s.o.HeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          stdlog.New(newErrorLog(s.o.Log, s.o.Metrics), "", 0),
		ConnState: func(_ net.Conn, st http.ConnState) {
			switch st {
			case http.StateNew:
				s.o.Metrics.addConnections(1)
			case http.StateClosed, http.StateHijacked:
				s.o.Metrics.addConnections(-1)
			}
		},
	}
	if !s.o.EnableHTTP2 {
		// A non-nil empty map is how net/http is told not to serve h2.
		srv.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
	}
	s.mu.Lock()
	s.addr = l.Addr()
	s.started = true
	s.mu.Unlock()
	s.o.Log.Info("serving webhook", "address", l.Addr().String())

	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			s.o.Log.Error(err, "shutting down the webhook server")
		}
	}()
	err = srv.Serve(tls.NewListener(netutil.LimitListener(l, s.o.MaxConnections), s.o.TLSConfig))
	if errors.Is(err, http.ErrServerClosed) {
		<-stopped
		return nil
	}
	return err
}

// Kinds of server errors, as counted in podlint_webhook_http_errors_total.
const (
	httpErrorTLS   = "tls-handshake"
	httpErrorOther = "other"
)

// Rate of the server's error lines that reach the log: a burst, then one
// a second; the rest are counted and the next line logged says how many.
const (
	errorLogBurst = 10
	errorLogEvery = time.Second
)

// errorLog turns net/http's error lines into JSON log entries, at most
// errorLogBurst at once and one per errorLogEvery after that.
type errorLog struct {
	log     logr.Logger
	metrics *Metrics
	limit   *logLimiter
}

func newErrorLog(lg logr.Logger, m *Metrics) *errorLog {
	return &errorLog{log: lg, metrics: m, limit: newLogLimiter()}
}

// logLimiter lets through errorLogBurst lines at once and one per
// errorLogEvery after that, and counts the others for the next line.
type logLimiter struct {
	limit *rate.Limiter
	now   func() time.Time

	mu         sync.Mutex
	suppressed int
}

func newLogLimiter() *logLimiter {
	return &logLimiter{limit: rate.NewLimiter(rate.Every(errorLogEvery), errorLogBurst), now: time.Now}
}

// take tells whether a line may be logged now and, if so, how many were
// suppressed since the last one.
func (l *logLimiter) take() (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.limit.AllowN(l.now(), 1) {
		l.suppressed++
		return false, 0
	}
	n := l.suppressed
	l.suppressed = 0
	return true, n
}

// Write takes one line of the standard logger.
func (e *errorLog) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	kind := httpErrorOther
	if strings.Contains(line, "TLS handshake error") {
		kind = httpErrorTLS
	}
	e.metrics.httpError(kind)
	ok, suppressed := e.limit.take()
	if !ok {
		return len(p), nil
	}
	msg := "webhook server error"
	if kind == httpErrorTLS {
		msg = "TLS handshake failed"
	}
	kv := []any{"type", kind, "detail", strings.TrimPrefix(line, "http: ")}
	if suppressed > 0 {
		kv = append(kv, "suppressed", suppressed)
	}
	e.log.Info(msg, kv...)
	return len(p), nil
}
