package why

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// owner is the object a user changes to fix a pod: its top controller
// when the dump has it, else the pod.
type owner struct {
	// kind and name for the remediation ("deployment", "web").
	kind, name string
	// obj is the typed object the checks run on.
	obj         runtime.Object
	statefulSet bool
}

func (x *run) ownerOf(p *corev1.Pod) owner {
	o := owner{kind: "pod", name: p.Name, obj: p}
	ref := metav1.GetControllerOf(p)
	if ref == nil {
		return o
	}
	o.kind, o.name = strings.ToLower(ref.Kind), ref.Name
	switch ref.Kind {
	case KindReplicaSet:
		rs := x.rs[nsName{p.Namespace, ref.Name}]
		if rs == nil {
			return o
		}
		o.obj = rs
		if dref := metav1.GetControllerOf(rs); dref != nil && dref.Kind == KindDeployment {
			o.kind, o.name = "deployment", dref.Name
			if d := x.deploys[nsName{p.Namespace, dref.Name}]; d != nil {
				o.obj = d
			}
		}
	case KindStatefulSet:
		o.statefulSet = true
		if s := x.sts[nsName{p.Namespace, ref.Name}]; s != nil {
			o.obj = s
		}
	case KindDaemonSet:
		if s := x.ds[nsName{p.Namespace, ref.Name}]; s != nil {
			o.obj = s
		}
	case KindJob:
		j := x.jobs[nsName{p.Namespace, ref.Name}]
		if j == nil {
			return o
		}
		o.obj = j
		if cref := metav1.GetControllerOf(j); cref != nil && cref.Kind == KindCronJob {
			if c := x.cronjobs[nsName{p.Namespace, cref.Name}]; c != nil {
				o.kind, o.name, o.obj = "cronjob", c.Name, c
			}
		}
	}
	return o
}

// podCase is one pod under diagnosis.
type podCase struct {
	x     *run
	p     *corev1.Pod
	state string
	own   owner
	facts Facts
	// tiny describes the tiny memory value for sandbox-memory-too-small.
	tiny string
	// events are the pod's events, newest first.
	events []*Event
}

func (x *run) pod(p *corev1.Pod) []*Diagnosis {
	if p.Status.Phase == corev1.PodSucceeded && p.DeletionTimestamp == nil {
		return nil
	}
	c := &podCase{x: x, p: p, state: podStatus(p), own: x.ownerOf(p)}
	c.tiny = tinyMemory(p)
	c.facts.TinyMemory = c.tiny != ""
	ev := x.eventsOf(KindPod, p)
	c.events = make([]*Event, len(ev))
	for i, e := range ev {
		c.events[len(ev)-1-i] = e
	}
	var ds []*Diagnosis
	switch {
	case p.DeletionTimestamp != nil:
		ds = c.terminating()
	case p.Status.Phase == corev1.PodUnknown || p.Status.Reason == "NodeLost":
		ds = c.lost()
	case p.Status.Phase == corev1.PodFailed && p.Status.Reason != "":
		// Evicted, OutOfcpu, NodeAffinity...: the pod is finished and its
		// controller has replaced it; nothing is stuck.
		return nil
	case p.Spec.NodeName == "":
		ds = c.unscheduled()
	default:
		ds = c.scheduled()
	}
	for _, d := range ds {
		x.addFindings(d, c.own)
	}
	return ds
}

func (c *podCase) vars() Vars {
	return Vars{Namespace: c.p.Namespace, Pod: c.p.Name, Node: c.p.Spec.NodeName, Kind: c.own.kind, Name: c.own.name,
		StatefulSet: c.own.statefulSet, Scheduler: schedulerName(c.p)}
}

func schedulerName(p *corev1.Pod) string {
	if p.Spec.SchedulerName == "" {
		return corev1.DefaultSchedulerName
	}
	return p.Spec.SchedulerName
}

func (c *podCase) diag(r *Rule, state string, v Vars, ev ...Evidence) *Diagnosis {
	return c.x.newDiagnosis(r, podRef(c.p), state, v, ev)
}

func (c *podCase) event(e *Event) Evidence {
	return Evidence{Source: "event", Text: c.x.eventText(e, "")}
}

// ---- Terminating and Unknown ----

