package main

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TestConnPool: the lean client posts over keep-alive connections, reuses
// an idle one, dials again after the server closes one, and reports a
// status other than 200.
func TestConnPool(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("close") != "" {
			w.Header().Set("Connection", "close")
		}
		if r.URL.Query().Get("fail") != "" {
			http.Error(w, "no", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{"response":{"allowed":true}}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	defer srv.Close()
	p := &connPool{addr: srv.Listener.Addr().String(), tls: &tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs, ServerName: "example.com"},
		idle: make(chan *clientConn, 4)}
	req := func(query string) []byte {
		return fmt.Appendf(nil, "POST /validate?%s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", query)
	}
	for i := range 3 {
		data, err := p.post(req("a=1"))
		if err != nil || string(data) != `{"response":{"allowed":true}}` {
			t.Fatalf("post %d: %q, %v", i, data, err)
		}
		if out, err := verdictOf(data); err != nil || out != allowed {
			t.Fatalf("verdict %v, %v", out, err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("3 posts in a row opened %d connections, want 1", n)
	}
	if _, err := p.post(req("close=1")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.post(req("a=1")); err != nil {
		t.Fatal(err)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("after the server closed one, %d connections, want 2", n)
	}
	if _, err := p.post(req("fail=1")); err == nil {
		t.Error("HTTP 503 was not an error")
	}
}
