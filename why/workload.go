package why

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"

	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
)

// allWorkloads are the pod owners in scope, in a stable order.
func (x *run) allWorkloads() []metav1.Object {
	var out []metav1.Object
	add := func(o metav1.Object) {
		if x.inScope(o.GetNamespace()) {
			out = append(out, o)
		}
	}
	for _, o := range x.d.ReplicaSets {
		add(o)
	}
	for _, o := range x.d.StatefulSets {
		add(o)
	}
	for _, o := range x.d.DaemonSets {
		add(o)
	}
	for _, o := range x.d.Jobs {
		add(o)
	}
	for _, o := range x.d.Deployments {
		add(o)
	}
	return out
}

// workload is the object a NotCreated diagnosis is about, with the
// typed object the checks run on.
type workload struct {
	ref        ObjectRef
	kind, name string // for the remediation
	obj        runtime.Object
}

func (x *run) workloadOf(kind string, o metav1.Object) workload {
	w := workload{kind: strings.ToLower(kind), name: o.GetName()}
	switch o := o.(type) {
	case *appsv1.ReplicaSet:
		w.ref, w.obj = ObjectRef{"apps/v1", KindReplicaSet, o.Namespace, o.Name}, o
		if ref := metav1.GetControllerOf(o); ref != nil && ref.Kind == KindDeployment {
			w.ref, w.kind, w.name = ObjectRef{"apps/v1", KindDeployment, o.Namespace, ref.Name}, "deployment", ref.Name
			if d := x.deploys[nsName{o.Namespace, ref.Name}]; d != nil {
				w.obj = d
			}
		}
	case *appsv1.Deployment:
		w.ref, w.obj = ObjectRef{"apps/v1", KindDeployment, o.Namespace, o.Name}, o
	case *appsv1.StatefulSet:
		w.ref, w.obj = ObjectRef{"apps/v1", KindStatefulSet, o.Namespace, o.Name}, o
	case *appsv1.DaemonSet:
		w.ref, w.obj = ObjectRef{"apps/v1", KindDaemonSet, o.Namespace, o.Name}, o
	case *batchv1.Job:
		w.ref, w.obj = ObjectRef{"batch/v1", KindJob, o.Namespace, o.Name}, o
		if ref := metav1.GetControllerOf(o); ref != nil && ref.Kind == KindCronJob {
			if c := x.cronjobs[nsName{o.Namespace, ref.Name}]; c != nil {
				w.obj = c
			}
		}
	}
	return w
}

// workloadGroups diagnoses workloads that are missing pods; diagnoses of
// one top object (a Deployment over several ReplicaSets) form one group.
func (x *run) workloadGroups(ws []metav1.Object) [][]*Diagnosis {
	groups := map[ObjectRef][]*Diagnosis{}
	var order []ObjectRef
	add := func(d *Diagnosis) {
		if d == nil {
			return
		}
		g, ok := groups[d.Object]
		if !ok {
			order = append(order, d.Object)
		}
		for _, o := range g {
			if o.Cause == d.Cause && o.Summary == d.Summary {
				return
			}
		}
		groups[d.Object] = append(g, d)
	}
	for _, o := range ws {
		switch o := o.(type) {
		case *appsv1.ReplicaSet:
			if o.Spec.Replicas != nil && *o.Spec.Replicas > o.Status.Replicas {
				add(x.failedCreate(KindReplicaSet, o, fmt.Sprintf("ReplicaSet %s/%s: %d of %d pods exist", o.Namespace, o.Name, o.Status.Replicas, *o.Spec.Replicas), rsFailure(o)))
			}
		case *appsv1.Deployment:
			if c := deployFailure(o); c != "" {
				add(x.failedCreate(KindDeployment, o, fmt.Sprintf("Deployment %s/%s: %d of %d replicas exist", o.Namespace, o.Name, o.Status.Replicas, replicasOf(o.Spec.Replicas)), c))
			}
		case *appsv1.StatefulSet:
			if want := replicasOf(o.Spec.Replicas); want > o.Status.Replicas {
				add(x.failedCreate(KindStatefulSet, o, fmt.Sprintf("StatefulSet %s/%s: %d of %d pods exist", o.Namespace, o.Name, o.Status.Replicas, want), ""))
			}
		case *appsv1.DaemonSet:
			if o.Status.DesiredNumberScheduled > o.Status.CurrentNumberScheduled {
				add(x.failedCreate(KindDaemonSet, o, fmt.Sprintf("DaemonSet %s/%s: %d of %d desired pods exist", o.Namespace, o.Name, o.Status.CurrentNumberScheduled, o.Status.DesiredNumberScheduled), ""))
			}
			add(x.daemonSetHostPort(o))
		case *batchv1.Job:
			if !jobFinished(o) && o.Status.Active < replicasOf(o.Spec.Parallelism) {
				add(x.failedCreate(KindJob, o, fmt.Sprintf("Job %s/%s: %d of %d pods active", o.Namespace, o.Name, o.Status.Active, replicasOf(o.Spec.Parallelism)), ""))
			}
		}
	}
	out := make([][]*Diagnosis, 0, len(order))
	for _, k := range order {
		out = append(out, groups[k])
	}
	return out
}