func (c *podCase) terminating() []*Diagnosis {
	p, x := c.p, c.x
	deadline := p.DeletionTimestamp.Time
	overdue := x.now.Sub(deadline)
	if overdue < terminatingOverdue {
		return nil
	}
	grace := int64(30)
	if p.DeletionGracePeriodSeconds != nil {
		grace = *p.DeletionGracePeriodSeconds
	}
	v := c.vars()
	v.Age = age(overdue + time.Duration(grace)*time.Second)
	del := Evidence{Source: "status", Text: fmt.Sprintf("metadata.deletionTimestamp: %s (grace period %ds, ended %s ago)", deadline.UTC().Format(time.RFC3339), grace, age(overdue))}
	if d := c.nodeDown(v); d != nil {
		d.Evidence = append([]Evidence{del}, d.Evidence...)
		return []*Diagnosis{d}
	}
	for _, e := range c.events {
		if r := x.t.Match(Teardown, e.Reason, e.Message, c.facts); r != nil {
			v.Detail = e.Message
			return []*Diagnosis{c.diag(r, c.state, v, del, c.event(e))}
		}
	}
	if len(p.Finalizers) > 0 {
		v.Detail = strings.Join(p.Finalizers, ", ")
		return []*Diagnosis{c.diag(x.t.Rule("finalizer-blocked"), c.state, v, del,
			Evidence{Source: "status", Text: "metadata.finalizers: " + strings.Join(p.Finalizers, ", ")})}
	}
	if d := c.statusLag(overdue, v, del); d != nil {
		return []*Diagnosis{d}
	}
	ev := []Evidence{del}
	if n := x.nodes[p.Spec.NodeName]; n != nil {
		ev = append(ev, c.nodeEvidence(n))
	}
	return []*Diagnosis{c.diag(x.t.Rule("termination-pending"), c.state, v, ev...)}
}

// lost is a pod whose phase is Unknown or whose node was lost.
func (c *podCase) lost() []*Diagnosis {
	v := c.vars()
	if d := c.nodeDown(v); d != nil {
		return []*Diagnosis{d}
	}
	return []*Diagnosis{c.unknown(v, Evidence{Source: "status", Text: fmt.Sprintf("status.phase: %s, status.reason: %s", c.p.Status.Phase, c.p.Status.Reason)})}
}

// nodeDown diagnoses node-not-ready when the pod's node is not Ready or
// is gone.
func (c *podCase) nodeDown(v Vars) *Diagnosis {
	name := c.p.Spec.NodeName
	if name == "" {
		return nil
	}
	n := c.x.nodes[name]
	if n == nil {
		if !c.x.d.Listed[KindNode] {
			return nil
		}
		v.Detail = "gone (not in the node list)"
		return c.diag(c.x.t.Rule("node-not-ready"), c.state, v, Evidence{Source: "node", Text: "Node " + name + ": not found"})
	}
	rc := nodeReady(n)
	if rc != nil && rc.Status == corev1.ConditionTrue {
		return nil
	}
	if rc == nil {
		v.Detail = "not reporting (no Ready condition)"
	} else if rc.Status == corev1.ConditionFalse {
		v.Detail = "NotReady for " + c.x.since(rc.LastTransitionTime.Time)
	} else {
		v.Detail = "unreachable (Ready=Unknown) for " + c.x.since(rc.LastTransitionTime.Time)
	}
	return c.diag(c.x.t.Rule("node-not-ready"), c.state, v, c.nodeEvidence(n))
}

func (c *podCase) nodeEvidence(n *corev1.Node) Evidence {
	rc := nodeReady(n)
	if rc == nil {
		return Evidence{Source: "node", Text: "Node " + n.Name + ": no Ready condition"}
	}
	t := fmt.Sprintf("Node %s: Ready=%s since %s ago", n.Name, rc.Status, c.x.since(rc.LastTransitionTime.Time))
	if rc.Reason != "" {
		t += ", " + rc.Reason
	}
	if rc.Message != "" {
		t += ": " + rc.Message
	}
	return Evidence{Source: "node", Text: t}
}

