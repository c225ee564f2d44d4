package lint

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"

	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/manifest"
)

// The run reads its inputs as streams, one document at a time, so that
// its memory follows the largest object rather than the whole input:
//
//	reader ──jobs──▶ workers (GOMAXPROCS) ──results──▶ collector
//
// The reader opens the inputs in order and cuts each into documents
// (manifest.Splitter); the workers parse a document, run every check that
// needs nothing beyond the object (and the cluster's, already final) at
// once, place its findings while the node tree is there, and keep of the
// object only what the end needs: the typed target of a workload whose
// other checks wait for the whole inventory, the objects the inventory is
// made of (trimmed to what the checks read: a ConfigMap's or Secret's key
// names, never values), and the document in the spool for later
// positions. The collector puts the results back in input order. Channels
// are bounded, so a fast reader waits for the workers.
//
// A source that renders its own inputs (a kustomization, a chart) enters
// here as an input with data and a group: its documents go through the
// same pipeline.

// job is one document to parse, or the end of an input.
type job struct {
	input, seq int
	doc        manifest.Document
	end        *inputEnd
}

// inputEnd closes an input: its own errors, and whether they replace
// everything read from it (a stream past the size cap is one error, as a
// file past it is).
type inputEnd struct {
	// first go before the errors of the documents (trailing commas, as
	// Parse reports them), last after them (a read error, where the
	// reading stopped).
	first, last []InputError
	patches     int
	// discard drops what was read of the input: last is its one error.
	discard bool
}

// docResult is what the workers made of one job.
type docResult struct {
	input, seq int
	end        *inputEnd
	objs       []objResult
	errs       []InputError
}

// objResult is one object of a document.
type objResult struct {
	patch, skipped bool
	// entry is set when the object is kept for the end.
	entry      *entry
	findings   []placedFinding
	suppressed int
}

// placedFinding is a finding with its place in the order the checks produced
// findings (object, check, finding), which breaks ties in the sorted
// report as the stable sort of all findings did.
type placedFinding struct {
	Finding
	seq, check, index int
	// place is where a rendered object's finding went, for naming its
	// renders (lint.go); nil for a file's.
	place *place
}

// pipeline runs one lint run's reading and first pass of checks.
type pipeline struct {
	ctx    context.Context
	opts   Options
	eng    *checks.Engine
	base   checks.Inventory
	inputs []input
	// groups are the inputs' apply groups, made once: every object
	// kept holds its group.
	groups []string
	spool  *spool
	re     *reparser
	// checkIndex maps a check's ID to its place in the engine.
	checkIndex map[string]int
	// objects numbers the objects read so far (entry.seq).
	objects int
	// lists holds one copy of each list of deferred checks: most
	// workloads defer the same ones.
	mu    sync.Mutex
	lists map[string][]*checks.Check
}

