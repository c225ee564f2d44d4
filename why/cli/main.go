package cli

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/podlint/podlint/why"
)

// Exit codes, the same contract as the linter's.
const (
	ExitOK    = 0
	ExitStuck = 1
	ExitError = 2
)

// Env is what Main takes from the process; tests replace it.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Now is the clock for --live ("now" of a --from dump is its newest
	// timestamp); nil means time.Now.
	Now func() time.Time
}

// Main runs podlint why with args (after "why") and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return Run(ctx, args, Env{Stdin: stdin, Stdout: stdout, Stderr: stderr})
}

// Run is Main with an explicit environment.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Now == nil {
		env.Now = time.Now
	}
	cfg, err := ParseFlags(args)
	if err != nil {
		fmt.Fprintf(env.Stderr, "podlint why: %v\nRun podlint why --help for usage.\n", err)
		return ExitError
	}
	switch {
	case cfg.Help:
		Usage(env.Stdout)
		return ExitOK
	case cfg.ListCauses:
		if err := why.ListCauses(env.Stdout, cfg.Output); err != nil {
			fmt.Fprintf(env.Stderr, "podlint why: %v\n", err)
			return ExitError
		}
		return ExitOK
	}

	opts := why.Options{}
	var dump *why.Dump
	inputErrors := 0
	// The namespace of a TARGET without one: -n, else the kubeconfig's
	// namespace with --live (as kubectl), else "default".
	defaultNS := cmpOr(cfg.Namespace, "default")
	if cfg.Live && cfg.Namespace == "" {
		ns, err := why.KubeNamespace(cfg.Kubeconfig, cfg.KubeContext)
		if err != nil {
			fmt.Fprintf(env.Stderr, "podlint why: loading kubeconfig: %v\n", err)
			return ExitError
		}
		defaultNS = ns
	}
	for _, t := range cfg.Targets {
		if t.Namespace == "" && t.Kind != why.KindNamespace {
			t.Namespace = defaultNS
		}
		opts.Targets = append(opts.Targets, t)
	}
	if cfg.Live {
		// List one namespace unless -A, or targets in several.
		scope := defaultNS
		switch {
		case cfg.AllNamespaces:
			scope = ""
		case len(opts.Targets) > 0:
			scope = targetsNamespace(opts.Targets)
		}
		lines := cfg.LogLines
		if cfg.NoLogs {
			lines = 0
		}
		d, warnings, err := why.ReadLive(ctx, why.LiveOptions{Kubeconfig: cfg.Kubeconfig, Context: cfg.KubeContext,
			Namespace: scope, Timeout: cfg.LiveTimeout, LogLines: lines})
		for _, w := range warnings {
			fmt.Fprintln(env.Stderr, "podlint "+w)
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "podlint %v\n", err)
			return ExitError
		}
		dump, opts.Now, opts.Namespace = d, env.Now(), scope
	} else {
		dump = why.NewDump()
		for _, f := range cfg.From {
			d, errs := why.LoadFile(f, env.Stdin)
			for _, e := range errs {
				fmt.Fprintf(env.Stderr, "podlint why: %v\n", e)
			}
			inputErrors += len(errs)
			dump.Merge(d)
		}
		for _, kind := range slices.Sorted(maps.Keys(dump.Skipped)) {
			fmt.Fprintf(env.Stderr, "podlint why: skipped %d object(s) of kind %s (podlint why reads pods, events, nodes, namespaces, workloads and leases)\n", dump.Skipped[kind], kind)
		}
		// "now" is when the dump was taken; a dump is read whole unless
		// -n narrows it.
		opts.Now, opts.Namespace = dump.Newest(), cfg.Namespace
		if opts.Now.IsZero() {
			opts.Now = env.Now()
		}
	}
	rep, err := why.Diagnose(dump, opts)
	if err != nil {
		fmt.Fprintf(env.Stderr, "podlint why: %v\n", err)
		return ExitError
	}
	if err := why.Write(env.Stdout, cfg.Output, rep); err != nil {
		fmt.Fprintf(env.Stderr, "podlint why: writing output: %v\n", err)
		return ExitError
	}
	if err := ctx.Err(); err != nil {
		fmt.Fprintf(env.Stderr, "podlint why: interrupted: %v\n", err)
		return ExitError
	}
	if inputErrors > 0 {
		return ExitError
	}
	return ExitCode(cfg.FailOn, rep.Summary)
}

// ExitCode applies --fail-on to a summary.
func ExitCode(failOn string, s why.Summary) int {
	switch {
	case failOn == "stuck" && s.Stuck > 0, failOn == "unknown" && s.Unknown > 0:
		return ExitStuck
	}
	return ExitOK
}

// targetsNamespace is the one namespace all targets are in, or "".
func targetsNamespace(ts []why.Target) string {
	ns := ""
	for i, t := range ts {
		tns := t.Namespace
		if t.Kind == why.KindNamespace {
			tns = t.Name
		}
		if i > 0 && tns != ns {
			return ""
		}
		ns = tns
	}
	return ns
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