// statusLag diagnoses kubelet-status-lag: a long Creating or Terminating
// on a Ready node that runs many pods.
func (c *podCase) statusLag(lasted time.Duration, v Vars, ev ...Evidence) *Diagnosis {
	n := c.x.nodes[c.p.Spec.NodeName]
	pods := c.x.podsOnNode[c.p.Spec.NodeName]
	if n == nil || lasted < statusLagAfter || pods < statusLagPods {
		return nil
	}
	if rc := nodeReady(n); rc == nil || rc.Status != corev1.ConditionTrue {
		return nil
	}
	v.Pods, v.Detail, v.Age = pods, c.state, age(lasted)
	ev = append(ev, Evidence{Source: "node", Text: fmt.Sprintf("Node %s: Ready, %d pods bound to it (allocatable pods: %s)", n.Name, pods, allocPods(n))})
	return c.diag(c.x.t.Rule("kubelet-status-lag"), c.state, v, ev...)
}

func allocPods(n *corev1.Node) string {
	if q, ok := n.Status.Allocatable[corev1.ResourcePods]; ok {
		return q.String()
	}
	return "unknown"
}

func (c *podCase) unknown(v Vars, ev ...Evidence) *Diagnosis {
	if v.Detail == "" {
		v.Detail = c.state
	}
	if v.Age == "" {
		v.Age = c.x.since(c.p.CreationTimestamp.Time)
	}
	return c.diag(c.x.t.Rule("unknown"), c.state, v, ev...)
}

// ---- Pending without a node ----

func (c *podCase) unscheduled() []*Diagnosis {
	p, x := c.p, c.x
	if len(p.Spec.SchedulingGates) > 0 {
		return nil
	}
	var msg string
	var ev Evidence
	for _, e := range c.events {
		if e.Reason == "FailedScheduling" {
			msg, ev = e.Message, c.event(e)
			break
		}
	}
	if msg == "" {
		if cond := podConditionOf(p, corev1.PodScheduled); cond != nil && cond.Status == corev1.ConditionFalse && cond.Message != "" {
			msg = cond.Message
			ev = Evidence{Source: "status", Text: fmt.Sprintf("status.conditions[PodScheduled]: False, %s: %s", cond.Reason, cond.Message)}
		}
	}
	v := c.vars()
	if msg == "" {
		pending := x.now.Sub(p.CreationTimestamp.Time)
		if pending < unscheduledAfter {
			return nil
		}
		v.Age = age(pending)
		return []*Diagnosis{c.schedulerCheck(v)}
	}
	total, clauses := parseScheduling(msg)
	type group struct {
		r     *Rule
		count int
		texts []string
	}
	var groups []*group
	var unmatched []string
	for _, cl := range clauses {
		r := x.t.Match(Scheduler, "FailedScheduling", cl.text, c.facts)
		if r == nil {
			unmatched = append(unmatched, cl.String())
			continue
		}
		i := slices.IndexFunc(groups, func(g *group) bool { return g.r == r })
		if i < 0 {
			groups = append(groups, &group{r: r})
			i = len(groups) - 1
		}
		groups[i].count += cl.count
		groups[i].texts = append(groups[i].texts, cl.String())
	}
	var out []*Diagnosis
	for _, g := range groups {
		gv := v
		gv.Count, gv.Total, gv.Detail = g.count, total, strings.Join(g.texts, ", ")
		gv.Nodes = nodesText(g.count, total)
		out = append(out, c.diag(g.r, c.state, gv, ev))
	}
	if len(unmatched) > 0 || len(out) == 0 {
		uv := v
		uv.Detail = "Pending (" + strings.Join(unmatched, ", ") + ")"
		if len(unmatched) == 0 {
			uv.Detail = "Pending"
		}
		d := c.unknown(uv, ev)
		d.explains = 0
		out = append(out, d)
	}
	return out
}

// nodesText words how many nodes a reason applies to.
func nodesText(count, total int) string {
	switch {
	case total > 0 && count >= total:
		return fmt.Sprintf("all %d nodes", total)
	case total > 0:
		return fmt.Sprintf("%d of %d nodes", count, total)
	case count == 1:
		return "1 node"
	}
	return fmt.Sprintf("%d nodes", count)
}

// clause is one reason of a FailedScheduling message with the number of
// nodes it applies to.
type clause struct {
	count int
	text  string
	// counted is false for a clause that names no number of nodes (it
	// applies to all: "pod has unbound immediate PersistentVolumeClaims").
	counted bool
}

func (c clause) String() string {
	if c.counted {
		return strconv.Itoa(c.count) + " " + c.text
	}
	return c.text
}

var (
	availRE    = regexp.MustCompile(`^(\d+)/(\d+) nodes are available:?\s*`)
	countRE    = regexp.MustCompile(`^(\d+) (.+)$`)
	oldCountRE = regexp.MustCompile(`^(.+?) \((\d+)\)$`)
)