func replicasOf(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

func jobFinished(j *batchv1.Job) bool {
	for _, c := range j.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return j.Spec.Suspend != nil && *j.Spec.Suspend
}

func rsFailure(rs *appsv1.ReplicaSet) string {
	for _, c := range rs.Status.Conditions {
		if c.Type == appsv1.ReplicaSetReplicaFailure && c.Status == corev1.ConditionTrue {
			return c.Message
		}
	}
	return ""
}

func deployFailure(d *appsv1.Deployment) string {
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentReplicaFailure && c.Status == corev1.ConditionTrue {
			return c.Message
		}
	}
	return ""
}

// failedCreate diagnoses a controller that cannot create its pods, from
// its newest FailedCreate event, or the ReplicaFailure condition that
// outlives the events.
func (x *run) failedCreate(kind string, o metav1.Object, status, condition string) *Diagnosis {
	w := x.workloadOf(kind, o)
	events := x.eventsOf(kind, o)
	var msg string
	var ev []Evidence
	about := ""
	if w.ref.Kind != kind || w.ref.Name != o.GetName() {
		about = kind + " " + o.GetNamespace() + "/" + o.GetName()
	}
	for i := len(events) - 1; i >= 0; i-- {
		if e := events[i]; e.Reason == "FailedCreate" {
			msg = e.Message
			ev = append(ev, Evidence{Source: "event", Text: x.eventText(e, about)})
			break
		}
	}
	if msg == "" && condition != "" {
		msg = condition
		ev = append(ev, Evidence{Source: "status", Text: fmt.Sprintf("%s %s/%s status.conditions[ReplicaFailure]: True: %s", kind, o.GetNamespace(), o.GetName(), condition)})
	}
	if msg == "" {
		return nil
	}
	ev = append([]Evidence{{Source: "status", Text: status}}, ev...)
	v := Vars{Namespace: o.GetNamespace(), Kind: w.kind, Name: w.name, Detail: trimCreate(msg), Ref: refName(msg)}
	if v.Ref == "" {
		v.Ref = podTemplateRef(w.obj, msg)
	}
	r := x.t.Match(Create, "FailedCreate", msg, Facts{})
	if r == nil {
		r = x.t.Rule("unknown")
		v.Detail, v.Age = "NotCreated", x.since(o.GetCreationTimestamp().Time)
		v.Pod = "<pod>"
	}
	d := x.newDiagnosis(r, w.ref, "NotCreated", v, ev)
	x.addWorkloadFindings(d, w)
	return d
}

// trimCreate drops the controller's "Error creating: pods "web-" is
// forbidden: " preamble.
func trimCreate(msg string) string {
	msg = strings.TrimPrefix(msg, "Error creating: ")
	if i := strings.Index(msg, " is forbidden: "); i >= 0 && strings.HasPrefix(msg, "pods ") {
		msg = msg[i+len(" is forbidden: "):]
	}
	return msg
}

// podTemplateRef names the ServiceAccount or PriorityClass of the pod
// template when the message does not.
func podTemplateRef(obj runtime.Object, msg string) string {
	spec := templateSpec(obj)
	if spec == nil {
		return ""
	}
	switch {
	case strings.Contains(strings.ToLower(msg), "service account"):
		return spec.ServiceAccountName
	case strings.Contains(strings.ToLower(msg), "priorityclass"):
		return spec.PriorityClassName
	}
	return ""
}

