package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/podlint/podlint/why"
)

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		arg, ns string
		want    why.Target
		err     string
	}{
		{arg: "web-7d9c8-x2k4f", ns: "shop", want: why.Target{Kind: "Pod", Namespace: "shop", Name: "web-7d9c8-x2k4f"}},
		{arg: "web-7d9c8-x2k4f", want: why.Target{Kind: "Pod", Name: "web-7d9c8-x2k4f"}},
		{arg: "shop/web-7d9c8-x2k4f", want: why.Target{Kind: "Pod", Namespace: "shop", Name: "web-7d9c8-x2k4f"}},
		{arg: "deploy/web", ns: "shop", want: why.Target{Kind: "Deployment", Namespace: "shop", Name: "web"}},
		{arg: "deployment.apps/web", want: why.Target{Kind: "Deployment", Name: "web"}},
		{arg: "Deployments/web", want: why.Target{Kind: "Deployment", Name: "web"}},
		{arg: "sts/db", want: why.Target{Kind: "StatefulSet", Name: "db"}},
		{arg: "ds/node-exporter", want: why.Target{Kind: "DaemonSet", Name: "node-exporter"}},
		{arg: "rs/web-5b9d6c7f8", want: why.Target{Kind: "ReplicaSet", Name: "web-5b9d6c7f8"}},
		{arg: "job/nightly", want: why.Target{Kind: "Job", Name: "nightly"}},
		{arg: "cj/nightly", want: why.Target{Kind: "CronJob", Name: "nightly"}},
		{arg: "pod/web-1", want: why.Target{Kind: "Pod", Name: "web-1"}},
		{arg: "ns/old-team", ns: "shop", want: why.Target{Kind: "Namespace", Name: "old-team"}},
		{arg: "namespace/old-team", want: why.Target{Kind: "Namespace", Name: "old-team"}},
		{arg: "shop/web", ns: "other", err: `names namespace "shop" but -n says "other"`},
		{arg: "services.v1/web", err: `unknown kind "services.v1"`},
		{arg: "deploy/", err: "invalid TARGET"},
		{arg: "/web", err: "invalid TARGET"},
		{arg: "a/b/c", err: "invalid TARGET"},
	} {
		got, err := ParseTarget(tc.arg, tc.ns)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseTarget(%q, %q) error %v, want %q", tc.arg, tc.ns, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseTarget(%q, %q) = %+v, %v; want %+v", tc.arg, tc.ns, got, err, tc.want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	cfg, err := ParseFlags([]string{"--from", "a.json", "--from", "b.yaml", "-n", "shop", "-o", "json", "--fail-on", "unknown", "deploy/web", "web-1"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.From, ",") != "a.json,b.yaml" || cfg.Namespace != "shop" || cfg.Output != "json" || cfg.FailOn != "unknown" || len(cfg.Targets) != 2 ||
		cfg.Targets[0] != (why.Target{Kind: "Deployment", Namespace: "shop", Name: "web"}) {
		t.Errorf("parsed %+v", cfg)
	}
	cfg, err = ParseFlags([]string{"--live", "--kubeconfig", "k", "--context", "c", "-A", "--no-logs", "--live-timeout", "5s"})
	if err != nil || !cfg.Live || !cfg.AllNamespaces || !cfg.NoLogs || cfg.Kubeconfig != "k" || cfg.KubeContext != "c" || cfg.LiveTimeout.Seconds() != 5 {
		t.Errorf("parsed %+v, %v", cfg, err)
	}
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{nil, "say where the cluster is"},
		{[]string{"--live", "--from", "x"}, "cannot be combined"},
		{[]string{"--from", "x", "--kubeconfig", "k"}, "--kubeconfig needs --live"},
		{[]string{"--from", "x", "--no-logs"}, "--no-logs needs --live"},
		{[]string{"--from", "x", "-o", "sarif"}, `invalid --output "sarif"`},
		{[]string{"--from", "x", "--fail-on", "error"}, `invalid --fail-on "error"`},
		{[]string{"--from", "x", "-n", "a", "-A"}, "cannot be combined"},
		{[]string{"--from", "x", "-A", "web"}, "with -A, name the namespace"},
		{[]string{"--live", "--live-timeout", "0s"}, "must be positive"},
		{[]string{"--live", "--log-lines", "0"}, "must be positive"},
		{[]string{"--from", "x", "--bogus"}, "unknown flag"},
		{[]string{"--list-causes", "-o", "sarif"}, "with --list-causes"},
	} {
		_, err := ParseFlags(tc.args)
		var ue *UsageError
		if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ParseFlags(%q) error %v, want a usage error with %q", tc.args, err, tc.err)
		}
	}
	if cfg, err := ParseFlags([]string{"-h"}); err != nil || !cfg.Help {
		t.Errorf("-h: %+v, %v", cfg, err)
	}
}

