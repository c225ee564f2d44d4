package lint

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/podlint/podlint/lint/helm"
)

// HelmMode says how a run treats directories holding a Helm chart.
type HelmMode string

// Helm modes; the zero value is HelmAuto.
const (
	// HelmAuto renders each chart as `helm template` does and lints its
	// objects instead of the chart's files.
	HelmAuto HelmMode = "auto"
	// HelmNever does not render charts: each chart is one input error
	// that says how to lint it, and its files are not read.
	HelmNever HelmMode = "never"
)

// HelmModes lists the modes, for flags and messages.
func HelmModes() []string { return []string{string(HelmAuto), string(HelmNever)} }

// HelmOptions are the `helm template` flags of a run; the namespace is
// Options.Namespace.
type HelmOptions struct {
	Mode HelmMode
	// ValueFiles (-f/--values) and Set (--set) apply to every chart of
	// the run. Without either, a chart's ci/*-values.yaml files are
	// rendered one by one when it has any.
	ValueFiles, Set []string
	// ReleaseName defaults to helm.DefaultReleaseName, KubeVersion to
	// helm.DefaultKubeVersion.
	ReleaseName, KubeVersion string
}

// place is where a finding on a rendered object goes. exact is set when
// file:line is where the value is written. note says what the place is
// (a values file line, a template's rendered line, the kustomization and
// the object), render which render found it (helm template DIR -f FILE);
// both are appended to the message.
type place struct {
	file         string
	line, column int
	exact        bool
	note, render string
	// merge groups renders whose identical findings are one: the renders
	// of one chart (one per ci/ values file). Each kustomization is its
	// own, as each overlay is reported.
	merge string
}

// placer places the findings of one rendered object by field path.
type placer func(field string) place

// helmPlan is the charts of a run.
type helmPlan struct {
	// charts are the top chart directories, as met.
	charts []string
}

// planHelm finds the charts of the run — a directory holding Chart.yaml
// given or met while walking, or a path inside a chart (pre-commit names
// the files it stages) — and takes every file under them out of the
// inputs: they are the chart's, not manifests.
func planHelm(paths, exclude []string, inputs []input) ([]input, *helmPlan) {
	var charts []string
	seen := map[string]bool{}
	add := func(dir string) {
		abs := absPath(dir)
		if !seen[abs] {
			seen[abs] = true
			charts = append(charts, dir)
		}
	}
	for _, p := range paths {
		if p == "-" {
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		if top := helm.ChartOf(p); top != "" {
			if !excluded(p, exclude) {
				add(relTo(p, top))
			}
			continue
		}
		if !st.IsDir() {
			continue
		}
		walkDirs(p, exclude, func(dir string) error {
			if helm.IsChart(dir) && !excluded(filepath.Join(dir, helm.ChartFile), exclude) {
				add(dir)
				// Its subcharts render with it.
				return fs.SkipDir
			}
			return nil
		})
	}
	if len(charts) == 0 {
		return inputs, nil
	}
	var roots []string
	for _, c := range charts {
		roots = append(roots, absPath(c)+string(filepath.Separator))
	}
	kept := inputs[:0:0]
	for _, in := range inputs {
		if in.name == "-" || !underAny(absPath(in.name), roots) {
			kept = append(kept, in)
		}
	}
	return kept, &helmPlan{charts: charts}
}

// relTo names chart directory top (absolute) the way the user's path p
// names things: relative when p is.
func relTo(p, top string) string {
	if filepath.IsAbs(p) {
		return top
	}
	wd, err := os.Getwd()
	if err != nil {
		return top
	}
	if rel, err := filepath.Rel(wd, top); err == nil {
		return rel
	}
	return top
}

func underAny(name string, roots []string) bool {
	for _, r := range roots {
		if strings.HasPrefix(name, r) {
			return true
		}
	}
	return false
}

// renderCharts renders the charts of the plan one after the other; each
// render is its own apply.
func renderCharts(ctx context.Context, plan *helmPlan, opts HelmOptions, namespace string, limit int64) ([]parsed, int) {
	var out []parsed
	files := 0
	for _, dir := range plan.charts {
		if ctx.Err() != nil {
			break
		}
		if opts.Mode == HelmNever {
			files++
			out = append(out, parsed{errs: []InputError{{
				File: filepath.Join(dir, helm.ChartFile),
				Message: "a Helm chart, not rendered with --helm=never: its templates are not manifests and are not linted; " +
					"lint it with --helm=auto (the default), or its render: helm template " + dir + " | podlint -",
			}}})
			continue
		}
		results, n := helm.Render(dir, helm.Options{
			ValueFiles: opts.ValueFiles, Set: opts.Set, ReleaseName: opts.ReleaseName,
			Namespace: namespace, KubeVersion: opts.KubeVersion, MaxInputBytes: limit,
		})
		files += n
		for _, r := range results {
			p := parsed{group: "helm:" + r.Group, placers: []placer{}}
			for _, o := range r.Objects {
				p.objs = append(p.objs, o.Object)
				p.placers = append(p.placers, func(field string) place {
					pl := o.Place(field)
					return place{file: pl.File, line: pl.Line, column: pl.Column, exact: pl.Exact, note: pl.Note, render: pl.Render, merge: "helm:" + dir}
				})
			}
			for _, e := range r.Errors {
				p.errs = append(p.errs, InputError{File: e.File, Line: e.Line, Message: e.Message})
			}
			out = append(out, p)
		}
	}
	return out, files
}

// unusedValues is the error for chart values given to a run without a
// chart: most likely kubectl's -f (a manifest file) was meant, and the
// file was not linted.
func unusedValues(opts HelmOptions) (InputError, bool) {
	switch {
	case len(opts.ValueFiles) > 0:
		return InputError{File: opts.ValueFiles[0], Message: "given to -f/--values, but no Helm chart is among the inputs: -f names values files for charts, as helm template -f, not manifests as kubectl -f; name manifests as arguments (podlint FILE...)"}, true
	case len(opts.Set) > 0:
		return InputError{File: "--set", Message: "no Helm chart is among the inputs; --set gives values to charts"}, true
	}
	return InputError{}, false
}
