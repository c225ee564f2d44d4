package lint

import (
	"cmp"
	"context"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
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
	// a live cluster). The run does not add its inputs to it: they count
	// as cluster state only where they are applied together (applied.go).
	// Nil means no cluster knowledge.
	Store *cluster.Store
	// Namespace is the namespace of the apply for objects that do not
	// name one (kubectl's -n). Empty means not known: such objects then
	// match only the namespace-less objects applied with them. Charts
	// are rendered with it as .Release.Namespace ("default" when empty,
	// as `helm template`).
	Namespace string
	// Kustomize says whether directories holding a kustomization are
	// rendered (the default) or read file by file.
	Kustomize KustomizeMode
	// Helm says whether and how directories holding a Helm chart are
	// rendered (by default they are, with `helm template`'s defaults).
	Helm HelmOptions
}

// parsed is what one input, or one render (of a kustomization, of a
// chart), yielded.
type parsed struct {
	objs []*manifest.Object
	errs []InputError
	// patches counts kustomize patches: a listed patch file, or
	// documents with patch directives.
	patches int
	// group is the apply of a render; "" for an input (its input's).
	group string
	// placers place the findings of a render's objects, in the order of
	// objs, where the user edits, not in the render; nil for an input.
	placers []placer
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
	// A chart's files are the chart's, never manifests of their own.
	inputs, charts := planHelm(paths, eng.Config.Exclude, inputs)
	var plan *kustomize.Plan
	if opts.Kustomize != KustomizeNever {
		// The files a rendered kustomization reads are linted through
		// its render, not on their own.
		inputs, plan = planKustomize(paths, eng.Config.Exclude, inputs, opts.MaxInputBytes)
	}
	// Patch files of kustomizations that are not rendered (with
	// --kustomize=never, or an excluded kustomization file) are still
	// not objects.
	markPatches(inputs)
	results := parseAll(ctx, inputs, opts.Stdin, opts.MaxInputBytes)

	rep := &Report{Findings: []Finding{}, Errors: []InputError{}, Checks: eng.Enabled()}
	rep.Summary.Files = len(inputs)
	if plan != nil {
		results = append(results, renderAll(ctx, plan)...)
		rep.Summary.Files += plan.Files()
	}
	if charts != nil {
		rendered, files := renderCharts(ctx, charts, opts.Helm, opts.Namespace, opts.MaxInputBytes)
		results = append(results, rendered...)
		rep.Summary.Files += files
	} else if e, ok := unusedValues(opts.Helm); ok {
		rep.Errors = append(rep.Errors, e)
	}
	var entries []*entry
	for i, r := range results {
		rep.Summary.Patches += r.patches
		for j, o := range r.objs {
			if o.Patch {
				rep.Summary.Patches++
				continue
			}
			setNamespace(o, opts.Namespace)
			implicit := o.Known && o.Target != nil && o.Target.Ref.Namespace == ""
			e := &entry{obj: o, implicit: implicit}
			switch {
			case r.placers != nil:
				// Each render is one apply, as kubectl apply -k or helm
				// install sends it.
				e.place = r.placers[j]
				e.group = r.group
			case inputs[i].group != "":
				e.group = inputs[i].group
			default:
				e.group = applyGroup(inputs[i].name)
			}
			entries = append(entries, e)
		}
		rep.Errors = append(rep.Errors, r.errs...)
	}
	rep.Summary.Objects = len(entries)

	var base checks.Inventory
	if opts.Store != nil {
		base = opts.Store.Inventory()
	}
	// Every input is indexed before any check runs, so a ServiceAccount
	// or DaemonSet later in the inputs still counts.
	state := newInputState(entries, base)
	// pairs keeps one finding per conflict between two objects: the one
	// reported on the object that comes later. Copies of an object (one
	// chart rendered twice) report the same pair again and are dropped.
	pairs := map[string]*pairSeen{}
	// notes are the renders that found a finding on a rendered object.
	notes := map[string]*renderNote{}
	dropped := map[int]bool{}
	for _, e := range entries {
		o := e.obj
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
		res := eng.RunTarget(o.Target, state.inventory(e))
		rep.Summary.Suppressed += res.Suppressed
		for _, f := range res.Findings {
			lf := Finding{Finding: f, File: o.File, Line: f.Line, Column: f.Column}
			var note *renderNote
			var noteKey string
			if e.place != nil {
				// Positions in a render mean nothing to the user: the
				// finding goes where the value is written.
				pl := e.place(f.Field)
				lf.File, lf.Line, lf.Column = pl.file, pl.line, pl.column
				// Renders of one chart with several values files find
				// the same mistake in the same place: one finding,
				// naming every render.
				noteKey = renderedKey(&lf) + "\x00" + pl.merge
				if n := notes[noteKey]; n != nil {
					if !slices.Contains(n.renders, pl.render) {
						n.renders = append(n.renders, pl.render)
					}
					continue
				}
				note = &renderNote{note: pl.note, renders: []string{pl.render}}
			} else if lf.Line <= 0 {
				lf.Line, lf.Column = o.Position(f.Field)
			} else if lf.Column <= 0 {
				lf.Column = 1
			}
			if o.Rendered != "" && e.place == nil {
				// The position is in the render; the template is only
				// a hint, as the value may come from another one.
				lf.Message += " (rendered from " + o.Rendered + ")"
			}
			if f.Pair != "" {
				ps, seen := pairs[f.Pair]
				switch {
				case !seen:
					pairs[f.Pair] = &pairSeen{index: len(rep.Findings), ref: f.Object}
				case ps.final || ps.ref == f.Object:
					// Already reported on the later object, or a copy of
					// the object that reported it.
					continue
				default:
					// The other object of the pair comes later.
					dropped[ps.index] = true
					*ps = pairSeen{index: len(rep.Findings), ref: f.Object, final: true}
				}
			}
			if note != nil {
				note.index = len(rep.Findings)
				notes[noteKey] = note
			}
			rep.Findings = append(rep.Findings, lf)
		}
	}
	// The renders are named once all of them have been seen.
	for _, n := range notes {
		rep.Findings[n.index].Message += " (" + n.String() + ")"
	}
	if len(dropped) > 0 {
		kept := rep.Findings[:0]
		for i, f := range rep.Findings {
			if !dropped[i] {
				kept = append(kept, f)
			}
		}
		rep.Findings = kept
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

// renderedKey identifies a finding on a rendered object by what it says
// and where, whichever render found it.
func renderedKey(f *Finding) string {
	return strings.Join([]string{f.Check, f.File, strconv.Itoa(f.Line), strconv.Itoa(f.Column), f.Field, f.Message}, "\x00")
}

// renderNote says where a finding on a rendered object comes from: what
// its place is, and the renders that found it.
type renderNote struct {
	note    string
	renders []string
	// index is the finding's in the report, before pairs are dropped.
	index int
}

func (n *renderNote) String() string {
	parts := []string{}
	if n.note != "" {
		parts = append(parts, n.note)
	}
	for _, r := range n.renders {
		if r != "" {
			parts = append(parts, r)
		}
	}
	return strings.Join(parts, "; ")
}

// pairSeen is the finding kept for one conflict between two objects.
type pairSeen struct {
	index int
	ref   checks.ObjectRef
	// final is set once the pair's second object reported it.
	final bool
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
	if in.patch {
		return parsed{patches: 1}
	}
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