func (p *pipeline) intern(list []*checks.Check) []*checks.Check {
	if len(list) == 0 {
		return nil
	}
	key := make([]byte, 0, len(list))
	for _, c := range list {
		key = append(key, byte(p.checkIndex[c.ID]))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if l, ok := p.lists[string(key)]; ok {
		return l
	}
	p.lists[string(key)] = list
	return list
}

// queueDepth bounds the documents read ahead of the workers, per worker.
// Results waiting for their turn (behind one slow document) are not
// bounded, but hold only findings and kept facts, never a tree.
const queueDepth = 4

func (p *pipeline) read(jobs chan<- job) {
	defer close(jobs)
	sp := manifest.NewSplitter(nil)
	for i := range p.inputs {
		in := &p.inputs[i]
		if p.ctx.Err() != nil {
			return
		}
		end, docs := p.readInput(i, in, sp, jobs)
		jobs <- job{input: i, seq: docs, end: end}
	}
}

// readInput sends the documents of one input and returns how it ended
// and how many documents it sent.
func (p *pipeline) readInput(i int, in *input, sp *manifest.Splitter, jobs chan<- job) (*inputEnd, int) {
	if in.patch {
		return &inputEnd{patches: 1}, 0
	}
	if in.err != nil {
		return &inputEnd{last: []InputError{{File: in.name, Message: in.err.Error()}}, discard: true}, 0
	}
	r, err := in.open(p.ctx, p.opts.Stdin, p.opts.MaxInputBytes)
	if err != nil {
		return &inputEnd{last: []InputError{{File: in.name, Message: err.Error()}}, discard: true}, 0
	}
	defer r.Close()
	sp.Reset(r)
	for seq := 0; ; seq++ {
		d, err := sp.Next()
		if errors.Is(err, io.EOF) {
			var errs []InputError
			for _, e := range sp.Commas(in.name) {
				errs = append(errs, InputError{File: e.File, Line: e.Line, Message: e.Message})
			}
			return &inputEnd{first: errs}, seq
		}
		if err != nil {
			msg := in.readError(err).Error()
			var tooLarge *TooLargeError
			var empty *EmptyStreamError
			if errors.As(err, &tooLarge) || errors.As(err, &empty) || p.ctx.Err() != nil {
				// As for a file past the cap: the input is one error.
				return &inputEnd{last: []InputError{{File: in.name, Message: msg}}, discard: true}, seq
			}
			// What was read before the error stands; the error is at
			// the line it stopped.
			return &inputEnd{last: []InputError{{File: in.name, Line: sp.Line(), Message: msg}}}, seq
		}
		jobs <- job{input: i, seq: seq, doc: d}
	}
}

// work parses documents and runs the first pass of checks.
func (p *pipeline) work(jobs <-chan job, results chan<- docResult) {
	pr := &probe{}
	inv := pr.inventory(p.base)
	for j := range jobs {
		if j.end != nil {
			results <- docResult{input: j.input, seq: j.seq, end: j.end}
			continue
		}
		results <- p.document(j, pr, inv)
	}
}

func (p *pipeline) document(j job, pr *probe, inv checks.Inventory) docResult {
	in := &p.inputs[j.input]
	res := docResult{input: j.input, seq: j.seq}
	if p.ctx.Err() != nil {
		return res
	}
	objs, errs := manifest.ParseDocument(in.name, j.doc)
	for _, e := range errs {
		res.errs = append(res.errs, InputError{File: e.File, Line: e.Line, Message: e.Message})
	}
	group := p.groups[j.input]
	// A document holding a Secret is never written to the spool file: a
	// Secret alone needs nothing of it later (its "type" is placed now);
	// one that shares a List with other kept objects keeps the document
	// in memory for them.
	secrets := false
	for _, o := range objs {
		if o.Known {
			if _, ok := o.Target.Object.(*corev1.Secret); ok {
				secrets = true
			}
		}
	}
	var doc *docRef
	for idx, o := range objs {
		res.objs = append(res.objs, p.object(o, group, nil, "", pr, inv, func() *docRef {
			if doc == nil {
				doc = &docRef{off: p.spool.put(j.doc.Text, secrets), n: len(j.doc.Text), start: j.doc.Start, name: in.name}
			}
			d := *doc
			d.index = idx
			return &d
		}))
	}
	return res
}

// object runs the first pass on one object and keeps what the end needs.
// pl is set for an object of a render (renderGroup its group), which
// places its own findings and is kept whole; spool stores the object's
// document for later positions.
func (p *pipeline) object(o *manifest.Object, group string, pl placer, renderGroup string, pr *probe, inv checks.Inventory, spool func() *docRef) objResult {
	if o.Patch {
		return objResult{patch: true}
	}
	r := objResult{skipped: !o.Known}
	t := o.Target
	if o.Known {
		setNamespace(t, p.opts.Namespace)
	}
	if t == nil {
		return r
	}
	line, col := o.Position("")
	e := &entry{
		target: t, group: group, file: o.File, source: o.Rendered, place: pl,
		implicit: o.Known && t.Ref.Namespace == "",
		pos:      positions{line: line, col: col, run: p.re},
	}
	if pl != nil {
		// Each render is one apply, as kubectl apply -k or helm install
		// sends it.
		e.group = renderGroup
	}
	out := p.eng.RunTargetProbe(t, inv, &pr.asked)
	r.suppressed = out.Suppressed
	for i, f := range out.Findings {
		lf, at := e.placeNow(f, o)
		r.findings = append(r.findings, placedFinding{Finding: lf, check: p.checkIndex[f.Check], index: i, place: at})
	}
	if len(out.Deferred) == 0 && (!o.Known || !inventoryKind(t)) {
		return r
	}
	e.deferred = p.intern(out.Deferred)
	r.entry = e
	if pl != nil {
		// The render holds the object and its tree anyway.
		return r
	}
	if _, ok := t.Object.(*corev1.Secret); ok {
		tl, tc := o.Position("type")
		e.pos.fixed = map[string][2]int{"type": {tl, tc}}
	} else if spooled(t, len(e.deferred) > 0) {
		e.pos.doc = spool()
	}
	trim(t, len(e.deferred) > 0)
	t.Raw = rawSource{&e.pos}
	t.Issues = nil
	if _, ok := t.Object.(*corev1.Secret); !ok && o.Known {
		// Until the stream is read, the object waits in the spool
		// (compact.go); a Secret, even cut down to its key names,
		// never goes to disk.
		if c := compactTarget(t, p.spool); c != nil {
			e.target, e.compact = nil, c
		}
	}
	return r
}

// renders runs the first pass over the objects of each render, in order,
// after the inputs.
func (p *pipeline) renders(rep *Report, renders []parsed, entries []*entry, found []placedFinding) ([]*entry, []placedFinding) {
	pr := &probe{}
	inv := pr.inventory(p.base)
	seq := p.objects
	for _, rd := range renders {
		if p.ctx.Err() != nil {
			break
		}
		rep.Summary.Patches += rd.patches
		for j, o := range rd.objs {
			var pl placer
			if j < len(rd.placers) {
				pl = rd.placers[j]
			}
			r := p.object(o, rd.group, pl, rd.group, pr, inv, func() *docRef { return nil })
			if r.patch {
				rep.Summary.Patches++
				continue
			}
			seq++
			rep.Summary.Objects++
			if r.skipped {
				rep.Summary.Skipped++
			}
			rep.Summary.Suppressed += r.suppressed
			for _, f := range r.findings {
				f.seq = seq
				found = append(found, f)
			}
			if r.entry != nil {
				r.entry.seq = seq
				entries = append(entries, r.entry)
			}
		}
		rep.Errors = append(rep.Errors, rd.errs...)
	}
	p.objects = seq
	return entries, found
}

// placeNow puts a finding of object o in its file, while o's tree is
// there; at is where a rendered object's finding went.
func (e *entry) placeNow(f checks.Finding, o *manifest.Object) (Finding, *place) {
	return e.placeWith(f, o.Position)
}

// placeLater places a finding of a deferred check, o's tree long gone.
func (e *entry) placeLater(f checks.Finding) (Finding, *place) {
	return e.placeWith(f, e.pos.position)
}

func (e *entry) placeWith(f checks.Finding, position func(string) (int, int)) (Finding, *place) {
	lf := Finding{Finding: f, File: e.file, Line: f.Line, Column: f.Column}
	var at *place
	switch {
	case e.place != nil:
		// Positions in a render mean nothing to the user: the finding
		// goes where the value is written.
		pl := e.place(f.Field)
		lf.File, lf.Line, lf.Column = pl.file, pl.line, pl.column
		at = &pl
	case lf.Line <= 0:
		lf.Line, lf.Column = position(f.Field)
	case lf.Column <= 0:
		lf.Column = 1
	}
	if e.source != "" && e.place == nil {
		// The position is in the render; the template is only a hint,
		// as the value may come from another one.
		lf.Message += " (rendered from " + e.source + ")"
	}
	return lf, at
}

// inventoryKind tells whether the inputs' inventory (applied.go) is
// made of objects of t's kind.
func inventoryKind(t *checks.Target) bool {
	switch t.Object.(type) {
	case *corev1.Namespace, *corev1.ConfigMap, *corev1.Secret, *corev1.PersistentVolumeClaim,
		*corev1.ServiceAccount, *corev1.LimitRange, *corev1.ResourceQuota:
		return true
	}
	switch t.Ref.Kind {
	case "PriorityClass", "RuntimeClass", "StorageClass":
		return true
	}
	return t.Spec != nil
}

// spooled tells whether positions in t may be asked for at the end: of
// findings of its deferred checks, or of the fields a finding names on
// an object that causes it (a LimitRange's limit, a quota's hard limit, a
// Namespace's label, another workload's host port).
func spooled(t *checks.Target, deferred bool) bool {
	switch t.Object.(type) {
	case *corev1.ConfigMap, *corev1.ServiceAccount, *corev1.Secret:
		// Named by the object's line only, or placed already.
		return false
	case *storagev1.StorageClass, *schedulingv1.PriorityClass, *nodev1.RuntimeClass:
		// The checks only ask whether one exists: no finding names
		// a field of it, unless of its own.
		return deferred
	}
	return true
}

// trim cuts an object kept for the inventory down to what the lookups
// (applied.go) hand to the checks: a ConfigMap's and a Secret's key names
// (never values), a ServiceAccount's pull secrets, a Namespace's labels
// and phase, a class's name (and a StorageClass's default marks). An object with checks of its own still to run stays whole.
func trim(t *checks.Target, deferred bool) {
	if deferred {
		return
	}
	meta := func(m *metav1.ObjectMeta) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace}
	}
	switch o := t.Object.(type) {
	case *corev1.ConfigMap:
		c := &corev1.ConfigMap{TypeMeta: o.TypeMeta, ObjectMeta: meta(&o.ObjectMeta)}
		if o.Data != nil {
			c.Data = make(map[string]string, len(o.Data))
			for k := range o.Data {
				c.Data[k] = ""
			}
		}
		if o.BinaryData != nil {
			c.BinaryData = make(map[string][]byte, len(o.BinaryData))
			for k := range o.BinaryData {
				c.BinaryData[k] = nil
			}
		}
		t.Object, t.Meta = c, &c.ObjectMeta
	case *corev1.Secret:
		c := &corev1.Secret{TypeMeta: o.TypeMeta, ObjectMeta: meta(&o.ObjectMeta), Type: o.Type}
		if o.Data != nil {
			c.Data = make(map[string][]byte, len(o.Data))
			for k := range o.Data {
				c.Data[k] = nil
			}
		}
		if o.StringData != nil {
			c.StringData = make(map[string]string, len(o.StringData))
			for k := range o.StringData {
				c.StringData[k] = ""
			}
		}
		t.Object, t.Meta = c, &c.ObjectMeta
	case *corev1.ServiceAccount:
		c := &corev1.ServiceAccount{TypeMeta: o.TypeMeta, ObjectMeta: meta(&o.ObjectMeta),
			ImagePullSecrets: o.ImagePullSecrets, AutomountServiceAccountToken: o.AutomountServiceAccountToken}
		t.Object, t.Meta = c, &c.ObjectMeta
	case *corev1.Namespace:
		c := &corev1.Namespace{TypeMeta: o.TypeMeta, ObjectMeta: meta(&o.ObjectMeta), Status: o.Status}
		c.Labels = o.Labels
		t.Object, t.Meta = c, &c.ObjectMeta
	case *storagev1.StorageClass:
		// Its name, and whether it is marked default.
		c := &storagev1.StorageClass{TypeMeta: o.TypeMeta, ObjectMeta: meta(&o.ObjectMeta)}
		for _, k := range defaultClassAnnotations {
			if v, ok := o.Annotations[k]; ok {
				if c.Annotations == nil {
					c.Annotations = map[string]string{}
				}
				c.Annotations[k] = v
			}
		}
		t.Object, t.Meta = c, &c.ObjectMeta
	case *schedulingv1.PriorityClass:
		c := &schedulingv1.PriorityClass{TypeMeta: o.TypeMeta, ObjectMeta: meta(&o.ObjectMeta)}
		t.Object, t.Meta = c, &c.ObjectMeta
	case *nodev1.RuntimeClass:
		c := &nodev1.RuntimeClass{TypeMeta: o.TypeMeta, ObjectMeta: meta(&o.ObjectMeta)}
		t.Object, t.Meta = c, &c.ObjectMeta
	}
}

