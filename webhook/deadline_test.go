package webhook

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

func TestRequestBudget(t *testing.T) {
	tests := []struct {
		query   string
		timeout time.Duration
		want    time.Duration
	}{
		{"", 2 * time.Second, 2 * time.Second},
		// The usual timeoutSeconds: 3 leaves --timeout in charge.
		{"timeout=3s", 2 * time.Second, 2 * time.Second},
		{"timeout=10s", 2 * time.Second, 2 * time.Second},
		// A shorter API server timeout wins, less a tenth of it.
		{"timeout=1s", 2 * time.Second, 900 * time.Millisecond},
		{"timeout=3s", 10 * time.Second, 2700 * time.Millisecond},
		// The margin stays between 50 ms and 500 ms.
		{"timeout=30s", time.Minute, 29500 * time.Millisecond},
		{"timeout=200ms", time.Second, 150 * time.Millisecond},
		// and never takes more than half.
		{"timeout=60ms", time.Second, 30 * time.Millisecond},
		// What is not a positive duration is ignored.
		{"timeout=3", 2 * time.Second, 2 * time.Second},
		{"timeout=-1s", 2 * time.Second, 2 * time.Second},
		{"timeout=0s", 2 * time.Second, 2 * time.Second},
		{"timeout=", 2 * time.Second, 2 * time.Second},
	}
	for _, tc := range tests {
		r := httptest.NewRequest(http.MethodPost, Path+"?"+tc.query, nil)
		if got := requestBudget(tc.timeout, r); got != tc.want {
			t.Errorf("requestBudget(%s, ?%s) = %s, want %s", tc.timeout, tc.query, got, tc.want)
		}
	}
}

// TestAPIServerTimeoutWins: with a --timeout longer than the API server's
// own timeout, a slow check is answered "not checked" before the API
// server's timeout (which would otherwise admit the object silently), the
// answer is counted as unchecked{reason=timeout}, and the latency histogram
// counts from the request's arrival.
func TestAPIServerTimeoutWins(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	slow := &checks.Check{ID: "test-stuck", Severity: checks.Error, Run: func(p *checks.Pass) {
		if p.Target.Spec.Containers[0].Image == "stuck" {
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
		}
	}}
	eng := &checks.Engine{Checks: append(testChecks(), slow), Config: checks.DefaultConfig()}
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	h := NewHandler(HandlerOptions{Engine: func() *checks.Engine { return eng }, Inventory: cluster.New().Inventory,
		Mode: Enforce, Timeout: 10 * time.Second, Metrics: m})
	srv := NewHTTPHandler(h, 1<<20)

	const api = time.Second
	// The body takes 300 ms to arrive: the deadline and the latency
	// count from the arrival of the headers, not from the decoded review.
	body := &delayedReader{r: bytes.NewReader(review(t, reviewOpts{object: podJSON(t, "p", "stuck")})), delay: 300 * time.Millisecond}
	r := httptest.NewRequestWithContext(context.Background(), http.MethodPost, Path+"?timeout=1s", body)
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	begin := time.Now()
	srv.ServeHTTP(w, r)
	took := time.Since(begin)
	if took >= api || took < api-deadlineMargin(api)-20*time.Millisecond {
		t.Errorf("answered after %s; want %s, before the API server's %s", took, api-deadlineMargin(api), api)
	}
	if !strings.Contains(w.Body.String(), `"allowed":true`) || !strings.Contains(w.Body.String(), "checks did not finish within 900ms") {
		t.Errorf("answer %s, want allowed with the 900ms deadline warning", w.Body.String())
	}
	if got := counterValue(m.unchecked.WithLabelValues(reasonTimeout)); got != 1 {
		t.Errorf("unchecked{reason=timeout} = %v, want 1", got)
	}
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range fams {
		if !strings.HasSuffix(f.GetName(), "request_duration_seconds") {
			continue
		}
		for _, mm := range f.Metric {
			if h := mm.GetHistogram(); h != nil && h.GetSampleCount() == 1 {
				found = true
				if s := h.GetSampleSum(); s < 0.85 {
					t.Errorf("latency recorded %.3fs, want it from arrival (about 0.9s, not 0.6s from the decoded review)", s)
				}
			}
		}
	}
	if !found {
		t.Error("no latency sample recorded")
	}
}

// delayedReader waits before its first byte.
type delayedReader struct {
	r       *bytes.Reader
	delay   time.Duration
	started bool
}

func (d *delayedReader) Read(p []byte) (int, error) {
	if !d.started {
		d.started = true
		time.Sleep(d.delay)
	}
	return d.r.Read(p)
}