// parseScheduling splits a FailedScheduling message into clauses:
//
//	0/5 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 4 Insufficient cpu. preemption: ...
//	0/3 nodes are available: 1 node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't tolerate, 2 node(s) didn't match node selector.
//	No nodes are available that match all of the predicates: Insufficient pods (3).
//
// The preemption part repeats the verdict and is dropped. total is 0 when
// the message does not say how many nodes there are.
func parseScheduling(msg string) (total int, out []clause) {
	msg = strings.TrimSpace(msg)
	if i := strings.Index(msg, "preemption:"); i >= 0 {
		msg = strings.TrimSpace(msg[:i])
	}
	msg = strings.TrimSuffix(msg, ".")
	if m := availRE.FindStringSubmatch(msg); m != nil {
		total, _ = strconv.Atoi(m[2])
		msg = msg[len(m[0]):]
	} else if i := strings.Index(msg, "predicates:"); i >= 0 {
		msg = strings.TrimLeft(msg[i+len("predicates:"):], ": ")
	}
	var parts []string
	for _, s := range strings.Split(msg, ", ") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		// A piece that does not start with a count continues the one
		// before ("had taint {...}, that the pod didn't tolerate").
		if len(parts) > 0 && (s[0] < '0' || s[0] > '9') && !oldCountRE.MatchString(s) {
			parts[len(parts)-1] += ", " + s
			continue
		}
		parts = append(parts, s)
	}
	for _, s := range parts {
		s = strings.TrimSuffix(s, ".")
		if m := countRE.FindStringSubmatch(s); m != nil {
			n, _ := strconv.Atoi(m[1])
			out = append(out, clause{n, m[2], true})
		} else if m := oldCountRE.FindStringSubmatch(s); m != nil {
			n, _ := strconv.Atoi(m[2])
			out = append(out, clause{n, m[1], true})
		} else {
			out = append(out, clause{total, s, false})
		}
	}
	return total, out
}

// schedulerCheck explains an unscheduled pod without any scheduling event.
func (c *podCase) schedulerCheck(v Vars) *Diagnosis {
	x := c.x
	name := schedulerName(c.p)
	leaseName := name
	if name == corev1.DefaultSchedulerName {
		leaseName = "kube-scheduler"
	}
	v.Scheduler = leaseName
	var ev []Evidence
	down := false
	up := false
	var why []string
	if l := x.leases[nsName{"kube-system", leaseName}]; l != nil {
		dur := time.Duration(15) * time.Second
		if l.Spec.LeaseDurationSeconds != nil {
			dur = time.Duration(*l.Spec.LeaseDurationSeconds) * time.Second
		}
		holder := "nobody"
		if l.Spec.HolderIdentity != nil && *l.Spec.HolderIdentity != "" {
			holder = *l.Spec.HolderIdentity
		}
		if l.Spec.RenewTime == nil {
			down = true
			why = append(why, fmt.Sprintf("its Lease kube-system/%s was never renewed", leaseName))
			ev = append(ev, Evidence{Source: "lease", Text: fmt.Sprintf("Lease kube-system/%s: holder %s, never renewed", leaseName, holder)})
		} else {
			since := x.now.Sub(l.Spec.RenewTime.Time)
			ev = append(ev, Evidence{Source: "lease", Text: fmt.Sprintf("Lease kube-system/%s: holder %s, renewed %s ago, lease duration %s", leaseName, holder, age(since), dur)})
			if since > 2*dur+30*time.Second {
				down = true
				why = append(why, fmt.Sprintf("its Lease kube-system/%s was last renewed %s ago", leaseName, age(since)))
			} else {
				up = true
			}
		}
	} else if x.kubeSystemLeases() {
		down = true
		why = append(why, fmt.Sprintf("no Lease kube-system/%s exists, so no %s holds the scheduler's leader lease", leaseName, name))
		ev = append(ev, Evidence{Source: "lease", Text: fmt.Sprintf("Lease kube-system/%s: not found (other Leases in kube-system are listed)", leaseName)})
	}
	if name == corev1.DefaultSchedulerName {
		var ready, total int
		for _, p := range x.d.Pods {
			if p.Namespace != "kube-system" || p.Labels["component"] != "kube-scheduler" {
				continue
			}
			total++
			ok := podCondition(p, corev1.PodReady) == corev1.ConditionTrue
			if ok {
				ready++
			}
			ev = append(ev, Evidence{Source: "status", Text: fmt.Sprintf("Pod kube-system/%s: %s, ready %t", p.Name, podStatus(p), ok)})
		}
		if total > 0 && ready == 0 {
			down = true
			if total == 1 {
				why = append(why, "the kube-scheduler pod is not ready")
			} else {
				why = append(why, fmt.Sprintf("none of the %d kube-scheduler pods is ready", total))
			}
		} else if ready > 0 && !down {
			up = true
		}
	} else if !up && !down && x.kubeSystemLeases() {
		down = true
	}
	ev = append([]Evidence{{Source: "status", Text: fmt.Sprintf("spec.nodeName is empty, spec.schedulerName: %s; no FailedScheduling event and no PodScheduled condition in %s", name, v.Age)}}, ev...)
	if down && !up {
		v.Detail = strings.Join(why, "; ")
		return c.diag(x.t.Rule("scheduler-not-running"), c.state, v, ev...)
	}
	v.Detail = "Pending without any scheduling event"
	return c.unknown(v, ev...)
}

