package e2e

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/rest"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/webhook"
)

// stuckImage makes stuckCheck run until released (or 30 s).
const stuckImage = "podlint.test/stuck:1"

// stuckCheck is a check that runs far past any deadline on stuckImage,
// injected through ServerExtras.ExtraChecks.
func stuckCheck(release <-chan struct{}) *checks.Check {
	return &checks.Check{ID: "e2e-stuck", Severity: checks.Error, Run: func(p *checks.Pass) {
		for _, c := range p.Target.Containers() {
			if c.Container.Image == stuckImage {
				select {
				case <-release:
				case <-time.After(30 * time.Second):
				}
				return
			}
		}
	}}
}

// overload runs the request-path hardening against servers built from the
// command line: a check that overruns, and slow clients.
func overload(t *testing.T, cfg *rest.Config) {
	t.Run("slow check answered by the deadline", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		reg := prometheus.NewRegistry()
		h := runHook(t, cfg, []string{"--secret-name", "slow-check", "--timeout", "500ms"},
			func(_ *webhook.Options, x *webhook.ServerExtras) {
				x.ExtraChecks = []*checks.Check{stuckCheck(release)}
				x.Registry = reg
			})
		h.waitReady(t)
		begin := time.Now()
		r := h.review(t, typedDeployment("team", "stuck", func(s *corev1.PodSpec) { s.Containers[0].Image = stuckImage }), deploymentKind)
		took := time.Since(begin)
		if !r.Allowed || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "did not finish within 500ms") {
			t.Errorf("stuck check: allowed=%v warnings=%q", r.Allowed, r.Warnings)
		}
		// The handshake of a new connection is in it too.
		if took > 2500*time.Millisecond {
			t.Errorf("answered after %s with --timeout=500ms (the stuck check runs 30 s)", took)
		}
		// Checking goes on while the stuck check runs on.
		r = h.review(t, typedDeployment("team", "milli", func(s *corev1.PodSpec) { s.Containers[0].Resources = limits("1024m") }), deploymentKind)
		if r.Allowed || !findingIn(r, "memory-unit-milli") {
			t.Errorf("review next to an overrunning check: allowed=%v warnings=%q", r.Allowed, r.Warnings)
		}
		for name, want := range map[string]float64{
			`podlint_webhook_check_overruns_total`:                1,
			`podlint_webhook_checks_overrunning`:                  1,
			`podlint_webhook_unchecked_total{reason="timeout"}`:   1,
			`podlint_webhook_unchecked_total{reason="overload"}`:  0,
			`podlint_webhook_requests_total{decision="timeout"}`:  1,
			`podlint_webhook_requests_total{decision="overload"}`: 0,
		} {
			if got, err := gathered(reg, name); err != nil || got != want {
				t.Errorf("%s = %v (%v), want %v", name, got, err, want)
			}
		}
	})

	t.Run("slow clients are cut off", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		h := runHook(t, cfg, []string{"--secret-name", "slow-clients", "--timeout", "1s"},
			func(_ *webhook.Options, x *webhook.ServerExtras) { x.Registry = reg })
		h.waitReady(t)
		const bodies, headers = 100, 10
		open := make([]time.Duration, bodies+headers)
		errs := make([]error, bodies+headers)
		var wg sync.WaitGroup
		for i := range open {
			wg.Go(func() { open[i], errs[i] = trickle(h.addr, i >= bodies) })
		}
		milli := typedDeployment("team", "milli", func(s *corev1.PodSpec) { s.Containers[0].Resources = limits("1024m") })
		for end := time.Now().Add(3 * time.Second); time.Now().Before(end); {
			begin := time.Now()
			r := h.review(t, milli, deploymentKind)
			if r.Allowed {
				t.Errorf("review during the slow clients not checked: %q", r.Warnings)
			}
			if took := time.Since(begin); took > 2500*time.Millisecond {
				t.Errorf("review answered after %s with --timeout=1s", took)
			}
			time.Sleep(100 * time.Millisecond)
		}
		wg.Wait()
		for i := range open {
			// The request deadline for bodies, the 5 s header timeout for
			// headers, each with slack for a busy machine.
			limit := 5 * time.Second
			if i >= bodies {
				limit = 9 * time.Second
			}
			if errs[i] != nil || open[i] > limit {
				t.Errorf("slow client %d (headers=%v): open %s, want under %s (%v)", i, i >= bodies, open[i], limit, errs[i])
			}
		}
		if got, err := gathered(reg, `podlint_webhook_unchecked_total{reason="read-timeout"}`); err != nil || got < bodies/2 || got > bodies {
			t.Errorf("unchecked{reason=read-timeout} = %v (%v), want about %d", got, err, bodies)
		}
	})
}

// trickle opens a TLS connection to addr and sends a request a byte every
// two seconds (its headers, or its body after complete headers) for at
// most 20 s; it returns how long the server kept the connection open.
func trickle(addr string, headers bool) (time.Duration, error) {
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	b := "{"
	if headers {
		b = "x"
		_, err = io.WriteString(conn, "POST "+webhook.Path+" HTTP/1.1\r\nHost: hook\r\nX-Slow: ")
	} else {
		_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: hook\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", webhook.Path, 1<<20)
	}
	if err != nil {
		// Cut off before the request was even sent: closed.
		return 0, nil
	}
	begin := time.Now()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for range 10 {
			if _, err := io.WriteString(conn, b); err != nil {
				return
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Second):
			}
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err = io.Copy(io.Discard, conn)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return time.Since(begin), errors.New("never closed by the server")
	}
	return time.Since(begin), nil
}

// gathered reads one series from reg, written as name{label="value",...}
// with the labels it must have (others may differ; their values are
// summed).
func gathered(reg *prometheus.Registry, series string) (float64, error) {
	name, want := series, map[string]string{}
	if i := strings.IndexByte(series, '{'); i >= 0 {
		name = series[:i]
		for _, kv := range strings.Split(strings.TrimSuffix(series[i+1:], "}"), ",") {
			k, v, _ := strings.Cut(kv, "=")
			want[k] = strings.Trim(v, `"`)
		}
	}
	fams, err := reg.Gather()
	if err != nil {
		return 0, err
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		sum := 0.0
	next:
		for _, m := range f.Metric {
			for k, v := range want {
				found := false
				for _, l := range m.Label {
					found = found || (l.GetName() == k && l.GetValue() == v)
				}
				if !found {
					continue next
				}
			}
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
		return sum, nil
	}
	return 0, fmt.Errorf("%s not registered", name)
}

// jsonKeys counts the top-level keys of a JSON log line.
func jsonKeys(line string) (map[string]int, error) {
	dec := json.NewDecoder(strings.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	keys := map[string]int{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys[tok.(string)]++
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}
