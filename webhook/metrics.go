package webhook

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are podlint-webhook's Prometheus collectors. They live in a value
// rather than package variables so tests get their own registry.
type Metrics struct {
	requests    *prometheus.CounterVec
	findings    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	panics      prometheus.Counter
	cacheObjs   *prometheus.GaugeVec
	certExpiry  prometheus.Gauge
	configLoads *prometheus.CounterVec
	unchecked   *prometheus.CounterVec
	overruns    prometheus.Counter
	overrunning prometheus.Gauge
	inflight    prometheus.Gauge
	connections prometheus.Gauge
	httpErrors  *prometheus.CounterVec
}

// Reasons a request was answered without being checked, as counted in
// podlint_webhook_unchecked_total.
const (
	// reasonTimeout: the checks did not finish by the deadline.
	reasonTimeout = "timeout"
	// reasonCancelled: the API server gave up on the request first.
	reasonCancelled = "cancelled"
	// reasonOverload: --max-concurrency requests were being checked.
	reasonOverload = "overload"
	// reasonBacklog: as many checks as --max-concurrency were still
	// running past their deadline.
	reasonBacklog = "backlog"
	// reasonMemory: the body would have passed --max-inflight-bytes.
	reasonMemory = "memory"
	// reasonTooLarge: the body was larger than --max-request-bytes.
	reasonTooLarge = "too-large"
	// reasonReadTimeout: the body did not arrive by the deadline.
	reasonReadTimeout = "read-timeout"
	// reasonReadError: the body could not be read.
	reasonReadError = "read-error"
	// reasonPanic: a check panicked.
	reasonPanic = "panic"
	// reasonError: the object could not be decoded.
	reasonError = "error"
)

// uncheckedReasons lists every reason, so each series exists from the
// start and an alert on a rate sees 0 rather than nothing.
var uncheckedReasons = []string{reasonTimeout, reasonCancelled, reasonOverload, reasonBacklog, reasonMemory,
	reasonTooLarge, reasonReadTimeout, reasonReadError, reasonPanic, reasonError}

// NewMetrics creates the collectors and registers them with reg (the
// controller-runtime registry in production; nil to skip registration).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "podlint_webhook_requests_total",
			Help: "Admission requests by kind, operation and decision (allowed, warned, denied, skipped, timeout, overload, panic, error).",
		}, []string{"kind", "operation", "decision"}),
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "podlint_webhook_findings_total",
			Help: "Findings by check, severity (before mode adjustments) and action taken (deny or warn).",
		}, []string{"check", "severity", "action"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "podlint_webhook_request_duration_seconds",
			Help:    "Time to answer an admission request.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 5},
		}, []string{"kind", "operation"}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "podlint_webhook_panics_total",
			Help: "Panics recovered while checking a request (the request was allowed).",
		}),
		cacheObjs: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "podlint_webhook_cache_objects",
			Help: "Objects held by the informer-fed inventory, by kind.",
		}, []string{"kind"}),
		certExpiry: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "podlint_webhook_certificate_expiry_timestamp_seconds",
			Help: "Unix time at which the serving certificate expires.",
		}),
		configLoads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "podlint_webhook_config_loads_total",
			Help: "Config file loads by result (ok or error; on error the previous config stays).",
		}, []string{"result"}),
		unchecked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "podlint_webhook_unchecked_total",
			Help: "Requests answered (allowed) without being checked, by reason: timeout, cancelled, overload, backlog, memory, too-large, read-timeout, read-error, panic, error.",
		}, []string{"reason"}),
		overruns: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "podlint_webhook_check_overruns_total",
			Help: "Checks still running when their request was answered at the deadline.",
		}),
		overrunning: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "podlint_webhook_checks_overrunning",
			Help: "Checks running past the deadline of their already answered request.",
		}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "podlint_webhook_inflight_bytes",
			Help: "Bytes of request bodies held in memory, counted until their checks finish.",
		}),
		connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "podlint_webhook_open_connections",
			Help: "Open connections to the webhook port.",
		}),
		httpErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "podlint_webhook_http_errors_total",
			Help: "Errors of the webhook's HTTPS server (tls-handshake or other), including those not logged because of the rate limit.",
		}, []string{"type"}),
	}
	for _, r := range uncheckedReasons {
		m.unchecked.WithLabelValues(r)
	}
	for _, t := range []string{httpErrorTLS, httpErrorOther} {
		m.httpErrors.WithLabelValues(t)
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.findings, m.latency, m.panics, m.cacheObjs, m.certExpiry, m.configLoads,
			m.unchecked, m.overruns, m.overrunning, m.inflight, m.connections, m.httpErrors)
	}
	return m
}

// SetCertificateExpiry records when the serving certificate expires; the
// certificate providers call it on every load or rotation.
func (m *Metrics) SetCertificateExpiry(t time.Time) {
	if m != nil {
		m.certExpiry.Set(float64(t.Unix()))
	}
}

func (m *Metrics) request(kind, op, decision string, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(kind, op, decision).Inc()
	m.latency.WithLabelValues(kind, op).Observe(d.Seconds())
}

func (m *Metrics) finding(check, severity, action string) {
	if m != nil {
		m.findings.WithLabelValues(check, severity, action).Inc()
	}
}

func (m *Metrics) panicked() {
	if m != nil {
		m.panics.Inc()
	}
}

// SetCacheObjects sets the cache gauge for kind; the informer feeder calls
// it as objects come and go.
func (m *Metrics) SetCacheObjects(kind string, n int) {
	if m != nil {
		m.cacheObjs.WithLabelValues(kind).Set(float64(n))
	}
}

func (m *Metrics) configLoaded(ok bool) {
	if m == nil {
		return
	}
	if ok {
		m.configLoads.WithLabelValues("ok").Inc()
	} else {
		m.configLoads.WithLabelValues("error").Inc()
	}
}

func (m *Metrics) notChecked(reason string) {
	if m != nil && reason != "" {
		m.unchecked.WithLabelValues(reason).Inc()
	}
}

// overrun counts a check that outlived its request's answer; overrunEnded
// when it finally returns.
func (m *Metrics) overrun() {
	if m != nil {
		m.overruns.Inc()
		m.overrunning.Inc()
	}
}

func (m *Metrics) overrunEnded() {
	if m != nil {
		m.overrunning.Dec()
	}
}

func (m *Metrics) addInflight(n int64) {
	if m != nil {
		m.inflight.Add(float64(n))
	}
}

func (m *Metrics) addConnections(n int) {
	if m != nil {
		m.connections.Add(float64(n))
	}
}

func (m *Metrics) httpError(kind string) {
	if m != nil {
		m.httpErrors.WithLabelValues(kind).Inc()
	}
}
