package why

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/podlint/podlint/checks"
)

// How long a state must last before it counts as stuck, when no warning
// says so earlier.
const (
	// A pod deleted more than this after its grace period ended.
	terminatingOverdue = time.Minute
	// An unscheduled pod without any scheduling event.
	unscheduledAfter = time.Minute
	// A scheduled pod still creating its containers, without a warning.
	creatingAfter = 2 * time.Minute
	// kubelet-status-lag: Creating or Terminating this long on a node
	// with at least statusLagPods pods.
	statusLagAfter = 10 * time.Minute
	statusLagPods  = 200
)

// Target is one TARGET of the command line.
type Target struct {
	// Kind is Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
	// CronJob or Namespace.
	Kind, Namespace, Name string
}

func (t Target) String() string {
	if t.Kind == KindNamespace {
		return "namespace/" + t.Name
	}
	return strings.ToLower(t.Kind) + "/" + t.Name + " in namespace " + t.Namespace
}

// Options say what to diagnose.
type Options struct {
	// Now is the time ages are measured from.
	Now time.Time
	// Namespace limits the run to one namespace; "" means all.
	Namespace string
	// Targets, when set, are the only objects diagnosed.
	Targets []Target
	// Checks configures the podlint checks run for findings; nil means
	// checks.DefaultConfig().
	Checks *checks.Config
	// Table is the compiled rule table; nil compiles Rules(). Callers
	// that diagnose many dumps compile it once.
	Table *Table
}

// Evidence is one status field, event, node condition or log line a
// verdict rests on.
type Evidence struct {
	// Source is status, event, node, owner, log, lease, spec or
	// namespace.
	Source string `json:"source"`
	Text   string `json:"text"`
}

// Finding is a podlint check finding on the pod's or its owner's spec
// that would have caught the cause before deploy.
type Finding struct {
	Check     string    `json:"check"`
	Severity  string    `json:"severity"`
	Object    ObjectRef `json:"object"`
	Container string    `json:"container"`
	Field     string    `json:"field"`
	Message   string    `json:"message"`
}

// ObjectRef names the diagnosed object; every key is always present.
type ObjectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
}

func (o ObjectRef) String() string {
	if o.Namespace == "" {
		return o.Kind + " " + o.Name
	}
	return o.Kind + " " + o.Namespace + "/" + o.Name
}

// Diagnosis is one cause of one stuck object.
type Diagnosis struct {
	Object      ObjectRef  `json:"object"`
	Container   string     `json:"container"`
	Node        string     `json:"node"`
	State       string     `json:"state"`
	Cause       string     `json:"cause"`
	Summary     string     `json:"summary"`
	Evidence    []Evidence `json:"evidence"`
	Remediation string     `json:"remediation"`
	Findings    []Finding  `json:"findings"`

	// explains is how many nodes or containers the diagnosis accounts for;
	// an object's diagnoses are ordered by it.
	explains int
	rule     *Rule
	order    int
}

// Summary counts what a run looked at.
type Summary struct {
	// Pods is the number of pods examined.
	Pods int `json:"pods"`
	// Stuck is the number of stuck objects (pods, workloads without
	// their pods, terminating namespaces).
	Stuck int `json:"stuck"`
	// Diagnosed and Unknown split Stuck: objects with at least one known
	// cause, and objects whose only diagnosis is "unknown".
	Diagnosed int `json:"diagnosed"`
	Unknown   int `json:"unknown"`
}

// Report is the result of a run.
type Report struct {
	Diagnoses []*Diagnosis `json:"diagnoses"`
	Summary   Summary      `json:"summary"`
	// Targets are the targets that were found, for the text output's
	// "nothing stuck" lines.
	Targets []Target `json:"-"`
}

// TargetError says a TARGET is not in the cluster or dump.
type TargetError struct{ Msg string }

func (e *TargetError) Error() string { return e.Msg }

// Diagnose explains every stuck pod and workload of the dump in scope.
func Diagnose(d *Dump, opts Options) (*Report, error) {
	table := opts.Table
	if table == nil {
		var err error
		if table, err = NewTable(Rules()); err != nil {
			return nil, err
		}
	}
	d.sortAll()
	x := newRun(d, table, opts)
	return x.report()
}

type nsName struct{ ns, name string }