func templateSpec(obj runtime.Object) *corev1.PodSpec {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return &o.Spec.Template.Spec
	case *appsv1.ReplicaSet:
		return &o.Spec.Template.Spec
	case *appsv1.StatefulSet:
		return &o.Spec.Template.Spec
	case *appsv1.DaemonSet:
		return &o.Spec.Template.Spec
	case *batchv1.Job:
		return &o.Spec.Template.Spec
	case *batchv1.CronJob:
		return &o.Spec.JobTemplate.Spec.Template.Spec
	case *corev1.Pod:
		return &o.Spec
	}
	return nil
}

// ---- DaemonSet host port ----

type hostPort struct {
	port     int32
	protocol corev1.Protocol
	field    string
}

func (h hostPort) String() string { return fmt.Sprintf("%d/%s", h.port, h.protocol) }

func hostPortsOf(spec *corev1.PodSpec) []hostPort {
	var out []hostPort
	for i, c := range spec.Containers {
		for j, p := range c.Ports {
			port, f := p.HostPort, fmt.Sprintf("spec.template.spec.containers[%d].ports[%d].hostPort", i, j)
			if port == 0 && spec.HostNetwork {
				port, f = p.ContainerPort, fmt.Sprintf("spec.template.spec.containers[%d].ports[%d].containerPort (hostNetwork)", i, j)
			}
			if port == 0 {
				continue
			}
			proto := p.Protocol
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			out = append(out, hostPort{port, proto, f})
		}
	}
	return out
}

// daemonSetTolerations are what the DaemonSet controller adds to its pods.
func daemonSetTolerations(spec *corev1.PodSpec) []corev1.Toleration {
	out := slices.Clone(spec.Tolerations)
	for _, k := range []string{"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"} {
		out = append(out, corev1.Toleration{Key: k, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute})
	}
	keys := []string{"node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable"}
	if spec.HostNetwork {
		keys = append(keys, "node.kubernetes.io/network-unavailable")
	}
	for _, k := range keys {
		out = append(out, corev1.Toleration{Key: k, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule})
	}
	return out
}

// eligibleNodes are the nodes a DaemonSet should run on: its node
// selector and required affinity match, and it tolerates their
// NoSchedule and NoExecute taints.
func (x *run) eligibleNodes(ds *appsv1.DaemonSet) map[string]bool {
	spec := &ds.Spec.Template.Spec
	aff := nodeaffinity.NewRequiredNodeAffinity(spec.NodeSelector, spec.Affinity)
	tol := daemonSetTolerations(spec)
	out := map[string]bool{}
	for _, n := range x.d.Nodes {
		if ok, _ := aff.Match(n); !ok {
			continue
		}
		_, untolerated := corev1helpers.FindMatchingUntoleratedTaint(klog.Background(), n.Spec.Taints, tol, func(t *corev1.Taint) bool {
			return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
		}, false)
		if !untolerated {
			out[n.Name] = true
		}
	}
	return out
}

// daemonSetHostPort diagnoses the guide's node-exporter case: a DaemonSet
// that runs on fewer nodes than it should because another DaemonSet holds
// its host port there.
func (x *run) daemonSetHostPort(ds *appsv1.DaemonSet) *Diagnosis {
	ports := hostPortsOf(&ds.Spec.Template.Spec)
	if len(ports) == 0 || !x.d.Listed[KindNode] {
		return nil
	}
	eligible := x.eligibleNodes(ds)
	desired := int(ds.Status.DesiredNumberScheduled)
	if desired >= len(eligible) {
		return nil
	}
	for _, other := range x.d.DaemonSets {
		if other == ds || other.Status.CurrentNumberScheduled == 0 && other.Status.DesiredNumberScheduled == 0 {
			continue
		}
		for _, op := range hostPortsOf(&other.Spec.Template.Spec) {
			i := slices.IndexFunc(ports, func(p hostPort) bool { return p.port == op.port && p.protocol == op.protocol })
			if i < 0 {
				continue
			}
			shared := 0
			for n := range x.eligibleNodes(other) {
				if eligible[n] {
					shared++
				}
			}
			if shared == 0 {
				continue
			}
			w := x.workloadOf(KindDaemonSet, ds)
			v := Vars{Namespace: ds.Namespace, Kind: "daemonset", Name: ds.Name, Count: desired, Total: len(eligible),
				Other: other.Namespace + "/" + other.Name, Port: ports[i].String(), Pod: "<pod>"}
			s := ds.Status
			ev := []Evidence{
				{Source: "status", Text: fmt.Sprintf("DaemonSet %s/%s: desired %d, current %d, ready %d, up-to-date %d, available %d; %d nodes match its selector and tolerations",
					ds.Namespace, ds.Name, s.DesiredNumberScheduled, s.CurrentNumberScheduled, s.NumberReady, s.UpdatedNumberScheduled, s.NumberAvailable, len(eligible))},
				{Source: "spec", Text: fmt.Sprintf("DaemonSet %s/%s %s: %s", ds.Namespace, ds.Name, ports[i].field, ports[i])},
				{Source: "spec", Text: fmt.Sprintf("DaemonSet %s/%s %s: %s; it runs on %d nodes (%d shared)", other.Namespace, other.Name, op.field, op, other.Status.CurrentNumberScheduled, shared)},
			}
			d := x.newDiagnosis(x.t.Rule("daemonset-host-port-conflict"), w.ref, "NotCreated", v, ev)
			d.explains = len(eligible) - desired
			x.addWorkloadFindings(d, w)
			return d
		}
	}
	return nil
}

