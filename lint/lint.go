package lint

import (
	"cmp"
	"context"
	"io"
	"slices"
	"strconv"
	"strings"

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
	// match only the namespace-less objects applied with them.
	Namespace string
	// Kustomize says whether directories holding a kustomization are
	// rendered (the default) or read file by file.
	Kustomize KustomizeMode
	// Helm says whether and how directories holding a Helm chart are
	// rendered (by default they are, with `helm template`'s defaults).
	Helm HelmOptions
}

// parsed is what one render (of a kustomization, of a chart) yielded.
type parsed struct {
	objs []*manifest.Object
	errs []InputError
	// patches counts kustomize patches: a listed patch file, or
	// documents with patch directives.
	patches int
	// group is the apply of a render.
	group string
	// placers place the findings of a render's objects, in the order of
	// objs, where the user edits, not in the render.
	placers []placer
}

// Run lints the inputs and returns the report. It never fails as a whole:
// problems with inputs are in Report.Errors.
//
// It reads the inputs as streams (stream.go): each object's own checks run
// as it is read, and it is kept only as far as the checks that look across
// objects need it; those run once every input is read, so a ServiceAccount
// or DaemonSet later in the inputs still counts.
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
	renders := func(rep *Report) []parsed {
		var out []parsed
		if plan != nil {
			out = append(out, renderAll(ctx, plan)...)
			rep.Summary.Files += plan.Files()
		}
		if charts != nil {
			rendered, files := renderCharts(ctx, charts, opts.Helm, opts.Namespace, opts.MaxInputBytes)
			out = append(out, rendered...)
			rep.Summary.Files += files
		} else if e, ok := unusedValues(opts.Helm); ok {
			// First, as before any input was read.
			rep.Errors = append([]InputError{e}, rep.Errors...)
		}
		return out
	}
	return run(ctx, opts, eng, inputs, renders)
}

// run lints inputs, then what renders returns (nil: nothing), which it
// calls once every input is read.
func run(ctx context.Context, opts Options, eng *checks.Engine, inputs []input, renders func(*Report) []parsed) *Report {
	rep := &Report{Findings: []Finding{}, Errors: []InputError{}, Checks: eng.Enabled()}
	rep.Summary.Files = len(inputs)
	var base checks.Inventory
	if opts.Store != nil {
		base = opts.Store.Inventory()
	}
	sp := newSpool()
	defer sp.close()
	p := &pipeline{
		ctx: ctx, opts: opts, eng: eng, base: base, inputs: inputs,
		spool: sp, re: &reparser{spool: sp}, checkIndex: map[string]int{},
		lists: map[string][]*checks.Check{},
	}
	for i, c := range eng.Checks {
		p.checkIndex[c.ID] = i
	}
	p.groups = make([]string, len(inputs))
	for i, in := range inputs {
		p.groups[i] = cmp.Or(in.group, applyGroup(in.name))
	}
	entries, found := p.stream(rep)
	if renders != nil {
		// A render is whole in memory when it is returned; its objects
		// come after every input, as they always did.
		entries, found = p.renders(rep, renders(rep), entries, found)
	}

	// The second pass: the checks that asked about other objects, now
	// that every input is indexed.
	rep.Errors = append(rep.Errors, unpack(entries, sp)...)
	state := newInputState(entries, base)
	for _, e := range entries {
		if len(e.deferred) == 0 {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		wasCompact := e.compact != nil
		if wasCompact {
			if err := e.expand(sp); err != nil {
				rep.Errors = append(rep.Errors, *err)
				continue
			}
		}
		res := eng.RunTargetChecks(e.target, state.inventory(e), e.deferred)
		if wasCompact {
			// Only its own checks needed it.
			e.target, e.compact = nil, nil
		}
		rep.Summary.Suppressed += res.Suppressed
		for i, f := range res.Findings {
			lf, at := e.placeLater(f)
			found = append(found, placedFinding{Finding: lf, seq: e.seq, check: p.checkIndex[f.Check], index: i, place: at})
		}
	}

	// In the order the checks produced them: object, check, finding.
	slices.SortFunc(found, func(a, b placedFinding) int {
		return cmp.Or(cmp.Compare(a.seq, b.seq), cmp.Compare(a.check, b.check), cmp.Compare(a.index, b.index))
	})
	// pairs keeps one finding per conflict between two objects: the one
	// reported on the object that comes later. Copies of an object (one
	// chart rendered twice) report the same pair again and are dropped.
	pairs := map[string]*pairSeen{}
	dropped := map[int]bool{}
	// notes are the renders that found a finding on a rendered object.
	notes := map[string]*renderNote{}
	for _, pf := range found {
		f := pf.Finding
		var note *renderNote
		var noteKey string
		if pl := pf.place; pl != nil {
			// Renders of one chart with several values files find the
			// same mistake in the same place: one finding, naming every
			// render.
			noteKey = renderedKey(&f) + "\x00" + pl.merge
			if n := notes[noteKey]; n != nil {
				if !slices.Contains(n.renders, pl.render) {
					n.renders = append(n.renders, pl.render)
				}
				continue
			}
			note = &renderNote{note: pl.note, renders: []string{pl.render}}
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
		rep.Findings = append(rep.Findings, f)
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