type objKey struct{ kind, ns, name string }

// run holds the indexes of one diagnosis run.
type run struct {
	d     *Dump
	t     *Table
	opts  Options
	now   time.Time
	cfg   *checks.Config
	inv   checks.Inventory
	eng   *checks.Engine
	cache map[any][]checks.Finding

	events     map[objKey][]*Event // newest last
	nodes      map[string]*corev1.Node
	podsOnNode map[string]int
	rs         map[nsName]*appsv1.ReplicaSet
	deploys    map[nsName]*appsv1.Deployment
	sts        map[nsName]*appsv1.StatefulSet
	ds         map[nsName]*appsv1.DaemonSet
	jobs       map[nsName]*batchv1.Job
	cronjobs   map[nsName]*batchv1.CronJob
	namespaces map[string]*corev1.Namespace
	leases     map[nsName]*coordinationv1.Lease
	logs       map[[3]string]*ContainerLog
	owned      map[types.UID][]metav1.Object // children by controller UID
	ownedName  map[objKey][]metav1.Object    // children by controller kind/ns/name
}

func newRun(d *Dump, t *Table, opts Options) *run {
	x := &run{
		d: d, t: t, opts: opts, now: opts.Now, cfg: opts.Checks, cache: map[any][]checks.Finding{},
		events: map[objKey][]*Event{}, nodes: map[string]*corev1.Node{}, podsOnNode: map[string]int{},
		rs: map[nsName]*appsv1.ReplicaSet{}, deploys: map[nsName]*appsv1.Deployment{}, sts: map[nsName]*appsv1.StatefulSet{},
		ds: map[nsName]*appsv1.DaemonSet{}, jobs: map[nsName]*batchv1.Job{}, cronjobs: map[nsName]*batchv1.CronJob{},
		namespaces: map[string]*corev1.Namespace{}, leases: map[nsName]*coordinationv1.Lease{},
		logs: map[[3]string]*ContainerLog{}, owned: map[types.UID][]metav1.Object{}, ownedName: map[objKey][]metav1.Object{},
	}
	if x.cfg == nil {
		x.cfg = checks.DefaultConfig()
	}
	for _, e := range d.Events {
		k := objKey{e.Regarding.Kind, e.Regarding.Namespace, e.Regarding.Name}
		x.events[k] = append(x.events[k], e)
	}
	for _, n := range d.Nodes {
		x.nodes[n.Name] = n
	}
	for _, p := range d.Pods {
		if p.Spec.NodeName != "" && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			x.podsOnNode[p.Spec.NodeName]++
		}
		x.own(p)
	}
	for _, o := range d.ReplicaSets {
		x.rs[nsName{o.Namespace, o.Name}] = o
		x.own(o)
	}
	for _, o := range d.Deployments {
		x.deploys[nsName{o.Namespace, o.Name}] = o
	}
	for _, o := range d.StatefulSets {
		x.sts[nsName{o.Namespace, o.Name}] = o
	}
	for _, o := range d.DaemonSets {
		x.ds[nsName{o.Namespace, o.Name}] = o
	}
	for _, o := range d.Jobs {
		x.jobs[nsName{o.Namespace, o.Name}] = o
		x.own(o)
	}
	for _, o := range d.CronJobs {
		x.cronjobs[nsName{o.Namespace, o.Name}] = o
	}
	for _, o := range d.Namespaces {
		x.namespaces[o.Name] = o
	}
	for _, o := range d.Leases {
		x.leases[nsName{o.Namespace, o.Name}] = o
	}
	for _, l := range d.Logs {
		x.logs[[3]string{l.Namespace, l.Pod, l.Container}] = l
	}
	x.inv = newInventory(d)
	x.eng = checks.NewEngine(x.cfg)
	return x
}

func (x *run) own(o metav1.Object) {
	ref := metav1.GetControllerOf(o)
	if ref == nil {
		return
	}
	if ref.UID != "" {
		x.owned[ref.UID] = append(x.owned[ref.UID], o)
	}
	k := objKey{ref.Kind, o.GetNamespace(), ref.Name}
	x.ownedName[k] = append(x.ownedName[k], o)
}

