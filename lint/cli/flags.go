package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/validation"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster/snapshot"
	"github.com/podlint/podlint/lint"
	"github.com/podlint/podlint/lint/helm"
	"github.com/podlint/podlint/lint/output"
)

// Config is the parsed command line. Fields are grouped by the flag that
// sets them; a new flag adds a field here and a line in defineFlags.
type Config struct {
	// Output is the format: text, json, sarif or github (and markdown
	// with --list-checks).
	Output string
	// FailOn is --fail-on, parsed when the flag is read.
	FailOn FailOn
	// ConfigFile is --config; empty means .podlint.yaml in the working
	// directory when it exists.
	ConfigFile string
	// Enable and Disable are check IDs from --enable and --disable.
	Enable, Disable []string
	ListChecks      bool
	// Explain is the check ID given to --explain.
	Explain string
	Version bool
	NoColor bool
	// Help is set by -h/--help; Main prints the usage and exits 0.
	Help bool
	// Paths are the inputs; "-" is stdin. Never empty after ParseFlags.
	Paths []string
	// Kustomize is --kustomize: auto renders kustomizations, never
	// reads their files one by one.
	Kustomize lint.KustomizeMode
	// Namespace is -n/--namespace: the namespace of the apply for
	// objects that name none, as kubectl's -n.
	Namespace string

	// Cluster knowledge (cluster/snapshot): --cluster-snapshot files, and
	// --live reads with --kubeconfig, --context and --live-timeout;
	// --write-snapshot saves what --live read.
	ClusterSnapshots []string
	Live             bool
	Kubeconfig       string
	KubeContext      string
	LiveTimeout      time.Duration
	WriteSnapshot    string
	// SecretKeys is the secret-keys opt-in for --live: Secrets are listed
	// whole and only their key names are kept.
	SecretKeys bool

	// MaxInputBytes caps every read (inputs, stdin, --config,
	// --cluster-snapshot); 0 means lint.DefaultMaxInputBytes.
	MaxInputBytes int64

	// Helm charts: --helm (auto renders them, never does not), and the
	// `helm template` flags -f/--values, --set, --release-name and
	// --kube-version (-n is Namespace).
	Helm lint.HelmOptions
}

// UsageError is a command-line mistake; Main prints it with a hint and
// exits 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

const failOnNone = "none"

// FailOn says which findings make the exit code 1: those at or above
// Severity, or none at all. It is a pflag.Value, so the flag is parsed
// once, when it is read.
type FailOn struct {
	Severity checks.Severity
	// None is --fail-on none: findings never fail the run.
	None bool
}

// failOnSeverities are the --fail-on levels besides none, strictest first.
func failOnSeverities() []checks.Severity {
	return []checks.Severity{checks.Error, checks.Warning, checks.Info}
}

func failOnLevels() []string {
	var out []string
	for _, s := range failOnSeverities() {
		out = append(out, s.String())
	}
	return append(out, failOnNone)
}

func (f *FailOn) String() string {
	if f.None {
		return failOnNone
	}
	return f.Severity.String()
}

// Set implements pflag.Value. It accepts exactly the words the help lists.
func (f *FailOn) Set(word string) error {
	if word == failOnNone {
		*f = FailOn{None: true}
		return nil
	}
	for _, s := range failOnSeverities() {
		if word == s.String() {
			*f = FailOn{Severity: s}
			return nil
		}
	}
	return usageErrorf("invalid --fail-on %q (want %s)", word, strings.Join(failOnLevels(), ", "))
}

// Type implements pflag.Value; the help shows the flag's argument as a
// string, like the other word-valued flags.
func (*FailOn) Type() string { return "string" }

// Fails tells whether a finding of severity s makes the exit code 1.
func (f FailOn) Fails(s checks.Severity) bool {
	return !f.None && s >= f.Severity
}

func newFlagSet(cfg *Config) *pflag.FlagSet {
	fs := pflag.NewFlagSet("podlint", pflag.ContinueOnError)
	// Main prints errors itself, with the hint to --help.
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	defineFlags(fs, cfg)
	return fs
}

