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
			"--watch-nodes=false", "--port=8443", "--enable-http2", "--extra-dns-names=localhost,a.b", "-v=2"},
			want: func(o *Options) {
				o.Mode, o.ConfigFile, o.CertMode, o.CertDir, o.Namespace = Warn, "/etc/podlint/.podlint.yaml", CertExternal, "/certs", "ns"
				o.Timeout, o.MaxConcurrency, o.Port, o.EnableHTTP2, o.Verbosity = 500*time.Millisecond, 3, 8443, true, 2
				o.Watch[cluster.Secrets], o.Watch[cluster.Nodes] = false, false
				o.ExtraDNSNames = []string{"localhost", "a.b"}
				o.Kubeconfig = "/home/me/.kube/config"
			}},
		{name: "bad mode", args: []string{"--mode=off"}, wantErr: `--mode "off": want enforce or warn`},
		{name: "bad cert mode", args: []string{"--cert-mode=magic"}, wantErr: `--cert-mode "magic"`},
		{name: "zero timeout", args: []string{"--timeout=0s"}, wantErr: "--timeout must be positive"},
		{name: "zero concurrency", args: []string{"--max-concurrency=0"}, wantErr: "--max-concurrency must be at least 1"},
		{name: "stray argument", args: []string{"x"}, wantErr: "unexpected arguments"},
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