// children returns the objects a controller owns, by UID when both sides
// have one, else by kind and name.
func (x *run) children(kind string, o metav1.Object) []metav1.Object {
	var out []metav1.Object
	for _, c := range x.ownedName[objKey{kind, o.GetNamespace(), o.GetName()}] {
		ref := metav1.GetControllerOf(c)
		if ref.UID != "" && o.GetUID() != "" && ref.UID != o.GetUID() {
			continue
		}
		out = append(out, c)
	}
	return out
}

// eventsOf returns the events about an object, oldest first, skipping
// those of an earlier object with the same name.
func (x *run) eventsOf(kind string, o metav1.Object) []*Event {
	all := x.events[objKey{kind, o.GetNamespace(), o.GetName()}]
	uid := o.GetUID()
	if uid == "" {
		return all
	}
	out := all[:0:0]
	for _, e := range all {
		if e.Regarding.UID == "" || e.Regarding.UID == uid {
			out = append(out, e)
		}
	}
	return out
}

func (x *run) inScope(ns string) bool {
	return x.opts.Namespace == "" || x.opts.Namespace == ns
}

func (x *run) report() (*Report, error) {
	rep := &Report{Diagnoses: []*Diagnosis{}}
	var pods []*corev1.Pod
	var workloads []metav1.Object
	var nsDiag []*Diagnosis
	if len(x.opts.Targets) == 0 {
		for _, p := range x.d.Pods {
			if x.inScope(p.Namespace) {
				pods = append(pods, p)
			}
		}
		workloads = x.allWorkloads()
	} else {
		seenPod := map[*corev1.Pod]bool{}
		seenW := map[metav1.Object]bool{}
		for _, tg := range x.opts.Targets {
			ps, ws, nd, err := x.resolve(tg)
			if err != nil {
				return nil, err
			}
			rep.Targets = append(rep.Targets, tg)
			for _, p := range ps {
				if !seenPod[p] {
					seenPod[p] = true
					pods = append(pods, p)
				}
			}
			for _, w := range ws {
				if !seenW[w] {
					seenW[w] = true
					workloads = append(workloads, w)
				}
			}
			nsDiag = append(nsDiag, nd...)
		}
	}
	rep.Summary.Pods = len(pods)
	var groups [][]*Diagnosis
	for _, p := range pods {
		if ds := x.pod(p); len(ds) > 0 {
			groups = append(groups, ds)
		}
	}
	groups = append(groups, x.workloadGroups(workloads)...)
	if len(nsDiag) > 0 {
		groups = append(groups, nsDiag)
	}
	for _, g := range groups {
		rep.Summary.Stuck++
		known := false
		for i, dg := range g {
			dg.order = i
			if dg.Cause != "unknown" {
				known = true
			}
			x.fill(dg)
		}
		if known {
			rep.Summary.Diagnosed++
		} else {
			rep.Summary.Unknown++
		}
		slices.SortStableFunc(g, func(a, b *Diagnosis) int { return cmp.Compare(b.explains, a.explains) })
		rep.Diagnoses = append(rep.Diagnoses, g...)
	}
	slices.SortStableFunc(rep.Diagnoses, func(a, b *Diagnosis) int {
		return cmp.Or(cmp.Compare(a.Object.Namespace, b.Object.Namespace), cmp.Compare(kindOrder(a.Object.Kind), kindOrder(b.Object.Kind)),
			cmp.Compare(a.Object.Kind, b.Object.Kind), cmp.Compare(a.Object.Name, b.Object.Name))
	})
	return rep, nil
}

func kindOrder(k string) int {
	switch k {
	case KindNamespace:
		return 0
	case KindPod:
		return 2
	}
	return 1
}

// fill completes a diagnosis: evidence never nil, findings computed.
func (x *run) fill(dg *Diagnosis) {
	if dg.Evidence == nil {
		dg.Evidence = []Evidence{}
	}
	if dg.Findings == nil {
		dg.Findings = []Finding{}
	}
}

