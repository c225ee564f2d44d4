package checks

import (
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The InterPodAffinity filter, as far as the pods and nodes podlint knows
// decide it.
//
// A required podAffinity term is met only on a node in the topology domain
// of a pod it matches: bound pods in the term's namespaces whose labels the
// labelSelector (with matchLabelKeys and mismatchLabelKeys merged in, as the
// API server does) matches. With no such pod anywhere the pod stays
// Pending, with one exception the scheduler makes for the first pod of a
// group: when no pod matches any term and the pod matches all its terms
// itself, it goes anywhere. "No such pod" is only said when the pods of
// every namespace the term covers were listed, and no workload of the run
// would create one.
//
// A required podAntiAffinity term that matches the pod's own labels allows
// one of its replicas per topology domain. Domains are counted over the
// nodes the pod can run on (nodeSelector, required node affinity, taints);
// a node without the topology key does not restrict the term at all, so
// with one such node the check is silent. More replicas than domains is
// certain; replicas that fit exactly are not a finding, unless a
// Deployment's rolling update must surge a pod while it may not take one
// down first (maxUnavailable 0), which then never schedules.

func podAffinityUnsatisfiable() *Check {
	return &Check{
		ID:       "pod-affinity-unsatisfiable",
		Title:    "A required pod affinity matches no pod, or a required anti-affinity leaves replicas without a node",
		Severity: Error,
		Symptom:  Pending,
		Description: "requiredDuringSchedulingIgnoredDuringExecution pod (anti-)affinity terms are filters. A podAffinity term " +
			"lets the pod run only in the topology domain of a running pod its labelSelector matches, in the namespaces the " +
			"term names (namespaces, namespaceSelector; its own namespace when it names none), with matchLabelKeys and " +
			"mismatchLabelKeys applied to the pod's own labels as the API server does. When no such pod exists, and no " +
			"workload applied with it would create one, every node fails with \"didn't match pod affinity rules\" and the " +
			"pods stay Pending; the scheduler's one exception, a pod that matches all its own terms while no other pod " +
			"does (the first pod of a co-located group), is honoured. It is only reported when the pods of every namespace " +
			"the term covers are known. A podAntiAffinity term whose selector matches the workload's own pods allows at " +
			"most one replica per topology domain (per node with kubernetes.io/hostname): more replicas than the domains " +
			"of the nodes the pod can run on (nodeSelector, required node affinity, taints) leave the rest Pending, an " +
			"error. Replicas that fit exactly are not reported, except a Deployment whose rolling update must first " +
			"surge a new pod without taking an old one down (maxUnavailable rounds to 0, e.g. 25% of 3): that pod never " +
			"schedules and every rollout stalls, a warning (unless matchLabelKeys names pod-template-hash, which keeps " +
			"the revisions apart). Only Deployments, StatefulSets, ReplicaSets and ReplicationControllers are counted: " +
			"a Job's extra pods wait for others to finish. A node without the topology key is not restricted by the " +
			"term, so then nothing is reported; other workloads' pods the anti-affinity also repels are not counted.",
		Uses: "For podAffinity: the cluster's bound, unfinished Pods with their labels (and the Namespaces' labels for a namespaceSelector) from " +
			"a --cluster-snapshot file or --live, and the pods the workloads among the inputs would create (those applied with the workload, in the namespaces the term covers). " +
			"\"No matching pod\" needs the Pods of every namespace the term covers listed; the webhook does not watch Pods, so there this half is silent. " +
			"For podAntiAffinity: the cluster's Nodes (their labels and taints) from " + fromCluster + "; Nodes among the inputs do not count. Silent without them.",
		Remediation: "For podAffinity, fix the labelSelector (or namespaces) so that it matches the pods to run next to, or deploy those first; " +
			"for podAntiAffinity, lower the replicas to the number of domains, add nodes, use preferredDuringSchedulingIgnoredDuringExecution, " +
			"or a topologySpreadConstraints entry with maxSkew instead; for a stalled rollout, allow maxUnavailable: 1.",
		Bad: `replicas: 4          # 3 worker nodes
template:
  metadata:
    labels: {app: web}
  spec:
    affinity:
      podAntiAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
        - labelSelector:
            matchLabels: {app: web}
          topologyKey: kubernetes.io/hostname
`,
		Good: `replicas: 4
template:
  metadata:
    labels: {app: web}
  spec:
    topologySpreadConstraints:
    - maxSkew: 1
      topologyKey: kubernetes.io/hostname
      whenUnsatisfiable: DoNotSchedule
      labelSelector:
        matchLabels: {app: web}
`,
		Cluster: true,
		Run: func(p *Pass) {
			t := p.Target
			if t.Spec == nil || t.Spec.Affinity == nil || t.Spec.NodeName != "" || len(t.Spec.SchedulingGates) > 0 || t.Replicas == 0 {
				return
			}
			own := labels.Set(PodLabels(t))
			base := t.SpecPath.Child("affinity")
			if a := t.Spec.Affinity.PodAffinity; a != nil && p.Inv.PodLabels != nil {
				checkPodAffinity(p, a.RequiredDuringSchedulingIgnoredDuringExecution, own, base.Child("podAffinity", "requiredDuringSchedulingIgnoredDuringExecution"))
			}
			if a := t.Spec.Affinity.PodAntiAffinity; a != nil && p.Inv.Nodes != nil && longRunning(t) && t.Replicas > 1 {
				checkPodAntiAffinity(p, a.RequiredDuringSchedulingIgnoredDuringExecution, own, base.Child("podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"))
			}
		},
	}
}

// PodLabels returns the labels of the pods a target creates (its
// template's, or a Pod's own).
func PodLabels(t *Target) map[string]string {
	if t.TemplateMeta != nil {
		return t.TemplateMeta.Labels
	}
	if t.Meta != nil {
		return t.Meta.Labels
	}
	return nil
}

// termSelector is the selector the scheduler evaluates for a term: its
// labelSelector (nil matches nothing) with matchLabelKeys as In and
// mismatchLabelKeys as NotIn requirements on the pod's own values, as the
// API server merges them at pod creation. A key the pod does not carry is
// ignored, as there; a controller may still add it (pod-template-hash),
// which only narrows the selector.
func termSelector(term *corev1.PodAffinityTerm, own labels.Set) (labels.Selector, error) {
	if term.LabelSelector == nil {
		return labels.Nothing(), nil
	}
	sel, err := metav1.LabelSelectorAsSelector(term.LabelSelector)
	if err != nil {
		return nil, err
	}
	add := func(keys []string, op selection.Operator) error {
		for _, k := range keys {
			v, ok := own[k]
			if !ok {
				continue
			}
			r, err := labels.NewRequirement(k, op, []string{v})
			if err != nil {
				return err
			}
			sel = sel.Add(*r)
		}
		return nil
	}
	if err := add(term.MatchLabelKeys, selection.In); err != nil {
		return nil, err
	}
	if err := add(term.MismatchLabelKeys, selection.NotIn); err != nil {
		return nil, err
	}
	return sel, nil
}

// termScope is the set of namespaces a term covers: the namespaces it
// names and those its namespaceSelector matches ({} matches all); the
// pod's own namespace when it sets neither.
func termScope(term *corev1.PodAffinityTerm, ownNS string) (PodScope, error) {
	sc := PodScope{Namespaces: term.Namespaces}
	if term.NamespaceSelector != nil {
		sel, err := metav1.LabelSelectorAsSelector(term.NamespaceSelector)
		if err != nil {
			return sc, err
		}
		sc.Selector = sel
	}
	if len(sc.Namespaces) == 0 && sc.Selector == nil {
		sc.Namespaces = []string{ownNS}
	}
	return sc, nil
}

// coversOwn tells whether the scope holds the target's own namespace;
// known is false when that depends on the labels of a namespace podlint
// does not know.
func coversOwn(p *Pass, sc PodScope) (covers, known bool) {
	ns := p.Target.Namespace()
	if slices.Contains(sc.Namespaces, ns) {
		return true, true
	}
	if sc.Selector == nil {
		return false, true
	}
	if sc.Selector.Empty() {
		return true, true
	}
	if p.Inv.Namespaces == nil {
		return false, false
	}
	o, pr := p.Inv.Namespaces.Namespace(ns)
	if pr != Present || o == nil {
		return false, false
	}
	return sc.Selector.Matches(labels.Set(o.Labels)), true
}

func checkPodAffinity(p *Pass, terms []corev1.PodAffinityTerm, own labels.Set, base *field.Path) {
	if len(terms) == 0 {
		return
	}
	type termEval struct {
		sel   labels.Selector
		scope PodScope
		pr    Presence
		self  bool
	}
	evals := make([]termEval, len(terms))
	selfAll, anyOther := true, false
	for i := range terms {
		sel, err := termSelector(&terms[i], own)
		if err != nil {
			return // schema-invalid's business; the API server rejects it
		}
		sc, err := termScope(&terms[i], p.Target.Namespace())
		if err != nil {
			return
		}
		e := termEval{sel: sel, scope: sc, pr: p.Inv.PodLabels.PodsMatch(sc, sel, p.Target.Ref)}
		covers, known := coversOwn(p, sc)
		e.self = sel.Matches(own) && (covers || !known)
		selfAll = selfAll && e.self
		anyOther = anyOther || e.pr != Absent
		evals[i] = e
	}
	if selfAll && !anyOther {
		// The scheduler's exception: the first pod of a group that
		// matches its own terms goes anywhere; the others follow it.
		return
	}
	for i, e := range evals {
		if e.pr != Absent || e.self {
			// A term only its own pods match is met once one of them
			// runs, unless another term cannot be: that one is reported.
			continue
		}
		p.Report(base.Index(i).Child("labelSelector"), "",
			"%sno pod in %s matches this required podAffinity term (%s), and no workload applied with it would create one, so every node fails with \"didn't match pod affinity rules\"%s",
			nodesPrefix(p), describeScope(e.scope), selectorText(e.sel), stuckTail(p.Target))
	}
}

// nodesPrefix starts a message the way the scheduler's does, when the
// nodes are known.
func nodesPrefix(p *Pass) string {
	if p.Inv.Nodes != nil {
		if n, ok := p.Inv.Nodes.NodeCount(); ok && n > 0 {
			return fmt.Sprintf("0/%d nodes are available: ", n)
		}
	}
	return ""
}

func selectorText(sel labels.Selector) string {
	if _, ok := sel.Requirements(); !ok {
		return "a missing labelSelector matches no pod"
	}
	if s := sel.String(); s != "" {
		return "selector " + s
	}
	return "an empty selector"
}

func describeScope(sc PodScope) string {
	var parts []string
	for _, n := range sc.Namespaces {
		parts = append(parts, fmt.Sprintf("%q", n))
	}
	out := ""
	switch len(parts) {
	case 0:
	case 1:
		out = "namespace " + parts[0]
	default:
		out = "namespaces " + joinList(parts)
	}
	if sc.Selector != nil {
		what := "every namespace"
		if !sc.Selector.Empty() {
			what = fmt.Sprintf("the namespaces matching %q", sc.Selector.String())
		}
		if out != "" {
			out += " or "
		}
		out += what
	}
	return out
}

func joinList(parts []string) string {
	out := ""
	for i, s := range parts {
		switch {
		case i == 0:
		case i == len(parts)-1:
			out += " and "
		default:
			out += ", "
		}
		out += s
	}
	return out
}

func checkPodAntiAffinity(p *Pass, terms []corev1.PodAffinityTerm, own labels.Set, base *field.Path) {
	t := p.Target
	var nodes []*corev1.Node
	var s *scheduling
	for i := range terms {
		term := &terms[i]
		if term.TopologyKey == "" || len(term.MismatchLabelKeys) > 0 {
			// mismatchLabelKeys excludes the pods with the pod's own
			// values: its replicas no longer repel each other.
			continue
		}
		sel, err := termSelector(term, own)
		if err != nil || !sel.Matches(own) {
			continue
		}
		sc, err := termScope(term, t.Namespace())
		if err != nil {
			continue
		}
		if covers, known := coversOwn(p, sc); !covers || !known {
			continue
		}
		if s == nil {
			all, known := p.Inv.Nodes.Nodes()
			if !known || len(all) == 0 {
				return
			}
			s = newScheduling(t, p.Inv)
			for _, n := range all {
				if s.placeable(n) {
					nodes = append(nodes, n)
				}
			}
		}
		if len(nodes) == 0 {
			return // the scheduling checks name that obstacle
		}
		domains := map[string]bool{}
		unrestricted := false
		for _, n := range nodes {
			v, ok := n.Labels[term.TopologyKey]
			if !ok {
				unrestricted = true
				break
			}
			domains[v] = true
		}
		if unrestricted {
			continue
		}
		d := int32(len(domains))
		what := fmt.Sprintf("this required podAntiAffinity term matches the workload's own pods, so at most one of them runs per %q domain, and the %d node(s) the pod can run on (nodeSelector, node affinity, taints) form %d domain(s)",
			term.TopologyKey, len(nodes), d)
		path := base.Index(i).Child("topologyKey")
		if t.Replicas > d {
			p.Report(path, "", "%s: %d replicas leave %d pod(s) Pending (didn't match pod anti-affinity rules)", what, t.Replicas, t.Replicas-d)
			continue
		}
		if surge, ok := stallingSurge(t); ok && t.Replicas+surge > d && !slices.Contains(term.MatchLabelKeys, appsv1.DefaultDeploymentUniqueLabelKey) {
			// matchLabelKeys: [pod-template-hash] lets a new revision's
			// pods ignore the old ones: the usual fix for this stall.
			p.ReportAs(Warning, path, "", "%s: the %d replicas fit, but a rolling update adds %d new pod(s) before it may take an old one down (maxUnavailable is 0), and with every domain taken it stays Pending: each rollout stalls", what, t.Replicas, surge)
		}
	}
}

// longRunning tells whether the target's replicas all run at once and
// for good: a Job's extra pods only wait for others to finish.
func longRunning(t *Target) bool {
	switch t.Object.(type) {
	case *appsv1.Deployment, *appsv1.StatefulSet, *appsv1.ReplicaSet, *corev1.ReplicationController:
		return true
	}
	return false
}

// stallingSurge returns how many pods a Deployment's rolling update
// creates before it takes any down: maxSurge when maxUnavailable is 0 (as
// the Deployment controller rounds them: surge up, unavailable down).
func stallingSurge(t *Target) (int32, bool) {
	d, ok := t.Object.(*appsv1.Deployment)
	if !ok || d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
		return 0, false
	}
	quarter := intstr.FromString("25%")
	surge, unavail := &quarter, &quarter
	if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
		if ru.MaxSurge != nil {
			surge = ru.MaxSurge
		}
		if ru.MaxUnavailable != nil {
			unavail = ru.MaxUnavailable
		}
	}
	s, err := intstr.GetScaledValueFromIntOrPercent(surge, int(t.Replicas), true)
	if err != nil {
		return 0, false
	}
	u, err := intstr.GetScaledValueFromIntOrPercent(unavail, int(t.Replicas), false)
	if err != nil || u > 0 || s == 0 {
		return 0, false
	}
	return int32(s), true
}