func (x *run) kubeSystemLeases() bool {
	for k := range x.leases {
		if k.ns == "kube-system" {
			return true
		}
	}
	return false
}

// ---- Scheduled: containers ----

// containerRef pairs a container of the spec with its status.
type containerRef struct {
	c    *corev1.Container
	cs   *corev1.ContainerStatus
	init bool
}

func (r containerRef) field() string {
	if r.init {
		return "initContainerStatuses"
	}
	return "containerStatuses"
}

func (c *podCase) containers() []containerRef {
	var out []containerRef
	find := func(list []corev1.ContainerStatus, name string) *corev1.ContainerStatus {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
		return nil
	}
	for i := range c.p.Spec.InitContainers {
		ct := &c.p.Spec.InitContainers[i]
		out = append(out, containerRef{ct, find(c.p.Status.InitContainerStatuses, ct.Name), true})
	}
	for i := range c.p.Spec.Containers {
		ct := &c.p.Spec.Containers[i]
		out = append(out, containerRef{ct, find(c.p.Status.ContainerStatuses, ct.Name), false})
	}
	return out
}

func (c *podCase) scheduled() []*Diagnosis {
	var out []*Diagnosis
	creating := false
	for _, ref := range c.containers() {
		cs := ref.cs
		if cs == nil {
			creating = true
			continue
		}
		switch {
		case cs.State.Waiting != nil:
			if d := c.waiting(ref); d != nil {
				out = append(out, d)
			} else {
				creating = true
			}
		case cs.State.Terminated != nil && cs.State.Terminated.ExitCode != 0:
			out = append(out, c.crashed(ref, cs.State.Terminated, "state"))
		}
	}
	if len(out) > 0 || !creating {
		return out
	}
	return c.creating()
}