// resolve turns a target into the pods and workloads to diagnose.
func (x *run) resolve(tg Target) ([]*corev1.Pod, []metav1.Object, []*Diagnosis, error) {
	k := nsName{tg.Namespace, tg.Name}
	notFound := func() error {
		if !x.d.Listed[tg.Kind] && tg.Kind != KindPod {
			return &TargetError{fmt.Sprintf("%s: no %s objects in the input (kubectl get %ss ... to include them)", tg, tg.Kind, strings.ToLower(tg.Kind))}
		}
		return &TargetError{fmt.Sprintf("%s: not found", tg)}
	}
	switch tg.Kind {
	case KindPod:
		for _, p := range x.d.Pods {
			if p.Namespace == tg.Namespace && p.Name == tg.Name {
				return []*corev1.Pod{p}, nil, nil, nil
			}
		}
		return nil, nil, nil, notFound()
	case KindNamespace:
		ns, ok := x.namespaces[tg.Name]
		var pods []*corev1.Pod
		for _, p := range x.d.Pods {
			if p.Namespace == tg.Name {
				pods = append(pods, p)
			}
		}
		var ws []metav1.Object
		for _, w := range x.allWorkloads() {
			if w.GetNamespace() == tg.Name {
				ws = append(ws, w)
			}
		}
		if !ok {
			if len(pods) == 0 && len(ws) == 0 {
				return nil, nil, nil, notFound()
			}
			return pods, ws, nil, nil
		}
		var nd []*Diagnosis
		if dg := x.namespaceTerminating(ns); dg != nil {
			nd = append(nd, dg)
		}
		return pods, ws, nd, nil
	}
	var obj metav1.Object
	switch tg.Kind {
	case KindDeployment:
		if o, ok := x.deploys[k]; ok {
			obj = o
		}
	case KindReplicaSet:
		if o, ok := x.rs[k]; ok {
			obj = o
		}
	case KindStatefulSet:
		if o, ok := x.sts[k]; ok {
			obj = o
		}
	case KindDaemonSet:
		if o, ok := x.ds[k]; ok {
			obj = o
		}
	case KindJob:
		if o, ok := x.jobs[k]; ok {
			obj = o
		}
	case KindCronJob:
		if o, ok := x.cronjobs[k]; ok {
			obj = o
		}
	}
	if obj == nil {
		return nil, nil, nil, notFound()
	}
	var pods []*corev1.Pod
	ws := []metav1.Object{obj}
	var walk func(kind string, o metav1.Object)
	walk = func(kind string, o metav1.Object) {
		for _, c := range x.children(kind, o) {
			switch c := c.(type) {
			case *corev1.Pod:
				pods = append(pods, c)
			case *appsv1.ReplicaSet:
				ws = append(ws, c)
				walk(KindReplicaSet, c)
			case *batchv1.Job:
				ws = append(ws, c)
				walk(KindJob, c)
			}
		}
	}
	walk(tg.Kind, obj)
	slices.SortFunc(pods, func(a, b *corev1.Pod) int { return cmp.Compare(a.Name, b.Name) })
	return pods, ws, nil, nil
}

// age words a duration as kubectl does ("5m", "3h12m", "2d").
func age(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return duration.HumanDuration(d)
}

func (x *run) since(t time.Time) string { return age(x.now.Sub(t)) }

// eventText quotes an event as kubectl describe shows it.
func (x *run) eventText(e *Event, about string) string {
	var b strings.Builder
	if about != "" {
		b.WriteString(about)
		b.WriteString(": ")
	}
	typ := e.Type
	if typ == "" {
		typ = "Normal"
	}
	fmt.Fprintf(&b, "%s %s %s ago", typ, e.Reason, x.since(e.Last))
	if e.Count > 1 {
		fmt.Fprintf(&b, " (x%d over %s)", e.Count, age(e.Last.Sub(e.First)))
	}
	if e.From != "" {
		fmt.Fprintf(&b, " from %s", e.From)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

func podRef(p *corev1.Pod) ObjectRef {
	return ObjectRef{APIVersion: "v1", Kind: KindPod, Namespace: p.Namespace, Name: p.Name}
}

// newDiagnosis renders a row for an object.
func (x *run) newDiagnosis(r *Rule, obj ObjectRef, state string, v Vars, ev []Evidence) *Diagnosis {
	sum, fix := x.t.Render(r, v)
	return &Diagnosis{Object: obj, Container: v.Container, Node: v.Node, State: state, Cause: r.ID,
		Summary: sum, Evidence: ev, Remediation: fix, explains: max(v.Count, 1), rule: r}
}
