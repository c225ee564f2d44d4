package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// Path is where the webhook serves admission reviews.
const Path = "/validate"

// prefixBytes of every body are read before the in-flight budget is
// consulted: enough to find the uid (the API server writes it first) and
// answer, the same order of memory a connection's buffers take anyway.
const prefixBytes = 4 << 10

// writeGrace is how long past the deadline an answer may take to write,
// so that a client that stops reading cannot hold the request.
const writeGrace = time.Second

// HTTPOptions configure the HTTP side of the webhook.
type HTTPOptions struct {
	// MaxRequestBytes caps one AdmissionReview body; a larger one is
	// allowed unchecked (default DefaultOptions' value).
	MaxRequestBytes int64
	// MaxInflightBytes caps the request bodies held in memory at once.
	// Bytes count from when they are read until the request's checks have
	// finished, past the deadline if they overrun it, since the decoded
	// object lives that long. A body that would pass the cap is allowed
	// unchecked. Default DefaultOptions' value, at least MaxRequestBytes.
	MaxInflightBytes int64
	// Timeout is the per-request deadline, from when the headers have been
	// read: the body must have arrived and the checks finished by then. The
	// API server's own deadline (its timeout query parameter) less a margin
	// shortens it when that comes sooner (requestBudget).
	// Default: the Handler's timeout.
	Timeout time.Duration
	// Metrics count what was not checked (default: the Handler's).
	Metrics *Metrics
	// Log is the base of every request's logger (default
	// controller-runtime's "admission" logger).
	Log *logr.Logger
}

// NewHTTPHandler wraps h for the webhook server with a body cap of
// maxBytes and the other HTTPOptions at their defaults.
func NewHTTPHandler(h admission.Handler, maxBytes int64) http.Handler {
	return NewHTTPHandlerWith(h, HTTPOptions{MaxRequestBytes: maxBytes})
}

// NewHTTPHandlerWith wraps h for the webhook server. It gives every
// request a deadline for reading its body, reads the body against the
// in-flight budget before anything is decoded, and answers "allowed" (with
// the uid, when it can be read) instead of the HTTP error controller-runtime
// would return for a body it does not take, since an error from a policy
// webhook must never be what blocks a deploy.
func NewHTTPHandlerWith(h admission.Handler, o HTTPOptions) http.Handler {
	d := DefaultOptions()
	if hh, ok := h.(*Handler); ok {
		if o.Timeout <= 0 {
			o.Timeout = hh.timeout
		}
		if o.Metrics == nil {
			o.Metrics = hh.metrics
		}
	}
	if o.Timeout <= 0 {
		o.Timeout = d.Timeout
	}
	if o.MaxRequestBytes <= 0 {
		o.MaxRequestBytes = d.MaxRequestBytes
	}
	if o.MaxInflightBytes <= 0 {
		o.MaxInflightBytes = d.MaxInflightBytes
	}
	o.MaxInflightBytes = max(o.MaxInflightBytes, o.MaxRequestBytes)
	recoverPanic := false // Handler recovers its own panics and allows.
	wh := &admission.Webhook{Handler: h, RecoverPanic: &recoverPanic}
	if o.Log != nil {
		base := *o.Log
		// The handler names the request once per log line; the default
		// constructor would add namespace, name and user a second time.
		wh.LogConstructor = func(logr.Logger, *admission.Request) logr.Logger { return base }
	} else {
		wh.LogConstructor = func(base logr.Logger, _ *admission.Request) logr.Logger { return base }
	}
	lg := log.Log.WithName("admission")
	if o.Log != nil {
		lg = *o.Log
	}
	return &limitedHandler{next: wh, wh: wh, log: lg, limit: newLogLimiter(), max: o.MaxRequestBytes, timeout: o.Timeout, metrics: o.Metrics,
		budget: &budget{max: o.MaxInflightBytes, metrics: o.Metrics}}
}

type limitedHandler struct {
	// next serves what decodeReview declines; wh answers what it reads.
	next http.Handler
	wh   *admission.Webhook
	// log and limit are for requests not checked, a few lines a second.
	log     logr.Logger
	limit   *logLimiter
	max     int64
	timeout time.Duration
	metrics *Metrics
	budget  *budget
}