func (c *podCase) statusText(ref containerRef, which string, s *corev1.ContainerState) string {
	prefix := fmt.Sprintf("status.%s{%s}.%s", ref.field(), ref.c.Name, which)
	switch {
	case s.Waiting != nil:
		t := prefix + ".waiting: " + s.Waiting.Reason
		if s.Waiting.Message != "" {
			t += ": " + s.Waiting.Message
		}
		return t
	case s.Terminated != nil:
		tm := s.Terminated
		t := fmt.Sprintf("%s.terminated: %s, exit code %d", prefix, cmpOr(tm.Reason, "Error"), tm.ExitCode)
		if !tm.FinishedAt.IsZero() {
			t += ", finished " + c.x.since(tm.FinishedAt.Time) + " ago"
		}
		if ref.cs != nil && ref.cs.RestartCount > 0 {
			t += fmt.Sprintf(", restarted %d times", ref.cs.RestartCount)
		}
		if tm.Message != "" {
			t += ": " + strings.TrimSpace(tm.Message)
		}
		return t
	}
	return prefix + ": running"
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// waiting diagnoses a waiting container; nil means it is only creating.
func (c *podCase) waiting(ref containerRef) *Diagnosis {
	w := ref.cs.State.Waiting
	st := Evidence{Source: "status", Text: c.statusText(ref, "state", &ref.cs.State)}
	v := c.vars()
	v.Container, v.Image = ref.c.Name, ref.c.Image
	v.Registry, v.Host = registryOf(ref.c.Image)
	state := c.containerState(ref)
	switch w.Reason {
	case "", "ContainerCreating", "PodInitializing":
		return nil
	case "ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull":
		return c.pull(ref, v, state, st)
	case "CrashLoopBackOff":
		if t := ref.cs.LastTerminationState.Terminated; t != nil {
			d := c.crashed(ref, t, "lastState")
			d.State = state
			d.Evidence = append([]Evidence{st}, d.Evidence...)
			return d
		}
		return c.unknown(v, st)
	}
	// Start and configuration errors: the status message, then the
	// kubelet's Failed events about the container.
	if r := c.x.t.Match(Container, w.Reason, w.Message, c.facts); r != nil {
		v.Detail, v.Ref, v.Memory = trimRPC(w.Message), refName(w.Message), c.tiny
		return c.diag(r, state, v, st)
	}
	for _, e := range c.containerEvents(ref) {
		if r := c.x.t.Match(Container, e.Reason, e.Message, c.facts); r != nil {
			v.Detail, v.Ref, v.Memory = trimRPC(strings.TrimPrefix(e.Message, "Error: ")), refName(e.Message), c.tiny
			return c.diag(r, state, v, st, c.event(e))
		}
	}
	v.Detail = state
	return c.unknown(v, st)
}

// containerState is the kubectl status, or for a pod with several
// containers in trouble, this container's own reason.
func (c *podCase) containerState(ref containerRef) string {
	s := ""
	if w := ref.cs.State.Waiting; w != nil {
		s = w.Reason
	} else if t := ref.cs.State.Terminated; t != nil {
		s = cmpOr(t.Reason, fmt.Sprintf("ExitCode:%d", t.ExitCode))
	}
	if ref.init && s != "" {
		s = "Init:" + s
	}
	if s == "" {
		return c.state
	}
	return s
}

// containerEvents are the pod's events about one container, newest first.
func (c *podCase) containerEvents(ref containerRef) []*Event {
	list := "spec.containers{"
	if ref.init {
		list = "spec.initContainers{"
	}
	var out []*Event
	for _, e := range c.events {
		fp := e.Regarding.FieldPath
		if fp == list+ref.c.Name+"}" || fp == "" && ref.c.Image != "" && strings.Contains(e.Message, `"`+ref.c.Image+`"`) {
			out = append(out, e)
		}
	}
	return out
}

var rpcPrefix = regexp.MustCompile(`rpc error: code = \w+ desc = `)

// trimRPC drops the gRPC wrapping from runtime messages.
func trimRPC(s string) string {
	return strings.TrimSpace(rpcPrefix.ReplaceAllString(s, ""))
}

var pullPrefix = regexp.MustCompile(`^(Failed to pull image|Error: image) "[^"]*"(: )?`)

func pullDetail(msg string) string {
	return trimRPC(pullPrefix.ReplaceAllString(strings.TrimSpace(msg), ""))
}

// registryOf returns an image's registry (host[:port]) and host.
func registryOf(image string) (registry, host string) {
	if named, err := reference.ParseNormalizedNamed(image); err == nil {
		registry = reference.Domain(named)
	} else if i := strings.IndexByte(image, '/'); i > 0 && strings.ContainsAny(image[:i], ".:") {
		registry = image[:i]
	} else {
		registry = "docker.io"
	}
	host = registry
	if i := strings.LastIndexByte(host, ':'); i > 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	return registry, host
}

func (c *podCase) pull(ref containerRef, v Vars, state string, st Evidence) *Diagnosis {
	x := c.x
	w := ref.cs.State.Waiting
	ev := []Evidence{st}
	var r *Rule
	if w.Reason != "ImagePullBackOff" && w.Message != "" {
		if r = x.t.Match(Pull, w.Reason, w.Message, c.facts); r != nil {
			v.Detail = pullDetail(w.Message)
		}
	}
	for _, e := range c.containerEvents(ref) {
		if e.Reason != "Failed" && e.Reason != "ErrImageNeverPull" && e.Reason != "InspectFailed" {
			continue
		}
		er := x.t.Match(Pull, e.Reason, e.Message, c.facts)
		if er == nil {
			continue
		}
		if r == nil {
			r, v.Detail = er, pullDetail(e.Message)
		}
		if er == r {
			ev = append(ev, c.event(e))
			break
		}
	}
	if r == nil {
		for _, e := range c.containerEvents(ref) {
			if e.Type == corev1.EventTypeWarning {
				ev = append(ev, c.event(e))
				break
			}
		}
		v.Detail = state
		return c.unknown(v, ev...)
	}
	return c.diag(r, state, v, ev...)
}

// crashed diagnoses a container whose run ended with an error.
func (c *podCase) crashed(ref containerRef, t *corev1.ContainerStateTerminated, which string) *Diagnosis {
	x := c.x
	v := c.vars()
	v.Container, v.Image, v.ExitCode = ref.c.Name, ref.c.Image, t.ExitCode
	v.Registry, v.Host = registryOf(ref.c.Image)
	v.Previous = which == "lastState"
	state := c.containerState(ref)
	st := Evidence{Source: "status", Text: c.statusText(ref, which, &corev1.ContainerState{Terminated: t})}
	// The reason and message of the run itself: OOMKilled, StartError...
	// A start error without a message (Docker's ContainerCannotRun) is
	// explained by the kubelet's Failed events, when they say more.
	status := x.t.Match(Container, t.Reason, t.Message, c.facts)
	if status != nil && (t.Message != "" || !status.catchAll()) {
		v.Detail, v.Memory = trimRPC(t.Message), c.tiny
		if status.ID == "oom-killed" {
			v.Memory = memoryLimit(ref.c)
			v.Detail = ""
		}
		return c.diag(status, state, v, st)
	}
	events := c.containerEvents(ref)
	// The kubelet killed it for a failing probe during the run: the
	// Unhealthy event says why the probe failed, Killing that it acted.
	var probe *Rule
	var pev []Evidence
	for _, reason := range []string{"Unhealthy", "Killing"} {
		for _, e := range events {
			if e.Reason != reason || e.Last.Before(t.StartedAt.Time) {
				continue
			}
			if r := x.t.Match(Probe, e.Reason, e.Message, c.facts); r != nil {
				if probe == nil {
					probe, v.Detail = r, e.Message
				}
				pev = append(pev, c.event(e))
				break
			}
		}
	}
	if probe != nil {
		return c.diag(probe, state, v, append([]Evidence{st}, pev...)...)
	}
	// The kubelet's Failed events: start errors the status lost.
	for _, e := range events {
		if e.Reason != "Failed" {
			continue
		}
		if r := x.t.Match(Container, e.Reason, e.Message, c.facts); r != nil {
			v.Detail = trimRPC(strings.TrimPrefix(e.Message, "Error: "))
			return c.diag(r, state, v, st, c.event(e))
		}
	}
	if status != nil {
		v.Detail = cmpOr(trimRPC(t.Message), t.Reason)
		return c.diag(status, state, v, st)
	}
	// A well-known line in the previous run's log.
	if l := x.logs[[3]string{c.p.Namespace, c.p.Name, ref.c.Name}]; l != nil {
		for i := len(l.Lines) - 1; i >= 0; i-- {
			line := strings.TrimSpace(l.Lines[i])
			if r := x.t.Match(Log, "", line, c.facts); r != nil {
				v.Detail = line
				what := "log"
				if l.Previous {
					what = "previous log"
				}
				return c.diag(r, state, v, st, Evidence{Source: "log", Text: fmt.Sprintf("%s of %s, line %d of the last %d: %s", what, ref.c.Name, i+1, len(l.Lines), line)})
			}
		}
	}
	v.Detail = exitMeaning(t.ExitCode)
	return c.diag(x.t.Rule("container-exits"), state, v, st)
}

func memoryLimit(c *corev1.Container) string {
	if q, ok := c.Resources.Limits[corev1.ResourceMemory]; ok {
		return "limits.memory " + q.String()
	}
	return ""
}

// tinyMemory describes the first memory request or limit below 6Mi, the
// smallest memory a container runtime starts a container with.
func tinyMemory(p *corev1.Pod) string {
	limit := resource.MustParse("6Mi")
	all := append(append([]corev1.Container{}, p.Spec.InitContainers...), p.Spec.Containers...)
	for _, c := range all {
		for _, kind := range []struct {
			name string
			list corev1.ResourceList
		}{{"limits", c.Resources.Limits}, {"requests", c.Resources.Requests}} {
			q, ok := kind.list[corev1.ResourceMemory]
			if ok && q.Sign() > 0 && q.Cmp(limit) < 0 {
				return fmt.Sprintf("%s.memory %q of container %s", kind.name, q.String(), c.Name)
			}
		}
	}
	return ""
}

// ---- Scheduled, containers not created yet ----

var (
	sandboxReasons = []string{"FailedCreatePodSandBox", "FailedPodSandBoxStatus", "SandboxChanged", "FailedKillPod"}
	mountReasons   = []string{"FailedMount", "FailedAttachVolume", "FailedMapVolume"}
)

func (c *podCase) creating() []*Diagnosis {
	x, p := c.x, c.p
	var out []*Diagnosis
	// Warnings first: they carry the error; SandboxChanged only says the
	// sandbox was recreated, and "Unable to attach or mount volumes: ...
	// timed out" only that an earlier error (Multi-Attach) still holds.
	events := slices.Clone(c.events)
	slices.SortStableFunc(events, func(a, b *Event) int {
		return cmp.Compare(weight(b), weight(a))
	})
	byRule := map[*Rule]*Diagnosis{}
	for _, e := range events {
		var src Source
		switch {
		case slices.Contains(sandboxReasons, e.Reason):
			src = Sandbox
		case slices.Contains(mountReasons, e.Reason):
			src = Mount
		default:
			continue
		}
		r := x.t.Match(src, e.Reason, e.Message, c.facts)
		if r == nil {
			continue
		}
		if d := byRule[r]; d != nil {
			// More evidence for the same cause (Multi-Attach, then the
			// mount timeout it leads to), at most three events.
			if len(d.Evidence) < 3 {
				d.Evidence = append(d.Evidence, c.event(e))
			}
			continue
		}
		v := c.vars()
		v.Detail, v.Memory, v.Ref = trimRPC(e.Message), c.tiny, refName(e.Message)
		if len(p.Spec.Containers) > 0 {
			v.Container = p.Spec.Containers[0].Name
		}
		if r.ID == "sandbox-memory-too-small" {
			if i := strings.LastIndex(c.tiny, "container "); i >= 0 {
				v.Container = c.tiny[i+len("container "):]
			}
		}
		d := c.diag(r, c.state, v, c.event(e))
		d.Container = ""
		byRule[r] = d
		out = append(out, d)
	}
	for _, d := range out {
		if d.Cause == "sandbox-memory-too-small" {
			d.Evidence = append(d.Evidence, Evidence{Source: "spec", Text: c.tiny})
		}
	}
	if len(out) > 0 {
		return out
	}
	since := p.CreationTimestamp.Time
	if cond := podConditionOf(p, corev1.PodScheduled); cond != nil && cond.Status == corev1.ConditionTrue && !cond.LastTransitionTime.IsZero() {
		since = cond.LastTransitionTime.Time
	}
	lasted := x.now.Sub(since)
	if lasted < creatingAfter {
		return nil
	}
	v := c.vars()
	st := Evidence{Source: "status", Text: fmt.Sprintf("status.phase: %s, scheduled to %s %s ago; no container has started", p.Status.Phase, p.Spec.NodeName, age(lasted))}
	if d := c.statusLag(lasted, v, st); d != nil {
		return []*Diagnosis{d}
	}
	v.Age = age(lasted)
	ev := []Evidence{st}
	if n := x.nodes[p.Spec.NodeName]; n != nil {
		ev = append(ev, c.nodeEvidence(n))
	}
	for _, e := range c.events {
		if e.Type == corev1.EventTypeWarning {
			ev = append(ev, c.event(e))
			break
		}
	}
	return []*Diagnosis{c.unknown(v, ev...)}
}

func weight(e *Event) int {
	switch {
	case e.Type != corev1.EventTypeWarning:
		return 0
	case strings.HasPrefix(e.Message, "Unable to attach or mount volumes"):
		return 1
	}
	return 2
}

var refRE = regexp.MustCompile(`(?i)(?:configmap|secret|serviceaccount|persistentvolumeclaim) "([^"]+)" not found|couldn't find key \S+ in (?:ConfigMap|Secret) [^/\s]+/(\S+)|no PriorityClass with name (\S+) was found`)

// refName extracts the name of the missing object from a message.
func refName(msg string) string {
	m := refRE.FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	for _, g := range m[1:] {
		if g != "" {
			return g
		}
	}
	return ""
}
