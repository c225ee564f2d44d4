package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"

	"golang.org/x/term"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/lint"
	"github.com/podlint/podlint/lint/output"
)

// Exit codes, a contract with users' scripts.
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitError    = 2
)

// Main runs podlint with args (without the program name) and returns the
// exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := ParseFlags(args)
	if err != nil {
		fmt.Fprintf(stderr, "podlint: %s\nRun podlint --help for usage.\n", output.Clean(err.Error()))
		return ExitError
	}
	switch {
	case cfg.Help:
		Usage(stdout)
		return ExitOK
	case cfg.Version:
		fmt.Fprintf(stdout, "podlint %s\n", Version())
		return ExitOK
	case cfg.ListChecks:
		return done(stderr, ListChecks(stdout, cfg.Output, checks.Catalogue()))
	case cfg.Explain != "":
		return done(stderr, Explain(stdout, checks.Lookup(cfg.Explain)))
	}

	checkCfg, err := loadConfig(ctx, cfg)
	if code, stop := interrupted(ctx, stderr); stop {
		return code
	}
	if err != nil {
		notice(stderr, err.Error())
		return ExitError
	}
	store, clusterErrs := clusterStore(ctx, cfg, stderr)
	if code, stop := interrupted(ctx, stderr); stop {
		return code
	}
	out, err := output.New(cfg.Output, output.Options{Color: useColor(cfg, stdout), Version: Version()})
	if err != nil {
		notice(stderr, err.Error())
		return ExitError
	}

	if slices.Contains(cfg.Paths, "-") && isTerminal(stdin) {
		// Without this, podlint - typed at a prompt looks hung.
		fmt.Fprintln(stderr, "podlint: reading manifests from standard input (a terminal); end with Ctrl-D, or stop with Ctrl-C")
	}
	// The report names the checks this engine ran, so that the output
	// describes those and no others.
	namespace := cfg.Namespace
	if namespace == "" && cfg.Live {
		// kubectl apply without -n uses the context's namespace; --live
		// reads the same kubeconfig.
		namespace = kubeconfigNamespace(cfg)
	}
	report := lint.Run(ctx, lint.Options{Paths: cfg.Paths, Stdin: stdin, Engine: checks.NewEngine(checkCfg), Store: store,
		MaxInputBytes: cfg.MaxInputBytes, Namespace: namespace, Kustomize: cfg.Kustomize, Helm: cfg.Helm})
	if code, stop := interrupted(ctx, stderr); stop {
		// The report is partial; printing it would pass for a result.
		return code
	}
	// A snapshot or a live read that failed leaves the manifests linted
	// without that knowledge; the error comes first, as it explains any
	// cluster check that stayed silent.
	report.Errors = append(clusterErrs, report.Errors...)
	if err := out.Write(stdout, report); err != nil {
		notice(stderr, "writing output: "+err.Error())
		return ExitError
	}
	return ExitCode(cfg, report)
}

// notice prints a line on stderr with control characters escaped: it
// may hold file names and cluster data.
func notice(stderr io.Writer, msg string) {
	fmt.Fprintf(stderr, "podlint: %s\n", output.Clean(msg))
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// ExitCode is 2 when an input could not be read or parsed (the findings
// are incomplete), else 1 when a finding reaches the --fail-on threshold.
func ExitCode(cfg *Config, r *lint.Report) int {
	if len(r.Errors) > 0 {
		return ExitError
	}
	for _, f := range r.Findings {
		if cfg.FailOn.Fails(f.Severity) {
			return ExitFindings
		}
	}
	return ExitOK
}

func done(stderr io.Writer, err error) int {
	if err != nil {
		notice(stderr, err.Error())
		return ExitError
	}
	return ExitOK
}

// loadConfig reads --config, or .podlint.yaml when it exists, and applies
// --enable and --disable on top: --enable replaces the file's enable list,
// --disable adds to its disable list.
func loadConfig(ctx context.Context, cfg *Config) (*checks.Config, error) {
	name, explicit := cfg.ConfigFile, cfg.ConfigFile != ""
	if !explicit {
		name = checks.ConfigFileName
	}
	c := checks.DefaultConfig()
	data, err := lint.ReadFile(ctx, name, cfg.MaxInputBytes)
	switch {
	case err == nil:
		if c, err = checks.ParseConfig(data); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	case explicit || !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("reading configuration %s: %w", name, pathless(err))
	}
	if len(cfg.Enable) > 0 {
		c.Enabled = map[string]bool{}
		for _, id := range cfg.Enable {
			c.Enabled[id] = true
		}
	}
	if len(cfg.Disable) > 0 && c.Disabled == nil {
		c.Disabled = map[string]bool{}
	}
	for _, id := range cfg.Disable {
		c.Disabled[id] = true
	}
	return c, nil
}

// useColor follows https://no-color.org: any non-empty NO_COLOR wins, and
// colour is only for a terminal, never for a pipe or a file.
func useColor(cfg *Config, stdout io.Writer) bool {
	if cfg.NoColor || cfg.Output != "text" || os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