func defineFlags(fs *pflag.FlagSet, cfg *Config) {
	fs.StringVarP(&cfg.Output, "output", "o", "text", "output format: "+strings.Join(output.Formats(), ", ")+" (with --list-checks: text, json, markdown)")
	cfg.FailOn = FailOn{Severity: checks.Error} // the default, as StringVar sets one
	fs.Var(&cfg.FailOn, "fail-on", "lowest severity that makes the exit code 1: "+strings.Join(failOnLevels(), ", "))
	fs.StringVarP(&cfg.Namespace, "namespace", "n", "", "namespace the objects without one are applied to, as kubectl apply -n (default: unknown; with --live, the kubeconfig context's)")
	fs.StringVar(&cfg.ConfigFile, "config", "", "configuration file (default "+checks.ConfigFileName+" in the working directory, when present)")
	fs.StringSliceVar(&cfg.Enable, "enable", nil, "run only these checks (comma-separated IDs)")
	fs.StringSliceVar(&cfg.Disable, "disable", nil, "do not run these checks (comma-separated IDs)")
	fs.BoolVar(&cfg.ListChecks, "list-checks", false, "print the catalogue of checks and exit")
	fs.StringVar(&cfg.Explain, "explain", "", "print what a check catches, why, and how to fix it, then exit")
	fs.BoolVar(&cfg.Version, "version", false, "print the version and exit")
	fs.BoolVar(&cfg.NoColor, "no-color", false, "never colour the text output (NO_COLOR in the environment does the same)")
	fs.StringVar((*string)(&cfg.Kustomize), "kustomize", string(lint.KustomizeAuto), "directories holding a kustomization: auto renders them and lints the result, never reads their files one by one")
	fs.StringArrayVar(&cfg.ClusterSnapshots, "cluster-snapshot", nil, "cluster knowledge from a file written by kubectl get ... -A -o yaml|json or --write-snapshot (repeatable)")
	fs.BoolVar(&cfg.Live, "live", false, "read cluster knowledge from the API server (read-only, paginated list calls)")
	fs.StringVar(&cfg.Kubeconfig, "kubeconfig", "", "kubeconfig file for --live (default $KUBECONFIG or ~/.kube/config)")
	fs.StringVar(&cfg.KubeContext, "context", "", "kubeconfig context for --live (default the current context)")
	fs.DurationVar(&cfg.LiveTimeout, "live-timeout", 0, "time limit for all --live list calls together (default "+snapshot.DefaultLiveTimeout.String()+")")
	fs.StringVar(&cfg.WriteSnapshot, "write-snapshot", "", "with --live, save what was read (no Secret data) to this file for --cluster-snapshot; .yaml/.yml for YAML, else JSON")
	fs.BoolVar(&cfg.SecretKeys, "secret-keys", false, "with --live, list Secrets whole (their data crosses the wire to podlint) and keep only their key names, for secret-key-not-found against cluster Secrets; nothing is stored, printed or written to --write-snapshot")
	cfg.Helm.Mode = lint.HelmAuto
	fs.StringVar((*string)(&cfg.Helm.Mode), "helm", string(lint.HelmAuto), "directories holding a Helm chart (Chart.yaml): auto renders them as helm template does and lints the result, never reports each chart once without rendering it")
	fs.StringArrayVarP(&cfg.Helm.ValueFiles, "values", "f", nil, "values file for every chart, as helm template -f (repeatable; default: values.yaml, and each ci/*-values.yaml in turn when the chart has them)")
	fs.StringArrayVar(&cfg.Helm.Set, "set", nil, "value for every chart, as helm template --set K=V (repeatable)")
	fs.StringVar(&cfg.Helm.ReleaseName, "release-name", helm.DefaultReleaseName, "release name charts are rendered with (.Release.Name)")
	fs.StringVar(&cfg.Helm.KubeVersion, "kube-version", helm.DefaultKubeVersion, "Kubernetes version charts are rendered for (.Capabilities.KubeVersion)")
	fs.Var(&byteSize{&cfg.MaxInputBytes}, "max-input-bytes", "size limit of each file podlint reads (inputs, stdin, --config, --cluster-snapshot), such as 512Mi or 2Gi")
	fs.BoolVarP(&cfg.Help, "help", "h", false, "print this help and exit")
}