// TestMainErrors: usage errors, unreadable inputs and unknown targets exit
// 2 with a message; a bad object does not stop the others.
func TestMainErrors(t *testing.T) {
	code, _, stderr := run(t)
	if code != ExitError || !strings.Contains(stderr, "say where the cluster is") || !strings.Contains(stderr, "--help") {
		t.Errorf("no source: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = run(t, "--from", "does-not-exist.json")
	if code != ExitError || !strings.Contains(stderr, "does-not-exist.json: reading: no such file or directory") {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = run(t, "--from", "../testdata/healthy.yaml", "-n", "shop", "deploy/nope")
	if code != ExitError || !strings.Contains(stderr, "deployment/nope in namespace shop: not found") {
		t.Errorf("unknown target: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = run(t, "--from", "../testdata/healthy.yaml", "sts/db")
	if code != ExitError || !strings.Contains(stderr, "no StatefulSet objects in the input") {
		t.Errorf("kind not in dump: exit %d, stderr %q", code, stderr)
	}
	code, stdout, stderr := run(t, "--from", "../testdata/healthy.yaml", "-n", "shop", "deploy/web")
	if code != ExitOK || !strings.Contains(stdout, "deployment/web in namespace shop: nothing stuck") {
		t.Errorf("healthy target: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "-h")
	if code != ExitOK || !strings.Contains(stdout, "kubectl podlint why") {
		t.Errorf("help: exit %d, %q", code, stdout)
	}
}

// TestFailOn: --fail-on stuck, unknown, none.
func TestFailOn(t *testing.T) {
	for _, tc := range []struct {
		fixture, failOn string
		want            int
	}{
		{"oom-killed.yaml", "stuck", ExitStuck},
		{"oom-killed.yaml", "unknown", ExitOK},
		{"oom-killed.yaml", "none", ExitOK},
		{"unknown.yaml", "unknown", ExitStuck},
		{"healthy.yaml", "stuck", ExitOK},
	} {
		if code, _, stderr := run(t, "--from", "../testdata/"+tc.fixture, "--fail-on", tc.failOn); code != tc.want {
			t.Errorf("%s --fail-on %s: exit %d, want %d (%s)", tc.fixture, tc.failOn, code, tc.want, stderr)
		}
	}
}

// TestTargets: a Deployment target diagnoses its pods through its
// ReplicaSets; a pod target only that pod; -n narrows a dump.
func TestTargets(t *testing.T) {
	code, stdout, stderr := run(t, "--from", "../testdata/host-port-in-use.yaml", "-n", "shop", "deploy/ingress")
	if code != ExitStuck || !strings.Contains(stdout, "Pod shop/ingress-7f6d8c9b5-j7k8l: Pending") || !strings.Contains(stdout, "4 pods examined") {
		t.Errorf("deploy target: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "--from", "../testdata/host-port-in-use.yaml", "shop/ingress-7f6d8c9b5-a1b2c")
	if code != ExitOK || !strings.Contains(stdout, "Nothing stuck (1 pod examined)") {
		t.Errorf("running pod target: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = run(t, "--from", "../testdata/host-port-in-use.yaml", "-n", "default")
	if code != ExitOK || !strings.Contains(stdout, "Nothing stuck (0 pods examined)") {
		t.Errorf("-n default: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = run(t, "--from", "../testdata/quota-exceeded.yaml", "-n", "shop", "deploy/web")
	if code != ExitStuck || !strings.Contains(stdout, "Deployment shop/web: NotCreated") || !strings.Contains(stdout, "quota-exceeded") {
		t.Errorf("NotCreated deploy target: exit %d\n%s", code, stdout)
	}
}
