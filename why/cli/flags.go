package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/podlint/podlint/why"
)

// Config is the parsed command line of podlint why.
type Config struct {
	// From are the --from files ("-" is stdin); Live reads the cluster.
	From []string
	Live bool
	// Kubeconfig and KubeContext select the cluster for --live.
	Kubeconfig, KubeContext string
	LiveTimeout             time.Duration
	// Namespace is -n; AllNamespaces is -A.
	Namespace     string
	AllNamespaces bool
	// Output is text or json (with --list-causes also markdown).
	Output string
	// FailOn is stuck, unknown or none.
	FailOn string
	// NoLogs turns off reading crashed containers' logs with --live;
	// LogLines is how many lines are read.
	NoLogs   bool
	LogLines int64
	// ListCauses prints the rule table and exits.
	ListCauses bool
	Help       bool
	// Targets are the TARGET arguments; a Namespace of "" is filled in
	// by Main (-n, the kubeconfig's namespace, or "default").
	Targets []why.Target
}

// UsageError is a command-line mistake: exit 2 with a hint.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// FailOnLevels are the values of --fail-on: any stuck object, only stuck
// objects without a known cause, or never.
func FailOnLevels() []string { return []string{"stuck", "unknown", "none"} }

func newFlagSet(cfg *Config) *pflag.FlagSet {
	fs := pflag.NewFlagSet("podlint why", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.StringArrayVar(&cfg.From, "from", nil, "read the cluster from this file: kubectl get pods,events,nodes,... -A -o json|yaml (repeatable; - reads stdin)")
	fs.BoolVar(&cfg.Live, "live", false, "read the cluster from the API server (read-only, paginated list calls; never Secrets)")
	fs.StringVar(&cfg.Kubeconfig, "kubeconfig", "", "kubeconfig file for --live (default $KUBECONFIG or ~/.kube/config)")
	fs.StringVar(&cfg.KubeContext, "context", "", "kubeconfig context for --live (default the current context)")
	fs.DurationVar(&cfg.LiveTimeout, "live-timeout", 0, "time limit for all --live calls together (default "+why.DefaultLiveTimeout.String()+")")
	fs.StringVarP(&cfg.Namespace, "namespace", "n", "", "namespace of the TARGETs, or to look in without TARGET (default: the kubeconfig's namespace with --live, all namespaces of the dump with --from)")
	fs.BoolVarP(&cfg.AllNamespaces, "all-namespaces", "A", false, "look in every namespace")
	fs.StringVarP(&cfg.Output, "output", "o", "text", "output format: "+strings.Join(why.Formats(), ", ")+" (with --list-causes: text, json, markdown)")
	fs.StringVar(&cfg.FailOn, "fail-on", "stuck", "what makes the exit code 1: "+strings.Join(FailOnLevels(), ", ")+" (stuck: anything stuck; unknown: something stuck without a known cause)")
	fs.BoolVar(&cfg.NoLogs, "no-logs", false, "with --live, do not read crashed containers' previous logs (pods/log) for log hints")
	fs.Int64Var(&cfg.LogLines, "log-lines", 50, "with --live, how many lines of a crashed container's previous log to read")
	fs.BoolVar(&cfg.ListCauses, "list-causes", false, "print the causes podlint why knows and exit")
	fs.BoolVarP(&cfg.Help, "help", "h", false, "print this help and exit")
	return fs
}

// ParseFlags parses the arguments after "why". It does no I/O.
func ParseFlags(args []string) (*Config, error) {
	cfg := &Config{}
	fs := newFlagSet(cfg)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			cfg.Help = true
			return cfg, nil
		}
		return nil, &UsageError{Err: err}
	}
	if cfg.Help {
		return cfg, nil
	}
	if cfg.ListCauses {
		if !slices.Contains(why.CauseFormats(), cfg.Output) {
			return nil, usageErrorf("invalid --output %q with --list-causes (want %s)", cfg.Output, strings.Join(why.CauseFormats(), ", "))
		}
		return cfg, nil
	}
	if !slices.Contains(why.Formats(), cfg.Output) {
		return nil, usageErrorf("invalid --output %q (want %s)", cfg.Output, strings.Join(why.Formats(), ", "))
	}
	if !slices.Contains(FailOnLevels(), cfg.FailOn) {
		return nil, usageErrorf("invalid --fail-on %q (want %s)", cfg.FailOn, strings.Join(FailOnLevels(), ", "))
	}
	switch {
	case cfg.Live && len(cfg.From) > 0:
		return nil, usageErrorf("--live and --from cannot be combined")
	case !cfg.Live && len(cfg.From) == 0:
		return nil, usageErrorf("say where the cluster is: --live, or --from FILE (kubectl get pods,events,nodes,namespaces,daemonsets,deployments,replicasets,statefulsets,jobs,cronjobs,leases -A -o json > FILE)")
	}
	if !cfg.Live {
		for _, f := range []string{"kubeconfig", "context", "live-timeout", "no-logs", "log-lines"} {
			if fs.Changed(f) {
				return nil, usageErrorf("--%s needs --live", f)
			}
		}
	}
	if cfg.LiveTimeout < 0 || fs.Changed("live-timeout") && cfg.LiveTimeout == 0 {
		return nil, usageErrorf("--live-timeout must be positive, got %s", cfg.LiveTimeout)
	}
	if cfg.LogLines <= 0 {
		return nil, usageErrorf("--log-lines must be positive, got %d", cfg.LogLines)
	}
	if cfg.AllNamespaces && fs.Changed("namespace") {
		return nil, usageErrorf("-n/--namespace and -A/--all-namespaces cannot be combined")
	}
	for _, a := range fs.Args() {
		t, err := ParseTarget(a, cfg.Namespace)
		if err != nil {
			return nil, err
		}
		cfg.Targets = append(cfg.Targets, t)
	}
	if cfg.AllNamespaces && len(cfg.Targets) > 0 {
		for _, t := range cfg.Targets {
			if t.Kind != why.KindNamespace && t.Namespace == "" {
				return nil, usageErrorf("%s: with -A, name the namespace: NAMESPACE/NAME, or -n NAMESPACE KIND/NAME", targetArg(t))
			}
		}
	}
	return cfg, nil
}

