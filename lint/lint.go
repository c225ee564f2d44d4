package lint

import (
	"cmp"
	"context"
	"io"
	"maps"
	"runtime"
	"slices"
	"sync"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
	"github.com/podlint/podlint/lint/kustomize"
	"github.com/podlint/podlint/manifest"
)

// Options says what one run lints and how.
type Options struct {
	// Paths are files and directories; "-" reads Stdin. None means ".".
	Paths []string
	Stdin io.Reader
	// Engine runs the checks with their configuration (enabled checks,
	// severities, thresholds, exclude globs); nil means
	// checks.NewEngine(nil), the whole catalogue with the defaults. The
	// report names the checks it ran (Report.Checks).
	Engine *checks.Engine
	// MaxInputBytes caps the size of each input; 0 means
	// DefaultMaxInputBytes.
	MaxInputBytes int64
	// Store holds cluster knowledge gathered before the run (a snapshot,
	// a live cluster); the run adds its inputs to it. Nil means a new,
	// empty store.
	Store *cluster.Store
	// Kustomize says whether directories holding a kustomization are
	// rendered (the default) or read file by file.
	Kustomize KustomizeMode
}

// parsed is what one input, or one rendered kustomization, yielded.
type parsed struct {
	objs []*manifest.Object
	errs []InputError
	// group is the apply the objects belong to: "" for the files of the
	// run, the kustomization's directory for a render.
	group string
	// rendered places the findings of a render's objects.
	rendered map[*manifest.Object]*kustomize.Object
}

// Run lints the inputs and returns the report. It never fails as a whole:
// problems with inputs are in Report.Errors.
func Run(ctx context.Context, opts Options) *Report {
	eng := opts.Engine
	if eng == nil {
		eng = checks.NewEngine(nil)
	}
	paths := opts.Paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	inputs := discover(paths, eng.Config.Exclude)
	var plan *kustomize.Plan
	if opts.Kustomize != KustomizeNever {
		inputs, plan = planKustomize(paths, eng.Config.Exclude, inputs, opts.MaxInputBytes)
	}
	results := parseAll(ctx, inputs, opts.Stdin, opts.MaxInputBytes)

	rep := &Report{Findings: []Finding{}, Errors: []InputError{}, Checks: eng.Enabled()}
	rep.Summary.Files = len(inputs)
	if plan != nil {
		results = append(results, renderAll(ctx, plan)...)
		rep.Summary.Files += plan.Files()
	}
	var objs []*manifest.Object
	group := map[*manifest.Object]string{}
	rendered := map[*manifest.Object]*kustomize.Object{}
	for _, r := range results {
		objs = append(objs, r.objs...)
		rep.Errors = append(rep.Errors, r.errs...)
		for _, o := range r.objs {
			group[o] = r.group
		}
		maps.Copy(rendered, r.rendered)
	}
	rep.Summary.Objects = len(objs)

	store := opts.Store
	if store == nil {
		store = cluster.New()
	}
	// Every input feeds the inventory before any check runs, so a
	// ServiceAccount or DaemonSet later in the inputs still counts. The
	// files of the run are one apply; each render is another (see
	// layered).
	own := map[string]*cluster.Store{}
	for _, o := range objs {
		if !o.Known {
			continue
		}
		g := group[o]
		if g == "" {
			store.AddTarget(o.Target)
			continue
		}
		if own[g] == nil {
			own[g] = cluster.New()
		}
		own[g].AddTarget(o.Target)
	}
	inv := store.Inventory()
	invs := map[string]checks.Inventory{"": inv}
	for g, s := range own {
		invs[g] = newLayered(s.Inventory(), inv)
	}
	for _, o := range objs {
		if !o.Known {
			rep.Summary.Skipped++
			// A skipped object still has a target when it repeats a
			// key: schema-invalid reports that, nothing else runs.
			if o.Target == nil {
				continue
			}
		}
		if ctx.Err() != nil {
			break
		}
		res := eng.RunTarget(o.Target, invs[group[o]])
		rep.Summary.Suppressed += res.Suppressed
		for _, f := range res.Findings {
			lf := Finding{Finding: f, File: o.File, Line: f.Line, Column: f.Column}
			if ko := rendered[o]; ko != nil {
				// Positions in the render mean nothing to the user.
				place(&lf, ko)
			} else if lf.Line <= 0 {
				lf.Line, lf.Column = o.Position(f.Field)
			} else if lf.Column <= 0 {
				lf.Column = 1
			}
			rep.Findings = append(rep.Findings, lf)
		}
	}
	if err := ctx.Err(); err != nil {
		rep.Errors = append(rep.Errors, InputError{File: "podlint", Message: "run stopped: " + err.Error()})
	}
	slices.SortStableFunc(rep.Findings, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Check, b.Check),
		)
	})
	for _, f := range rep.Findings {
		switch f.Severity {
		case checks.Error:
			rep.Summary.Errors++
		case checks.Warning:
			rep.Summary.Warnings++
		default:
			rep.Summary.Infos++
		}
	}
	rep.Summary.Findings = len(rep.Findings)
	return rep
}

// parseAll reads and decodes the inputs on all cores; results keep the
// inputs' order so the report does not depend on scheduling.
func parseAll(ctx context.Context, inputs []input, stdin io.Reader, limit int64) []parsed {
	results := make([]parsed, len(inputs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(inputs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = parseInput(ctx, &inputs[i], stdin, limit)
			}
		}()
	}
	for i := range inputs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

func parseInput(ctx context.Context, in *input, stdin io.Reader, limit int64) parsed {
	in.read(ctx, stdin, limit)
	if in.err != nil {
		return parsed{errs: []InputError{{File: in.name, Message: in.err.Error()}}}
	}
	objs, errs := manifest.Parse(in.name, in.data)
	in.data = nil
	var r parsed
	r.objs = objs
	for _, e := range errs {
		r.errs = append(r.errs, InputError{File: e.File, Line: e.Line, Message: e.Message})
	}
	return r
}
