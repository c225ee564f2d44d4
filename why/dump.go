package why

import (
	"cmp"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Kind names the kinds a dump holds, as kubectl prints them.
const (
	KindPod         = "Pod"
	KindEvent       = "Event"
	KindNode        = "Node"
	KindNamespace   = "Namespace"
	KindDaemonSet   = "DaemonSet"
	KindDeployment  = "Deployment"
	KindReplicaSet  = "ReplicaSet"
	KindStatefulSet = "StatefulSet"
	KindJob         = "Job"
	KindCronJob     = "CronJob"
	KindLease       = "Lease"
	// KindContainerLog is podlint's own: the tail of a container's
	// previous log, which a dump may carry (see ContainerLog).
	KindContainerLog = "ContainerLog"
)

// Event is one event of either API (core/v1 or events.k8s.io/v1), reduced
// to what a diagnosis quotes.
type Event struct {
	Namespace string
	// Regarding is the object the event is about; FieldPath names the
	// container ("spec.containers{app}").
	Regarding corev1.ObjectReference
	Type      string
	Reason    string
	Message   string
	// From is the reporting component and, for the kubelet, its node.
	From  string
	Count int32
	// First and Last are when the event was first and last seen.
	First, Last time.Time
}

// ContainerLog is the tail of one container's log (the previous run for a
// restarted container). --live reads it from pods/log; a dump may carry it
// as an object {apiVersion: podlint.io/v1, kind: ContainerLog, metadata:
// {namespace, name: POD}, container: NAME, previous: true, lines: [...]}.
type ContainerLog struct {
	Namespace, Pod, Container string
	Previous                  bool
	Lines                     []string
}

// Dump is what podlint why knows about a cluster: from ReadLive or from
// kubectl output. Slices are in input order until Index sorts them.
type Dump struct {
	Pods         []*corev1.Pod
	Events       []*Event
	Nodes        []*corev1.Node
	Namespaces   []*corev1.Namespace
	DaemonSets   []*appsv1.DaemonSet
	Deployments  []*appsv1.Deployment
	ReplicaSets  []*appsv1.ReplicaSet
	StatefulSets []*appsv1.StatefulSet
	Jobs         []*batchv1.Job
	CronJobs     []*batchv1.CronJob
	Leases       []*coordinationv1.Lease
	Logs         []*ContainerLog

	// Listed holds the kinds known to be complete: listed by --live, or
	// present with at least one object in a dump (kubectl output cannot
	// tell "listed and empty" from "not asked for").
	Listed map[string]bool
	// Skipped counts objects of kinds podlint why does not read.
	Skipped map[string]int
}

// NewDump returns an empty dump.
func NewDump() *Dump {
	return &Dump{Listed: map[string]bool{}, Skipped: map[string]int{}}
}

// Merge adds another dump's objects (a second --from file).
func (d *Dump) Merge(o *Dump) {
	d.Pods = append(d.Pods, o.Pods...)
	d.Events = append(d.Events, o.Events...)
	d.Nodes = append(d.Nodes, o.Nodes...)
	d.Namespaces = append(d.Namespaces, o.Namespaces...)
	d.DaemonSets = append(d.DaemonSets, o.DaemonSets...)
	d.Deployments = append(d.Deployments, o.Deployments...)
	d.ReplicaSets = append(d.ReplicaSets, o.ReplicaSets...)
	d.StatefulSets = append(d.StatefulSets, o.StatefulSets...)
	d.Jobs = append(d.Jobs, o.Jobs...)
	d.CronJobs = append(d.CronJobs, o.CronJobs...)
	d.Leases = append(d.Leases, o.Leases...)
	d.Logs = append(d.Logs, o.Logs...)
	for k := range o.Listed {
		d.Listed[k] = true
	}
	for k, n := range o.Skipped {
		d.Skipped[k] += n
	}
}

// EventFromCore converts a core/v1 Event. Events written through
// events.k8s.io/v1 read back through core/v1 with eventTime and series
// instead of firstTimestamp, lastTimestamp and count; both shapes land in
// the same fields here, so --live and a kubectl dump agree.
func EventFromCore(e *corev1.Event) *Event {
	ev := &Event{
		Namespace: e.Namespace,
		Regarding: e.InvolvedObject,
		Type:      e.Type,
		Reason:    e.Reason,
		Message:   strings.TrimSpace(e.Message),
		Count:     e.Count,
		First:     e.FirstTimestamp.Time,
		Last:      e.LastTimestamp.Time,
	}
	ev.From = from(e.Source.Component, e.Source.Host, e.ReportingController, e.ReportingInstance)
	var series *seriesTimes
	if e.Series != nil {
		series = &seriesTimes{e.Series.Count, e.Series.LastObservedTime.Time}
	}
	return ev.settle(e.Namespace, series, e.EventTime.Time, e.CreationTimestamp.Time)
}

// seriesTimes is what both Event APIs' series say.
type seriesTimes struct {
	count int32
	last  time.Time
}

// settle fills in what either Event API may leave out, the same way for
// both: the regarding object's namespace, the count and times from a
// series, eventTime and, last, the creation time.
func (ev *Event) settle(namespace string, series *seriesTimes, eventTime, created time.Time) *Event {
	if ev.Regarding.Namespace == "" && ev.Regarding.Kind != KindNode && ev.Regarding.Kind != KindNamespace {
		ev.Regarding.Namespace = namespace
	}
	if series != nil {
		ev.Count = max(ev.Count, series.count)
		ev.Last = latest(ev.Last, series.last)
	}
	ev.First = earliest(ev.First, eventTime)
	ev.Last = latest(ev.Last, eventTime)
	if ev.Last.IsZero() {
		ev.Last = created
	}
	if ev.First.IsZero() {
		ev.First = ev.Last
	}
	ev.Count = max(ev.Count, 1)
	return ev
}

// EventFromEventsV1 converts an events.k8s.io/v1 Event.
func EventFromEventsV1(e *eventsv1.Event) *Event {
	ev := &Event{
		Namespace: e.Namespace,
		Regarding: e.Regarding,
		Type:      e.Type,
		Reason:    e.Reason,
		Message:   strings.TrimSpace(e.Note),
		Count:     e.DeprecatedCount,
		First:     e.DeprecatedFirstTimestamp.Time,
		Last:      e.DeprecatedLastTimestamp.Time,
	}
	ev.From = from(e.DeprecatedSource.Component, e.DeprecatedSource.Host, e.ReportingController, e.ReportingInstance)
	var series *seriesTimes
	if e.Series != nil {
		series = &seriesTimes{e.Series.Count, e.Series.LastObservedTime.Time}
	}
	return ev.settle(e.Namespace, series, e.EventTime.Time, e.CreationTimestamp.Time)
}

// from words the reporter as kubectl describe does ("kubelet, node-1" in
// old clusters; the controller alone in new ones).
func from(component, host, controller, instance string) string {
	if component == "" {
		component = controller
		if host == "" && controller == "kubelet" {
			host = instance
		}
	}
	if host != "" && component != "" {
		return component + ", " + host
	}
	return component
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// Newest returns the newest timestamp in the dump: "now" for a dump, so
// that ages and "for how long" read as they did when it was taken. The
// zero time means the dump holds no timestamp at all.
func (d *Dump) Newest() time.Time {
	var t time.Time
	see := func(m metav1.Time) { t = latest(t, m.Time) }
	meta := func(m *metav1.ObjectMeta) { see(m.CreationTimestamp) }
	for _, p := range d.Pods {
		meta(&p.ObjectMeta)
		for _, c := range p.Status.Conditions {
			see(c.LastTransitionTime)
			see(c.LastProbeTime)
		}
		for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
			for _, cs := range list {
				for _, s := range []corev1.ContainerState{cs.State, cs.LastTerminationState} {
					if s.Running != nil {
						see(s.Running.StartedAt)
					}
					if s.Terminated != nil {
						see(s.Terminated.StartedAt)
						see(s.Terminated.FinishedAt)
					}
				}
			}
		}
	}
	for _, e := range d.Events {
		t = latest(t, e.Last)
	}
	for _, n := range d.Nodes {
		meta(&n.ObjectMeta)
		for _, c := range n.Status.Conditions {
			see(c.LastHeartbeatTime)
			see(c.LastTransitionTime)
		}
	}
	for _, l := range d.Leases {
		meta(&l.ObjectMeta)
		if l.Spec.RenewTime != nil {
			t = latest(t, l.Spec.RenewTime.Time)
		}
	}
	for _, n := range d.Namespaces {
		meta(&n.ObjectMeta)
	}
	for _, o := range d.DaemonSets {
		meta(&o.ObjectMeta)
	}
	for _, o := range d.Deployments {
		meta(&o.ObjectMeta)
		for _, c := range o.Status.Conditions {
			see(c.LastUpdateTime)
		}
	}
	for _, o := range d.ReplicaSets {
		meta(&o.ObjectMeta)
	}
	for _, o := range d.StatefulSets {
		meta(&o.ObjectMeta)
	}
	for _, o := range d.Jobs {
		meta(&o.ObjectMeta)
	}
	for _, o := range d.CronJobs {
		meta(&o.ObjectMeta)
	}
	return t
}

// sortAll orders every slice by namespace and name (events by time), so
// that output never depends on the order of a listing or of the files.
// Later copies of one object (a second --from file) replace earlier ones.
func (d *Dump) sortAll() {
	d.Pods = dedupe(d.Pods)
	d.Nodes = dedupe(d.Nodes)
	d.Namespaces = dedupe(d.Namespaces)
	d.DaemonSets = dedupe(d.DaemonSets)
	d.Deployments = dedupe(d.Deployments)
	d.ReplicaSets = dedupe(d.ReplicaSets)
	d.StatefulSets = dedupe(d.StatefulSets)
	d.Jobs = dedupe(d.Jobs)
	d.CronJobs = dedupe(d.CronJobs)
	d.Leases = dedupe(d.Leases)
	slices.SortStableFunc(d.Events, func(a, b *Event) int {
		if c := a.Last.Compare(b.Last); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Reason, b.Reason); c != 0 {
			return c
		}
		return cmp.Compare(a.Message, b.Message)
	})
	slices.SortStableFunc(d.Logs, func(a, b *ContainerLog) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Pod, b.Pod), cmp.Compare(a.Container, b.Container))
	})
}

func dedupe[T metav1.Object](in []T) []T {
	idx := make(map[[2]string]int, len(in))
	out := in[:0]
	for _, o := range in {
		k := [2]string{o.GetNamespace(), o.GetName()}
		if i, ok := idx[k]; ok {
			out[i] = o
			continue
		}
		idx[k] = len(out)
		out = append(out, o)
	}
	slices.SortStableFunc(out, func(a, b T) int {
		return cmp.Or(cmp.Compare(a.GetNamespace(), b.GetNamespace()), cmp.Compare(a.GetName(), b.GetName()))
	})
	return out
}
