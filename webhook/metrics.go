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
}

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
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.findings, m.latency, m.panics, m.cacheObjs, m.certExpiry, m.configLoads)
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
