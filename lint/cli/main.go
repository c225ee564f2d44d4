package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

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
		fmt.Fprintf(stderr, "podlint: %v\nRun podlint --help for usage.\n", err)
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

	checkCfg, err := loadConfig(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "podlint: %v\n", err)
		return ExitError
	}
	store, err := clusterStore(ctx, cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "podlint: %v\n", err)
		return ExitError
	}
	out, err := output.New(cfg.Output, output.Options{Color: useColor(cfg, stdout), Version: Version()})
	if err != nil {
		fmt.Fprintf(stderr, "podlint: %v\n", err)
		return ExitError
	}

	// The report names the checks this engine ran, so that the output
	// describes those and no others.
	report := lint.Run(ctx, lint.Options{Paths: cfg.Paths, Stdin: stdin, Engine: checks.NewEngine(checkCfg), Store: store, Kustomize: cfg.Kustomize})
	if err := out.Write(stdout, report); err != nil {
		fmt.Fprintf(stderr, "podlint: writing output: %v\n", err)
		return ExitError
	}
	if err := ctx.Err(); err != nil {
		fmt.Fprintf(stderr, "podlint: interrupted: %v\n", err)
		return ExitError
	}
	return ExitCode(cfg, report)
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
		fmt.Fprintf(stderr, "podlint: %v\n", err)
		return ExitError
	}
	return ExitOK
}

// loadConfig reads --config, or .podlint.yaml when it exists, and applies
// --enable and --disable on top: --enable replaces the file's enable list,
// --disable adds to its disable list.
func loadConfig(cfg *Config) (*checks.Config, error) {
	name, explicit := cfg.ConfigFile, cfg.ConfigFile != ""
	if !explicit {
		name = checks.ConfigFileName
	}
	c := checks.DefaultConfig()
	data, err := os.ReadFile(name)
	switch {
	case err == nil:
		if c, err = checks.ParseConfig(data); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	case explicit || !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("reading configuration: %w", err)
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