func (l *limitedHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	budget := requestBudget(l.timeout, r)
	deadline := arrived.Add(budget)
	// Deadlines on the connection, not only the context: a context cannot
	// interrupt a Read that waits for a client sending a byte every few
	// seconds. Recorders in tests do not support them; the server does.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(deadline)
	_ = rc.SetWriteDeadline(deadline.Add(writeGrace))
	ctx, cancel := context.WithDeadline(r.Context(), deadline)
	defer cancel()

	res := l.budget.reserve()
	defer res.done()
	// The body is not closed here: the server discards or cuts off what
	// is left after the answer, without holding it up.
	body, err := readBody(r, l.max, res)
	switch {
	case errors.Is(err, errTooLarge):
		l.unchecked(w, body, reasonTooLarge, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("podlint: object larger than %d bytes; it was not checked", l.max))
		return
	case errors.Is(err, errNoBudget):
		l.unchecked(w, body, reasonMemory, http.StatusServiceUnavailable,
			"podlint: too many large requests at once; this object was not checked")
		return
	case isTimeout(err):
		// Past the deadline there is no one left to answer: the API
		// server has given up, or this was never the API server.
		l.notChecked(reasonReadTimeout, "request body not received in time")
		http.Error(w, "request body not received in time", http.StatusRequestTimeout)
		return
	case err != nil:
		l.notChecked(reasonReadError, err.Error())
		http.Error(w, "reading request: "+err.Error(), http.StatusBadRequest)
		return
	}
	// The connection's read deadline was for the body. Left in place, it
	// would fail the server's background read (which watches for the
	// client going away) at the deadline and cancel the request as if the
	// client had left; the context's deadline is what ends the checks.
	_ = rc.SetReadDeadline(time.Time{})
	ctx = withArrival(withReservation(ctx, res), arrival{at: arrived, budget: budget})
	if req, gvk, ok := decodeReview(body, r.Header.Get("Content-Type")); ok {
		// controller-runtime's Handle: the logger, the panic policy and
		// Complete (uid, status) as on its own path.
		resp := l.wh.Handle(ctx, req)
		w.Header().Set("Content-Type", "application/json")
		if err := writeReview(w, resp, gvk); err != nil {
			l.metrics.httpError(httpErrorOther) // the client went away: nothing to answer
		}
		return
	}
	r = r.WithContext(ctx)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	l.next.ServeHTTP(w, r)
}

// unchecked answers "allowed, not checked" for a body that was not taken,
// with the uid read from its prefix. Without a uid no answer is valid; the
// API server treats the HTTP error as a webhook failure, which
// failurePolicy Ignore admits.
func (l *limitedHandler) unchecked(w http.ResponseWriter, prefix []byte, reason string, code int, warning string) {
	l.notChecked(reason, warning)
	uid, ok := requestUID(prefix)
	if !ok {
		http.Error(w, strings.TrimPrefix(warning, "podlint: "), code)
		return
	}
	resp := admissionv1.AdmissionReview{
		Response: &admissionv1.AdmissionResponse{UID: uid, Allowed: true, Warnings: []string{warning}},
	}
	resp.APIVersion, resp.Kind = "admission.k8s.io/v1", "AdmissionReview"
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// notChecked counts a request answered without its checks and logs it,
// a few lines a second at most.
func (l *limitedHandler) notChecked(reason, detail string) {
	l.metrics.notChecked(reason)
	if ok, suppressed := l.limit.take(); ok {
		l.log.Info("not checked", "reason", reason, "detail", detail, "suppressed", suppressed)
	}
}

var (
	errTooLarge = errors.New("request body too large")
	errNoBudget = errors.New("in-flight byte budget exhausted")
)

// readBody reads r's body up to limit bytes, taking from res every byte of
// buffer it grows beyond prefixBytes. On errTooLarge and errNoBudget it
// returns what it has read, which starts with the uid.
func readBody(r *http.Request, limit int64, res *reservation) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	want := limit + 1 // one more than allowed tells "too large" from "exactly limit"
	if r.ContentLength > limit {
		// Declared too large: read only what finding the uid needs.
		want = prefixBytes
	} else if r.ContentLength >= 0 {
		want = r.ContentLength
	}
	buf := make([]byte, 0, min(want, prefixBytes))
	for {
		if int64(len(buf)) == want {
			break
		}
		if len(buf) == cap(buf) {
			// Grow by doubling, as the data arrives: a client that
			// trickles a large body holds only what it has sent.
			next := min(want, max(2*int64(cap(buf)), prefixBytes))
			if grow := next - max(int64(cap(buf)), prefixBytes); grow > 0 && !res.take(grow) {
				return buf, errNoBudget
			}
			nb := make([]byte, len(buf), next)
			copy(nb, buf)
			buf = nb
		}
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return buf, err
		}
	}
	if int64(len(buf)) > limit || r.ContentLength > limit {
		return buf, errTooLarge
	}
	return buf, nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// budget is the in-flight byte budget shared by all requests.
