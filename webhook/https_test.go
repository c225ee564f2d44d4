package webhook

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

// tlsHook is the webhook's HTTPS server and admission handler, built by
// the functions NewServer builds them with, serving on a loopback port
// with a test certificate: the real path of a review minus the API server.
type tlsHook struct {
	addr    string
	roots   *x509.CertPool
	h       *Handler
	metrics *Metrics
	logs    *syncBuffer
	client  *http.Client
}

// startTLSHook serves o (Timeout, MaxConcurrency, ... as the flags set
// them) with the test checks plus extra, until the test ends.
func startTLSHook(t *testing.T, o *Options, maxOverruns int, extra ...*checks.Check) *tlsHook {
	t.Helper()
	cert, roots := testServingCert(t)
	o.BindAddress = "127.0.0.1:0"
	k := &tlsHook{roots: roots, metrics: NewMetrics(prometheus.NewRegistry()), logs: &syncBuffer{}}
	lg := NewLogger(o, k.logs)
	ws, err := newWebhookServer(o, "", func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return cert, nil }, k.metrics, lg)
	if err != nil {
		t.Fatal(err)
	}
	eng := &checks.Engine{Checks: append(testChecks(), extra...), Config: checks.DefaultConfig()}
	k.h = serveAdmission(ws, o, HandlerOptions{
		Engine: func() *checks.Engine { return eng }, Inventory: cluster.New().Inventory,
		Metrics: k.metrics, MaxOverruns: maxOverruns,
	}, lg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ws.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server: %v", err)
			}
		case <-time.After(40 * time.Second):
			t.Error("server did not stop")
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for ws.Addr() == nil {
		if time.Now().After(deadline) {
			t.Fatal("server did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	k.addr = ws.Addr().String()
	tr := &http.Transport{TLSClientConfig: k.tlsConfig()}
	t.Cleanup(tr.CloseIdleConnections)
	k.client = &http.Client{Transport: tr}
	return k
}

func (k *tlsHook) tlsConfig() *tls.Config {
	return &tls.Config{RootCAs: k.roots, ServerName: "127.0.0.1"}
}

// post sends an AdmissionReview over HTTPS and returns the answer and how
// long it took.
func (k *tlsHook) post(t *testing.T, body []byte) (*admissionv1.AdmissionResponse, []byte, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+k.addr+Path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := k.client.Do(req)
	if err != nil {
		t.Fatalf("review: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	elapsed := time.Since(start)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("review: HTTP %d %v: %s", resp.StatusCode, err, raw)
	}
	var ar admissionv1.AdmissionReview
	if err := json.Unmarshal(raw, &ar); err != nil || ar.Response == nil {
		t.Fatalf("no AdmissionReview answer (%v): %s", err, raw)
	}
	return ar.Response, raw, elapsed
}

// TestHTTPSSlowClients: connections that send their headers and then a
// body byte every two seconds, or their headers that slowly, are cut off
// by the request's deadline (the header timeout) instead of staying open,
// while ordinary reviews keep being checked and answered in time and
// memory stays bounded.
func TestHTTPSSlowClients(t *testing.T) {
	o := DefaultOptions()
	o.Timeout = time.Second
	k := startTLSHook(t, o, 0)
	const slowBodies, slowHeaders = 200, 20

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stopSampling:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()

	type slow struct {
		header bool
		open   time.Duration // longest a connection stayed open once its trickle began
		rounds int
		err    error
	}
	// The connection the reviews use exists before the attack, so that
	// what is timed below is the answer, not a handshake among hundreds.
	k.post(t, review(t, reviewOpts{object: podJSON(t, "p", "good")}))
	results := make([]slow, slowBodies+slowHeaders)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range results {
		r := &results[i]
		r.header = i >= slowBodies
		wg.Go(func() {
			// Each attacker comes back when cut off, for at most 5 rounds,
			// until the reviews are done.
			for r.rounds = 1; r.rounds <= 5; r.rounds++ {
				open, err := slowClient(k, r.header)
				r.open = max(r.open, open)
				if err != nil {
					r.err = err
					return
				}
				select {
				case <-stop:
					return
				case <-time.After(time.Second):
				}
			}
		})
	}

	// Meanwhile, ordinary reviews are checked (a denial, not an
	// "overload" allow) and answered within the deadline.
	reviews := 0
	for end := time.Now().Add(4 * time.Second); time.Now().Before(end); reviews++ {
		resp, _, took := k.post(t, review(t, reviewOpts{object: podJSON(t, "p", "error-img")}))
		if resp.Allowed {
			t.Errorf("review %d during the slow clients was not checked: warnings %q", reviews, resp.Warnings)
		}
		if took > o.Timeout+raceSlack*time.Second {
			t.Errorf("review %d answered after %s; the deadline is %s", reviews, took, o.Timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	close(stopSampling)
	<-sampled

	for i, r := range results {
		// The request deadline or the header timeout, and slack for a
		// loaded machine (and -race); without them a connection stays
		// open as long as it trickles, 20 s here.
		limit := o.Timeout + raceSlack*4*time.Second
		if r.header {
			limit = headerTimeout + raceSlack*4*time.Second
		}
		switch {
		case r.err != nil:
			t.Errorf("slow client %d (headers=%v): %v", i, r.header, r.err)
		case r.open > limit:
			t.Errorf("slow client %d (headers=%v) kept its connection %s, want under %s", i, r.header, r.open, limit)
		}
	}
	if grew := int64(peak.Load()) - int64(before.HeapInuse); grew > 64<<20 {
		t.Errorf("heap grew by %d MiB under %d slow connections, want under 64 MiB", grew>>20, len(results))
	}
	// Each body cut off at the deadline is counted (on a loaded machine a
	// few may be cut at the header timeout first).
	rounds := 0
	for _, r := range results[:slowBodies] {
		rounds += min(r.rounds, 5)
	}
	if got := counterValue(k.metrics.unchecked.WithLabelValues(reasonReadTimeout)); got < float64(rounds)/2 || got > float64(rounds) {
		t.Errorf("unchecked{reason=read-timeout} = %v, want about %d (one per slow body)", got, rounds)
	}
	// Each review above is held to the deadline; the count only proves
	// reviews kept flowing (under -race on a busy 2-core machine the 220
	// handshakes leave time for a few).
	if reviews < 2 {
		t.Errorf("only %d reviews answered in 4 s", reviews)
	}
	t.Logf("%d reviews answered during %d slow connections; heap peak +%d KiB", reviews, len(results), (int64(peak.Load())-int64(before.HeapInuse))>>10)
}

// slowClient opens a TLS connection and trickles a request, one byte every
// two seconds for at most 20 seconds. It returns how long the server kept
// the connection open once the trickle began (headers) or the headers
// were complete (body); a server that cut it off even sooner (a busy
// machine may take the header timeout to get there) counts as closed.
func slowClient(k *tlsHook, header bool) (time.Duration, error) {
	begin := time.Now()
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", k.addr, k.tlsConfig())
	if err != nil {
		return 0, fmt.Errorf("dial: %w", err)
	}
	defer conn.Close()
	trickle := "{"
	if header {
		trickle = "x"
		_, err = io.WriteString(conn, "POST "+Path+" HTTP/1.1\r\nHost: hook\r\nX-Slow: ")
	} else {
		_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: hook\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", Path, 1<<20)
	}
	if err != nil {
		return time.Since(begin), nil
	}
	start := time.Now()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for range 10 {
			if _, err := io.WriteString(conn, trickle); err != nil {
				return
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Second):
			}
		}
	}()
	// Whatever the server says (a 408, or nothing), it must then close.
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err = io.Copy(io.Discard, conn)
	if isTimeout(err) {
		return time.Since(start), fmt.Errorf("still open after %s", time.Since(start))
	}
	return time.Since(start), nil
}

// TestHTTPSAnswerByTheDeadline: a check that runs far past the deadline
// does not hold the answer, nor the request's slot; it is counted as an
// overrun until it returns, and too many overruns stop new checks.
func TestHTTPSAnswerByTheDeadline(t *testing.T) {
	release := make(chan struct{})
	var running atomic.Int32
	stuck := &checks.Check{ID: "test-stuck", Severity: checks.Error, Run: func(p *checks.Pass) {
		if p.Target.Spec.Containers[0].Image != "stuck" {
			return
		}
		running.Add(1)
		defer running.Add(-1)
		select {
		case <-release:
		case <-time.After(30 * time.Second):
		}
	}}
	o := DefaultOptions()
	o.Timeout = 300 * time.Millisecond
	o.MaxConcurrency = 1
	k := startTLSHook(t, o, 2, stuck)
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()

	// Larger than the free prefix, so that its bytes are counted.
	big := func(p *corev1.Pod) { p.Annotations = map[string]string{"note": strings.Repeat("n", 16<<10)} }
	resp, _, took := k.post(t, review(t, reviewOpts{object: podJSON(t, "p", "stuck", big)}))
	if !resp.Allowed || len(resp.Warnings) != 1 || !strings.Contains(resp.Warnings[0], "did not finish within 300ms") {
		t.Fatalf("stuck check: allowed=%v warnings=%q", resp.Allowed, resp.Warnings)
	}
	if took < o.Timeout-50*time.Millisecond || took > o.Timeout+raceSlack*1500*time.Millisecond {
		t.Errorf("answered after %s; want the deadline, %s", took, o.Timeout)
	}
	if running.Load() != 1 {
		t.Fatalf("%d stuck checks running, want 1 (answered without waiting for it)", running.Load())
	}
	// The one slot is free again although the check runs on: the next
	// review is checked, not refused as an overload.
	resp, _, _ = k.post(t, review(t, reviewOpts{object: podJSON(t, "q", "error-img")}))
	if resp.Allowed {
		t.Errorf("review after an overrun was not checked: warnings %q", resp.Warnings)
	}
	if got := counterValue(k.metrics.overruns); got != 1 {
		t.Errorf("overruns = %v, want 1", got)
	}
	if got := gaugeValue(k.metrics.overrunning); got != 1 {
		t.Errorf("overrunning = %v, want 1", got)
	}
	if got := gaugeValue(k.metrics.inflight); got <= 0 {
		t.Errorf("inflight bytes = %v while the overrunning check holds its object, want > 0", got)
	}
	// A second overrun reaches the cap of 2: the next review is not
	// checked, and says why.
	k.post(t, review(t, reviewOpts{object: podJSON(t, "r", "stuck")}))
	resp, _, _ = k.post(t, review(t, reviewOpts{object: podJSON(t, "s", "error-img")}))
	if !resp.Allowed || len(resp.Warnings) != 1 || !strings.Contains(resp.Warnings[0], "still running past their deadline") {
		t.Errorf("with 2 overruns: allowed=%v warnings=%q, want a backlog allow", resp.Allowed, resp.Warnings)
	}
	close(release)
	deadline := time.Now().Add(10 * time.Second)
	for gaugeValue(k.metrics.overrunning) != 0 || gaugeValue(k.metrics.inflight) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("after the checks returned: overrunning=%v inflight=%v, want 0 and 0",
				gaugeValue(k.metrics.overrunning), gaugeValue(k.metrics.inflight))
		}
		time.Sleep(10 * time.Millisecond)
	}
	for reason, want := range map[string]float64{reasonTimeout: 2, reasonBacklog: 1, reasonOverload: 0} {
		if got := counterValue(k.metrics.unchecked.WithLabelValues(reason)); got != want {
			t.Errorf("unchecked{reason=%s} = %v, want %v", reason, got, want)
		}
	}
	resp, _, _ = k.post(t, review(t, reviewOpts{object: podJSON(t, "t", "error-img")}))
	if resp.Allowed {
		t.Errorf("review after the overruns ended was not checked: %q", resp.Warnings)
	}
}

// TestHTTPSDenialCapped: a Pod with 5,000 broken containers gets a denial
// of bounded size that still names the first problems and counts the rest.
func TestHTTPSDenialCapped(t *testing.T) {
	o := DefaultOptions()
	o.Timeout = 20 * time.Second // decoding 5,000 containers on a busy machine
	k := startTLSHook(t, o, 0)
	const n = 5000
	pod := podJSON(t, "many", "", func(p *corev1.Pod) {
		p.Spec.Containers = make([]corev1.Container, n)
		for i := range p.Spec.Containers {
			p.Spec.Containers[i] = corev1.Container{Name: fmt.Sprintf("c%d", i), Image: fmt.Sprintf("error-%d-%s", i, strings.Repeat("x", 40))}
		}
	})
	resp, raw, _ := k.post(t, review(t, reviewOpts{object: pod}))
	if resp.Allowed || resp.Result == nil || resp.Result.Details == nil {
		t.Fatalf("not denied: allowed=%v warnings=%q", resp.Allowed, resp.Warnings)
	}
	if len(raw) > 64<<10 {
		t.Errorf("response of %d bytes, want under 64 KiB", len(raw))
	}
	msg := resp.Result.Message
	if len(msg) > denialMaxMessage {
		t.Errorf("message of %d bytes, want at most %d", len(msg), denialMaxMessage)
	}
	causes := resp.Result.Details.Causes
	if len(causes) != denialMaxCauses+1 {
		t.Fatalf("%d causes, want %d and one saying how many more", len(causes), denialMaxCauses+1)
	}
	if !strings.Contains(msg, `spec.containers[0].image: image "error-0-`) || causes[0].Field != "spec.containers[0].image" {
		t.Errorf("the first problem is not shown first: %q / %+v", msg[:min(len(msg), 200)], causes[0])
	}
	want := fmt.Sprintf("podlint: and %d more problem(s) not shown", n-denialMaxCauses)
	if last := causes[len(causes)-1]; last.Message != want {
		t.Errorf("last cause %q, want %q", last.Message, want)
	}
	if !strings.HasSuffix(msg, want) {
		t.Errorf("message does not end with %q: …%s", want, msg[max(0, len(msg)-200):])
	}
	if got := strings.Count(msg, "[test-error]"); got != denialMaxCauses {
		t.Errorf("message lists %d problems, want %d", got, denialMaxCauses)
	}
}

// TestHTTPSErrorLogAndDenialLog: handshake failures are JSON log lines,
// rate-limited and all counted; a denial's log line names each key once.
func TestHTTPSErrorLogAndDenialLog(t *testing.T) {
	o := DefaultOptions()
	k := startTLSHook(t, o, 0)
	const bad = 60
	for range bad {
		// A client that does not trust the certificate aborts the
		// handshake; the server logs it.
		conn, err := tls.Dial("tcp", k.addr, &tls.Config{ServerName: "127.0.0.1"})
		if err == nil {
			conn.Close()
			t.Fatal("handshake with an untrusted certificate succeeded")
		}
	}
	body := review(t, reviewOpts{object: podJSON(t, "p", "error-img"), user: "alice"})
	if resp, _, _ := k.post(t, body); resp.Allowed {
		t.Fatal("not denied")
	}
	deadline := time.Now().Add(5 * time.Second)
	for counterValue(k.metrics.httpErrors.WithLabelValues(httpErrorTLS)) < bad && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := counterValue(k.metrics.httpErrors.WithLabelValues(httpErrorTLS)); got != bad {
		t.Errorf("http_errors{type=tls-handshake} = %v, want %d", got, bad)
	}
	handshakes, denials := 0, 0
	sc := bufio.NewScanner(strings.NewReader(k.logs.String()))
	for sc.Scan() {
		line := sc.Text()
		keys, err := jsonKeys(line)
		if err != nil {
			t.Errorf("log line is not a JSON object (%v): %q", err, line)
			continue
		}
		for key, n := range keys {
			if n > 1 {
				t.Errorf("key %q %d times in %s", key, n, line)
			}
		}
		switch {
		case strings.Contains(line, `"TLS handshake failed"`):
			handshakes++
		case strings.Contains(line, `"decision":"denied"`):
			denials++
			for _, key := range []string{"uid", "kind", "namespace", "name", "user", "message"} {
				if keys[key] != 1 {
					t.Errorf("denial line lacks %q: %s", key, line)
				}
			}
		}
	}
	// Burst, plus one a second for a test that takes a few.
	if handshakes == 0 || handshakes > errorLogBurst+5 {
		t.Errorf("%d handshake lines for %d failures, want between 1 and %d", handshakes, bad, errorLogBurst+5)
	}
	if denials != 1 {
		t.Errorf("%d denial lines, want 1:\n%s", denials, k.logs.String())
	}
}

// TestErrorLogRateLimit: the burst is logged, the rest counted, and the
// first line after a quiet second says how many were left out.
func TestErrorLogRateLimit(t *testing.T) {
	var buf syncBuffer
	m := NewMetrics(prometheus.NewRegistry())
	e := newErrorLog(NewLogger(DefaultOptions(), &buf), m)
	now := time.Unix(1000, 0)
	e.limit.now = func() time.Time { return now }
	for i := range 1000 {
		fmt.Fprintf(e, "http: TLS handshake error from 10.0.0.%d:1234: EOF\n", i%250)
	}
	now = now.Add(errorLogEvery)
	fmt.Fprintf(e, "http: superfluous response.WriteHeader call\n")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != errorLogBurst+1 {
		t.Fatalf("%d lines logged, want %d", len(lines), errorLogBurst+1)
	}
	var last map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	if last["suppressed"] != float64(1000-errorLogBurst) || last["type"] != httpErrorOther {
		t.Errorf("last line %v, want type other and suppressed %d", last, 1000-errorLogBurst)
	}
	if got := counterValue(m.httpErrors.WithLabelValues(httpErrorTLS)); got != 1000 {
		t.Errorf("tls-handshake errors counted %v, want 1000", got)
	}
}

// jsonKeys counts the top-level keys of a JSON object.
func jsonKeys(line string) (map[string]int, error) {
	dec := json.NewDecoder(strings.NewReader(line))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not an object")
	}
	keys := map[string]int{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys[t.(string)]++
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

func gaugeValue(g prometheus.Gauge) float64 {
	var m dto.Metric
	if err := g.Write(&m); err != nil {
		panic(err)
	}
	return m.GetGauge().GetValue()
}

// syncBuffer is a bytes.Buffer safe for a logger and a test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testServingCert is a self-signed certificate for 127.0.0.1 and the pool
// that trusts it.
func testServingCert(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "podlint test"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestHTTPSInflightBudget: bodies count against --max-inflight-bytes until
// their checks finish; a body that would pass it, or --max-request-bytes,
// is allowed unchecked with its uid, and small reviews go on being checked.
func TestHTTPSInflightBudget(t *testing.T) {
	release := make(chan struct{})
	hold := &checks.Check{ID: "test-hold", Run: func(p *checks.Pass) {
		if p.Target.Spec.Containers[0].Image == "hold" {
			<-release
		}
	}}
	o := DefaultOptions()
	o.Timeout = 20 * time.Second
	o.MaxRequestBytes, o.MaxInflightBytes = 64<<10, 64<<10
	k := startTLSHook(t, o, 0, hold)
	big := func(p *corev1.Pod) { p.Annotations = map[string]string{"note": strings.Repeat("n", 40<<10)} }

	held := make(chan *admissionv1.AdmissionResponse, 1)
	go func() {
		resp, _, _ := k.post(t, review(t, reviewOpts{object: podJSON(t, "held", "hold", big)}))
		held <- resp
	}()
	deadline := time.Now().Add(10 * time.Second)
	for gaugeValue(k.metrics.inflight) < 32<<10 {
		if time.Now().After(deadline) {
			close(release)
			t.Fatalf("inflight bytes %v, want the held request's", gaugeValue(k.metrics.inflight))
		}
		time.Sleep(10 * time.Millisecond)
	}
	resp, _, _ := k.post(t, review(t, reviewOpts{object: podJSON(t, "second", "error-img", big)}))
	if !resp.Allowed || resp.UID != "uid-1" || len(resp.Warnings) != 1 || !strings.Contains(resp.Warnings[0], "too many large requests") {
		t.Errorf("second large request: allowed=%v uid=%q warnings=%q, want an unchecked allow", resp.Allowed, resp.UID, resp.Warnings)
	}
	if resp, _, _ := k.post(t, review(t, reviewOpts{object: podJSON(t, "small", "error-img")})); resp.Allowed {
		t.Errorf("small request while the budget is taken was not checked: %q", resp.Warnings)
	}
	resp, _, _ = k.post(t, review(t, reviewOpts{object: podJSON(t, "huge", "error-img", func(p *corev1.Pod) {
		p.Annotations = map[string]string{"note": strings.Repeat("n", 100<<10)}
	})}))
	if !resp.Allowed || resp.UID != "uid-1" || len(resp.Warnings) != 1 || !strings.Contains(resp.Warnings[0], "larger than 65536 bytes") {
		t.Errorf("oversize request: allowed=%v uid=%q warnings=%q", resp.Allowed, resp.UID, resp.Warnings)
	}
	close(release)
	if r := <-held; !r.Allowed || len(r.Warnings) != 0 {
		t.Errorf("held request: %+v", r)
	}
	for reason, want := range map[string]float64{reasonMemory: 1, reasonTooLarge: 1} {
		if got := counterValue(k.metrics.unchecked.WithLabelValues(reason)); got != want {
			t.Errorf("unchecked{reason=%s} = %v, want %v", reason, got, want)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); gaugeValue(k.metrics.inflight) != 0; {
		if time.Now().After(deadline) {
			t.Fatalf("inflight bytes %v after every request ended, want 0", gaugeValue(k.metrics.inflight))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestHTTPSClientGone: when the API server gives up on a request (it
// closes the connection at timeoutSeconds), the request ends at once,
// counted as cancelled, and its check as an overrun.
func TestHTTPSClientGone(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	stuck := &checks.Check{ID: "test-stuck", Run: func(p *checks.Pass) {
		if p.Target.Spec.Containers[0].Image == "stuck" {
			select {
			case <-release:
			case <-time.After(30 * time.Second):
			}
		}
	}}
	o := DefaultOptions()
	o.Timeout = 20 * time.Second
	k := startTLSHook(t, o, 0, stuck)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+k.addr+Path, bytes.NewReader(review(t, reviewOpts{object: podJSON(t, "p", "stuck")})))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	// The client gives up after 300 ms. The server then answers
	// "cancelled" at once; the answer may still reach a client whose
	// transport had not torn the connection down yet, and then it must
	// be that one, not a verdict or a timeout.
	if resp, err := k.client.Do(req); err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Contains(body, []byte("request cancelled before the checks finished")) {
			t.Fatalf("answered although the check is stuck and the deadline 20s away: HTTP %d %s", resp.StatusCode, body)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for counterValue(k.metrics.unchecked.WithLabelValues(reasonCancelled)) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("unchecked{reason=cancelled} = %v 5s after the client left, want 1",
				counterValue(k.metrics.unchecked.WithLabelValues(reasonCancelled)))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := gaugeValue(k.metrics.overrunning); got != 1 {
		t.Errorf("overrunning = %v, want 1", got)
	}
}