// kinds maps what kubectl accepts for a kind (singular, plural, short
// name) to the kind.
func kinds() map[string]string {
	m := map[string]string{}
	for kind, names := range map[string][]string{
		why.KindPod:         {"pod", "pods", "po"},
		why.KindDeployment:  {"deployment", "deployments", "deploy"},
		why.KindStatefulSet: {"statefulset", "statefulsets", "sts"},
		why.KindDaemonSet:   {"daemonset", "daemonsets", "ds"},
		why.KindReplicaSet:  {"replicaset", "replicasets", "rs"},
		why.KindJob:         {"job", "jobs"},
		why.KindCronJob:     {"cronjob", "cronjobs", "cj"},
		why.KindNamespace:   {"namespace", "namespaces", "ns"},
	} {
		for _, n := range names {
			m[n] = kind
		}
	}
	return m
}

// ParseTarget reads NAME (a pod), NAMESPACE/NAME (a pod), or KIND/NAME
// (KIND as kubectl spells it: deploy, deployment.apps, sts, ...).
func ParseTarget(arg, namespace string) (why.Target, error) {
	first, name, found := strings.Cut(arg, "/")
	if !found {
		if arg == "" {
			return why.Target{}, usageErrorf("empty TARGET")
		}
		return why.Target{Kind: why.KindPod, Namespace: namespace, Name: arg}, nil
	}
	if first == "" || name == "" || strings.Contains(name, "/") {
		return why.Target{}, usageErrorf("invalid TARGET %q (want NAME, NAMESPACE/NAME or KIND/NAME)", arg)
	}
	k := strings.ToLower(first)
	if i := strings.IndexByte(k, '.'); i >= 0 {
		k = k[:i] // deployment.apps, jobs.batch
	}
	if kind, ok := kinds()[k]; ok {
		if kind == why.KindNamespace {
			return why.Target{Kind: kind, Name: name}, nil
		}
		return why.Target{Kind: kind, Namespace: namespace, Name: name}, nil
	}
	if strings.Contains(first, ".") {
		return why.Target{}, usageErrorf("invalid TARGET %q: unknown kind %q (want pod, deployment, statefulset, daemonset, replicaset, job, cronjob or namespace)", arg, first)
	}
	if namespace != "" && namespace != first {
		return why.Target{}, usageErrorf("TARGET %q names namespace %q but -n says %q", arg, first, namespace)
	}
	return why.Target{Kind: why.KindPod, Namespace: first, Name: name}, nil
}

func targetArg(t why.Target) string {
	return strings.ToLower(t.Kind) + "/" + t.Name
}

// Usage writes the help text.
func Usage(w io.Writer) {
	fs := newFlagSet(&Config{})
	fmt.Fprintf(w, `podlint why explains pods that are already stuck (Pending, ContainerCreating,
ImagePullBackOff, CrashLoopBackOff, Terminating, ...) and workloads whose pods
are missing: the cause, the status fields and events it rests on, the fix, and
the podlint findings that would have caught it before deploy.

Usage:
  podlint why --live [flags] [TARGET...]
  podlint why --from FILE [--from FILE...] [flags] [TARGET...]
  kubectl podlint why [flags] [TARGET...]      (installed as kubectl-podlint)

TARGET is NAME (a pod in -n), NAMESPACE/NAME (a pod), or KIND/NAME with KIND one
of pod, deployment (deploy), statefulset (sts), daemonset (ds), replicaset (rs),
job, cronjob (cj), namespace (ns). Without TARGET: every stuck pod and every
workload whose pods are missing, in -n NAMESPACE or -A.

A dump for --from:
  kubectl get pods,events,nodes,namespaces,daemonsets,deployments,replicasets,statefulsets,jobs,cronjobs,leases -A -o json > cluster.json

Flags:
%s
Exit codes: 0 nothing stuck (or nothing at --fail-on), 1 something stuck,
2 usage error, an unreadable input or a TARGET that does not exist.
`, fs.FlagUsages())
}