type budget struct {
	max     int64
	used    atomic.Int64
	metrics *Metrics
}

func (b *budget) reserve() *reservation {
	r := &reservation{b: b}
	r.refs.Store(1)
	return r
}

// reservation is one request's share of the budget. It is returned when
// its last holder is done: the HTTP handler when it has answered, the
// checks when they return (which may be later).
type reservation struct {
	b    *budget
	n    atomic.Int64
	refs atomic.Int32
}

// take adds n bytes, or reports false if the budget has not got them.
func (r *reservation) take(n int64) bool {
	for {
		used := r.b.used.Load()
		if used+n > r.b.max {
			return false
		}
		if r.b.used.CompareAndSwap(used, used+n) {
			r.n.Add(n)
			r.b.metrics.addInflight(n)
			return true
		}
	}
}

// hold adds a holder; nil-safe, like done, for handlers called without
// the HTTP layer.
func (r *reservation) hold() {
	if r != nil {
		r.refs.Add(1)
	}
}

func (r *reservation) done() {
	if r == nil || r.refs.Add(-1) != 0 {
		return
	}
	n := r.n.Swap(0)
	r.b.used.Add(-n)
	r.b.metrics.addInflight(-n)
}

// apiTimeout is the API server's deadline for a webhook call: it sends it
// on every call as the timeout query parameter (?timeout=3s, the
// configuration's timeoutSeconds) and stops waiting when it runs out.
func apiTimeout(r *http.Request) (time.Duration, bool) {
	v := r.URL.Query().Get("timeout")
	if v == "" {
		return 0, false
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, false
	}
	return d, true
}

// requestBudget is how long a request may take from its arrival: the
// webhook's --timeout, or the API server's own timeout less a margin when
// that is sooner. The margin leaves time to write the answer and for it to
// reach the API server before it gives up: an answer that comes after the
// API server's timeout admits the object silently (failurePolicy Ignore),
// while one just before it says "not checked" and is counted.
func requestBudget(timeout time.Duration, r *http.Request) time.Duration {
	api, ok := apiTimeout(r)
	if !ok {
		return timeout
	}
	return min(timeout, max(api-deadlineMargin(api), api/2))
}

// deadlineMargin is a tenth of the API server's timeout, between 50 ms and
// 500 ms: 300 ms of the usual 3 s.
func deadlineMargin(api time.Duration) time.Duration {
	return min(max(api/10, 50*time.Millisecond), 500*time.Millisecond)
}

// arrival is when a request arrived and the budget it was given.
type arrival struct {
	at     time.Time
	budget time.Duration
}

type arrivalKey struct{}

func withArrival(ctx context.Context, a arrival) context.Context {
	return context.WithValue(ctx, arrivalKey{}, a)
}

func arrivalFrom(ctx context.Context) (arrival, bool) {
	a, ok := ctx.Value(arrivalKey{}).(arrival)
	return a, ok
}

type reservationKey struct{}

func withReservation(ctx context.Context, r *reservation) context.Context {
	return context.WithValue(ctx, reservationKey{}, r)
}

func reservationFrom(ctx context.Context) *reservation {
	r, _ := ctx.Value(reservationKey{}).(*reservation)
	return r
}

// requestUID reads request.uid from the start of a (possibly cut off)
// AdmissionReview. The API server writes uid first, so the prefix holds it.
func requestUID(body []byte) (types.UID, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", false
	}
	inRequest := false
	for {
		t, err := dec.Token()
		if err != nil {
			return "", false
		}
		key, ok := t.(string)
		if !ok {
			return "", false
		}
		switch {
		case !inRequest && key == "request":
			if t, err := dec.Token(); err != nil || t != json.Delim('{') {
				return "", false
			}
			inRequest = true
		case inRequest && key == "uid":
			var uid string
			if err := dec.Decode(&uid); err != nil || uid == "" {
				return "", false
			}
			return types.UID(uid), true
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return "", false
			}
		}
	}
}