// collect gathers the results in input order: per input, its documents'
// objects and errors, then how it ended.
type collector struct {
	rep     *Report
	entries []*entry
	found   []placedFinding
	seq     int
	// the input being gathered
	input                       int
	objects, skipped, supp, pat int
	kept                        []*entry
	finds                       []placedFinding
	errs                        []InputError
}

func (c *collector) add(r docResult) {
	if r.end != nil {
		c.finish(r.end)
		return
	}
	c.errs = append(c.errs, r.errs...)
	for _, o := range r.objs {
		if o.patch {
			c.pat++
			continue
		}
		c.objects++
		if o.skipped {
			c.skipped++
		}
		c.supp += o.suppressed
		seq := c.seq + c.objects
		for _, f := range o.findings {
			f.seq = seq
			c.finds = append(c.finds, f)
		}
		if o.entry != nil {
			o.entry.seq = seq
			c.kept = append(c.kept, o.entry)
		}
	}
}

func (c *collector) finish(end *inputEnd) {
	s := &c.rep.Summary
	s.Patches += end.patches
	if !end.discard {
		s.Patches += c.pat
		s.Objects += c.objects
		s.Skipped += c.skipped
		s.Suppressed += c.supp
		c.seq += c.objects
		c.entries = append(c.entries, c.kept...)
		c.found = append(c.found, c.finds...)
		c.rep.Errors = append(c.rep.Errors, end.first...)
		c.rep.Errors = append(c.rep.Errors, c.errs...)
	}
	c.rep.Errors = append(c.rep.Errors, end.last...)
	c.input++
	c.objects, c.skipped, c.supp, c.pat = 0, 0, 0, 0
	c.kept, c.finds, c.errs = nil, nil, nil
}

// stream reads and checks every input, first pass; it returns the kept
// entries and the settled findings, filling the report's counts and
// errors.
func (p *pipeline) stream(rep *Report) ([]*entry, []placedFinding) {
	workers := max(1, runtime.GOMAXPROCS(0))
	jobs := make(chan job, queueDepth*workers)
	results := make(chan docResult, queueDepth*workers)
	go p.read(jobs)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() { p.work(jobs, results) })
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	c := &collector{rep: rep}
	// Results come back out of order; each waits for its turn.
	waiting := map[[2]int]docResult{}
	next := [2]int{0, 0}
	for r := range results {
		waiting[[2]int{r.input, r.seq}] = r
		for {
			w, ok := waiting[next]
			if !ok {
				break
			}
			delete(waiting, next)
			c.add(w)
			if w.end != nil {
				next = [2]int{next[0] + 1, 0}
			} else {
				next[1]++
			}
		}
	}
	p.objects = c.seq
	return c.entries, c.found
}
