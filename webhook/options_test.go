package webhook

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/podlint/podlint/cluster"
)

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		want    func(*Options)
		wantErr string
	}{
		{name: "defaults", args: nil, want: func(*Options) {}},
		{name: "everything", args: []string{"--mode=warn", "--config=/etc/podlint/.podlint.yaml", "--cert-mode=external",
			"--cert-dir=/certs", "--kubeconfig=/home/me/.kube/config", "--namespace=ns", "--timeout=500ms", "--max-concurrency=3", "--watch-secrets=false",
			"--watch-nodes=false", "--webhook-bind-address=127.0.0.1:8443", "--enable-http2", "--extra-dns-names=localhost,a.b,127.0.0.1", "-v=2",
			"--max-request-bytes=1048576", "--max-inflight-bytes=2097152", "--max-connections=10", "--trusted-controllers=system:serviceaccount:argo:*"},
			want: func(o *Options) {
				o.Mode, o.ConfigFile, o.CertMode, o.CertDir, o.Namespace = Warn, "/etc/podlint/.podlint.yaml", CertExternal, "/certs", "ns"
				o.Timeout, o.MaxConcurrency, o.BindAddress, o.EnableHTTP2, o.Verbosity = 500*time.Millisecond, 3, "127.0.0.1:8443", true, 2
				o.Watch[cluster.Secrets], o.Watch[cluster.Nodes] = false, false
				o.ExtraDNSNames = []string{"localhost", "a.b", "127.0.0.1"}
				o.MaxRequestBytes, o.MaxInflightBytes, o.MaxConnections = 1<<20, 2<<20, 10
				o.TrustedControllers = []string{"system:serviceaccount:argo:*"}
				o.Kubeconfig = "/home/me/.kube/config"
			}},
		{name: "bad mode", args: []string{"--mode=off"}, wantErr: `--mode "off": want enforce or warn`},
		{name: "bad cert mode", args: []string{"--cert-mode=magic"}, wantErr: `--cert-mode "magic"`},
		{name: "zero timeout", args: []string{"--timeout=0s"}, wantErr: "--timeout must be positive"},
		{name: "zero concurrency", args: []string{"--max-concurrency=0"}, wantErr: "--max-concurrency must be at least 1"},
		{name: "stray argument", args: []string{"x"}, wantErr: "unexpected arguments"},
		{name: "secret keys", args: []string{"--secret-keys"}, want: func(o *Options) { o.SecretKeys = true }},
		{name: "deny missing references", args: []string{"--missing-references=enforce"}, want: func(o *Options) { o.MissingReferences = Enforce }},
		{name: "bad missing references", args: []string{"--missing-references=deny"}, wantErr: `--missing-references "deny": want warn or enforce`},
		{name: "pprof", args: []string{"--pprof-bind-address=127.0.0.1:6060"}, want: func(o *Options) { o.PprofBindAddress = "127.0.0.1:6060" }},
		{name: "deprecated --port", args: []string{"--port=8443"}, want: func(o *Options) { o.Port = 8443 }},
		{name: "bind address without port", args: []string{"--webhook-bind-address=127.0.0.1"}, wantErr: "--webhook-bind-address"},
		{name: "bind address with a bad port", args: []string{"--webhook-bind-address=:https"}, wantErr: "bad port"},
		{name: "in-flight budget below the request cap", args: []string{"--max-request-bytes=2097152", "--max-inflight-bytes=1048576"}, wantErr: "--max-inflight-bytes"},
		{name: "zero connections", args: []string{"--max-connections=0"}, wantErr: "--max-connections must be at least 1"},
		{name: "unusable extra name", args: []string{"--extra-dns-names=bad_name"}, wantErr: `--extra-dns-names: "bad_name"`},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: "unknown flag: --nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseFlags(tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := DefaultOptions()
			tc.want(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
	if _, err := ParseFlags([]string{"-h"}); !errors.Is(err, pflag.ErrHelp) {
		t.Errorf("-h: %v, want pflag.ErrHelp", err)
	}
}

func TestWebhookAddress(t *testing.T) {
	for _, tc := range []struct {
		bind string
		port int
		want string
	}{
		{":9443", 0, ":9443"},
		{"127.0.0.1:9443", 0, "127.0.0.1:9443"},
		{"[::1]:9443", 0, "[::1]:9443"},
		{":9443", 8443, ":8443"},
		{"10.0.0.1:9443", 8443, "10.0.0.1:8443"},
	} {
		o := &Options{BindAddress: tc.bind, Port: tc.port}
		if got, err := o.WebhookAddress(); err != nil || got != tc.want {
			t.Errorf("bind %q port %d: %q, %v; want %q", tc.bind, tc.port, got, err, tc.want)
		}
	}
}