// ParseFlags parses podlint's arguments (without the program name). It
// does no I/O: whether the default config file exists is for Main to see.
// Errors are *UsageError.
func ParseFlags(args []string) (*Config, error) {
	cfg := &Config{}
	fs := newFlagSet(cfg)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			cfg.Help = true
			return cfg, nil
		}
		// An invalid --fail-on is already a UsageError with its message.
		var ue *UsageError
		if errors.As(err, &ue) {
			return nil, ue
		}
		return nil, &UsageError{Err: err}
	}
	if cfg.Help {
		return cfg, nil
	}
	cfg.Paths = fs.Args()
	if len(cfg.Paths) == 0 {
		cfg.Paths = []string{"."}
	}
	if cfg.ListChecks {
		if !slices.Contains(listFormats(), cfg.Output) {
			return nil, usageErrorf("invalid --output %q with --list-checks (want %s)", cfg.Output, strings.Join(listFormats(), ", "))
		}
	} else if !slices.Contains(output.Formats(), cfg.Output) {
		return nil, usageErrorf("invalid --output %q (want %s)", cfg.Output, strings.Join(output.Formats(), ", "))
	}
	if !slices.Contains(lint.KustomizeModes(), string(cfg.Kustomize)) {
		return nil, usageErrorf("invalid --kustomize %q (want %s)", cfg.Kustomize, strings.Join(lint.KustomizeModes(), ", "))
	}
	if cfg.ListChecks && cfg.Explain != "" {
		return nil, usageErrorf("--list-checks and --explain cannot be combined")
	}
	if cfg.Explain != "" {
		if err := validIDs("--explain", []string{cfg.Explain}); err != nil {
			return nil, err
		}
	}
	if !cfg.Live {
		for _, f := range []string{"kubeconfig", "context", "live-timeout", "write-snapshot", "secret-keys"} {
			if fs.Changed(f) {
				return nil, usageErrorf("--%s needs --live", f)
			}
		}
	}
	if fs.Changed("namespace") {
		if errs := validation.ValidateNamespaceName(cfg.Namespace, false); len(errs) > 0 {
			return nil, usageErrorf("invalid --namespace %q: %s", cfg.Namespace, strings.Join(errs, "; "))
		}
	}
	if !slices.Contains(lint.HelmModes(), string(cfg.Helm.Mode)) {
		return nil, usageErrorf("invalid --helm %q (want %s)", cfg.Helm.Mode, strings.Join(lint.HelmModes(), ", "))
	}
	if err := helm.CheckFlags(cfg.Helm.ReleaseName, cfg.Helm.KubeVersion); err != nil {
		return nil, usageErrorf("%v", err)
	}
	if cfg.Helm.Mode == lint.HelmNever {
		for _, f := range []string{"values", "set", "release-name", "kube-version"} {
			if fs.Changed(f) {
				return nil, usageErrorf("--%s renders charts: it cannot be combined with --helm=never", f)
			}
		}
	}
	if cfg.LiveTimeout < 0 || fs.Changed("live-timeout") && cfg.LiveTimeout == 0 {
		return nil, usageErrorf("--live-timeout must be positive, got %s", cfg.LiveTimeout)
	}
	cfg.Enable = trimIDs(cfg.Enable)
	cfg.Disable = trimIDs(cfg.Disable)
	if fs.Changed("enable") && len(cfg.Enable) == 0 {
		return nil, usageErrorf("--enable needs at least one check ID")
	}
	if err := validIDs("--enable", cfg.Enable); err != nil {
		return nil, err
	}
	if err := validIDs("--disable", cfg.Disable); err != nil {
		return nil, err
	}
	return cfg, nil
}

func trimIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// validIDs rejects unknown check IDs, listing the valid ones, because a
// mistyped --disable would otherwise silently disable nothing.
func validIDs(flag string, ids []string) error {
	var unknown []string
	for _, id := range ids {
		if checks.Lookup(id) == nil {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	catalogue := checks.Catalogue()
	valid := make([]string, 0, len(catalogue))
	for _, c := range catalogue {
		valid = append(valid, c.ID)
	}
	noun := "check"
	if len(unknown) > 1 {
		noun = "checks"
	}
	return usageErrorf("%s: unknown %s %s; valid checks: %s", flag, noun, quoteAll(unknown), strings.Join(valid, ", "))
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// Usage writes the help text.
func Usage(w io.Writer) {
	fs := newFlagSet(&Config{})
	fmt.Fprintf(w, `podlint finds manifest mistakes that leave pods stuck (Pending,
ContainerCreating, ImagePullBackOff, CrashLoopBackOff, ...) before they reach
a cluster, each at its file:line:column.

Usage:
  podlint [flags] [PATH...]     lint files and directories (default "."; "-" reads stdin)
  podlint --list-checks         print the catalogue
  podlint --explain CHECK-ID    explain one check

Flags:
%s
Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
2 usage error, bad configuration, or an input that could not be read or parsed.
`, fs.FlagUsages())
}