// ---- Namespaces ----

func (x *run) namespaceTerminating(ns *corev1.Namespace) *Diagnosis {
	if ns.DeletionTimestamp == nil && ns.Status.Phase != corev1.NamespaceTerminating {
		return nil
	}
	since := ns.CreationTimestamp.Time
	if ns.DeletionTimestamp != nil {
		since = ns.DeletionTimestamp.Time
		if x.now.Sub(since) < terminatingOverdue {
			return nil
		}
	}
	counts := map[string]int{}
	count := func(kind string, n string) {
		if n == ns.Name {
			counts[kind]++
		}
	}
	for _, o := range x.d.Pods {
		count(KindPod, o.Namespace)
	}
	for _, o := range x.d.Deployments {
		count(KindDeployment, o.Namespace)
	}
	for _, o := range x.d.ReplicaSets {
		count(KindReplicaSet, o.Namespace)
	}
	for _, o := range x.d.StatefulSets {
		count(KindStatefulSet, o.Namespace)
	}
	for _, o := range x.d.DaemonSets {
		count(KindDaemonSet, o.Namespace)
	}
	for _, o := range x.d.Jobs {
		count(KindJob, o.Namespace)
	}
	for _, o := range x.d.CronJobs {
		count(KindCronJob, o.Namespace)
	}
	for _, o := range x.d.Leases {
		count(KindLease, o.Namespace)
	}
	var ev []Evidence
	var detail []string
	if len(counts) > 0 {
		kinds := slices.SortedFunc(maps.Keys(counts), func(a, b string) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b)) })
		var parts []string
		total := 0
		for _, k := range kinds {
			parts = append(parts, fmt.Sprintf("%s: %d", k, counts[k]))
			total += counts[k]
		}
		detail = append(detail, fmt.Sprintf("%d objects remain (%s)", total, strings.Join(parts, ", ")))
		ev = append(ev, Evidence{Source: "namespace", Text: fmt.Sprintf("still in namespace %s: %s", ns.Name, strings.Join(parts, ", "))})
	}
	for _, c := range ns.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		ev = append(ev, Evidence{Source: "status", Text: fmt.Sprintf("status.conditions[%s]: True, %s: %s", c.Type, c.Reason, c.Message)})
		if len(counts) == 0 && c.Message != "" {
			detail = append(detail, c.Message)
		}
	}
	if len(ns.Spec.Finalizers) > 0 {
		var f []string
		for _, s := range ns.Spec.Finalizers {
			f = append(f, string(s))
		}
		detail = append(detail, "spec.finalizers: "+strings.Join(f, ", "))
		ev = append(ev, Evidence{Source: "status", Text: "spec.finalizers: " + strings.Join(f, ", ")})
	}
	if len(detail) == 0 {
		detail = append(detail, "nothing podlint can see remains")
	}
	v := Vars{Namespace: ns.Name, Name: ns.Name, Kind: "namespace", Detail: strings.Join(detail, "; "), Age: x.since(since)}
	ev = append([]Evidence{{Source: "status", Text: fmt.Sprintf("status.phase: %s; deleted %s ago", ns.Status.Phase, x.since(since))}}, ev...)
	return x.newDiagnosis(x.t.Rule("namespace-terminating"), ObjectRef{"v1", KindNamespace, "", ns.Name}, "Terminating", v, ev)
}
