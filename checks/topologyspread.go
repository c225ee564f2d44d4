package checks

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// The PodTopologySpread filter, as far as the nodes alone decide it. Only
// DoNotSchedule constraints filter; a node must carry every one of their
// topology keys to take the pod, and their domains are counted over the
// nodes that carry every key and pass the constraint's nodeAffinityPolicy
// (Honor by default: nodeSelector and required node affinity) and
// nodeTaintsPolicy (Ignore by default).
//
// Where the pod can go is decided on the placeable nodes (selector,
// affinity, taints: what the scheduling checks compute). A key carried by
// only part of them is not a finding: the pods go to the nodes that carry
// it (and may still fit there), so only "no placeable node carries the
// key" is certain.

func topologySpreadUnsatisfiable() *Check {
	return &Check{
		ID:       "topology-spread-unsatisfiable",
		Title:    "A DoNotSchedule topology spread constraint cannot be met by the nodes",
		Severity: Error,
		Symptom:  Pending,
		Description: "A topologySpreadConstraints entry with whenUnsatisfiable: DoNotSchedule is a filter: the " +
			"scheduler rejects every node that lacks the constraint's topologyKey label (\"didn't match pod topology " +
			"spread constraints (missing required label)\"). When no node the pod can run on (nodeSelector, " +
			"required node affinity, taints) carries the key, often a typo such as topology.kubernetes.io/zones or " +
			"a zone label a single-zone cluster does not set, the pods stay Pending. A key carried by only part of " +
			"those nodes is not reported: the pods go to the nodes that carry it. With minDomains above the number " +
			"of domains the nodes form (distinct values of the key among the nodes counted for the constraint: " +
			"carrying every DoNotSchedule key, matching the pod's node selector and affinity unless " +
			"nodeAffinityPolicy is Ignore, and untainted for the pod only when nodeTaintsPolicy is Honor), the " +
			"scheduler takes the global minimum as 0, so each domain holds at most maxSkew matching pods: more " +
			"replicas than domains × maxSkew is an error, no more is a warning, since a scale-up, a rollout's surge " +
			"pods or other matching pods stay Pending (only when the labelSelector matches the pod's own labels). " +
			"ScheduleAnyway constraints are only preferences and are never reported.",
		Uses:        nodesUses("The cluster's Nodes (their labels and taints),"),
		Remediation: "Use a topologyKey the nodes carry (kubectl get nodes -L topology.kubernetes.io/zone), lower minDomains to the number of domains the cluster has, add nodes in more domains, or use whenUnsatisfiable: ScheduleAnyway.",
		Bad: `topologySpreadConstraints:
- maxSkew: 1
  topologyKey: topology.kubernetes.io/zones   # the nodes carry topology.kubernetes.io/zone
  whenUnsatisfiable: DoNotSchedule
  labelSelector:
    matchLabels: {app: web}
`,
		Good: `topologySpreadConstraints:
- maxSkew: 1
  topologyKey: topology.kubernetes.io/zone
  whenUnsatisfiable: DoNotSchedule
  labelSelector:
    matchLabels: {app: web}
`,
		Cluster: true,
		Run: func(p *Pass) {
			t := p.Target
			if t.Spec == nil || p.Inv.Nodes == nil || t.Spec.NodeName != "" || len(t.Spec.SchedulingGates) > 0 || t.IsDaemonSet() || t.Replicas == 0 {
				return
			}
			var filters []int
			for i, c := range t.Spec.TopologySpreadConstraints {
				if c.WhenUnsatisfiable == corev1.DoNotSchedule && c.TopologyKey != "" {
					filters = append(filters, i)
				}
			}
			if len(filters) == 0 {
				return
			}
			nodes, known := p.Inv.Nodes.Nodes()
			if !known || len(nodes) == 0 {
				return
			}
			s := newScheduling(t, p.Inv)
			var placeable []*corev1.Node
			for _, n := range nodes {
				if s.placeable(n) {
					placeable = append(placeable, n)
				}
			}
			if len(placeable) == 0 {
				return // the scheduling checks name that obstacle
			}
			base := t.SpecPath.Child("topologySpreadConstraints")
			missing := false
			for _, i := range filters {
				key := t.Spec.TopologySpreadConstraints[i].TopologyKey
				carried := false
				for _, n := range placeable {
					if _, ok := n.Labels[key]; ok {
						carried = true
						break
					}
				}
				if !carried {
					missing = true
					p.Report(base.Index(i).Child("topologyKey"), "",
						"0/%d nodes are available: %d node(s) the pod can run on lack label %q, and the scheduler rejects nodes without it (didn't match pod topology spread constraints (missing required label))%s",
						len(nodes), len(placeable), key, stuckTail(t))
				}
			}
			if missing {
				return
			}
			for _, i := range filters {
				c := &t.Spec.TopologySpreadConstraints[i]
				if c.MinDomains == nil || *c.MinDomains <= 1 || c.MaxSkew < 1 {
					continue
				}
				domains := map[string]bool{}
				for _, n := range nodes {
					if !carriesAll(n, t.Spec.TopologySpreadConstraints, filters) {
						continue
					}
					if c.NodeAffinityPolicy == nil || *c.NodeAffinityPolicy == corev1.NodeInclusionPolicyHonor {
						if ok, err := s.affinity.Match(n); err == nil && !ok {
							continue
						}
					}
					if c.NodeTaintsPolicy != nil && *c.NodeTaintsPolicy == corev1.NodeInclusionPolicyHonor && !s.placeable(n) {
						continue
					}
					domains[n.Labels[c.TopologyKey]] = true
				}
				if !selectsOwnPods(c.LabelSelector, t) {
					// Its own pods do not count against maxSkew; only
					// other workloads' pods could, and those are unknown.
					continue
				}
				d := int32(len(domains))
				if d >= *c.MinDomains {
					continue
				}
				capacity := d * c.MaxSkew
				path := base.Index(i).Child("minDomains")
				what := fmt.Sprintf("minDomains %d is above the %d domain(s) of %q the nodes form, so the scheduler takes the global minimum as 0 and each domain holds at most maxSkew (%d) matching pod(s): %d in all",
					*c.MinDomains, d, c.TopologyKey, c.MaxSkew, capacity)
				if t.Replicas > capacity {
					p.Report(path, "", "%s; %d replicas leave %d pod(s) Pending", what, t.Replicas, t.Replicas-capacity)
					continue
				}
				p.ReportAs(Warning, path, "", "%s; pods matching the labelSelector beyond that (a scale-up, a rollout's surge pods) stay Pending", what)
			}
		},
	}
}

func carriesAll(n *corev1.Node, cs []corev1.TopologySpreadConstraint, idx []int) bool {
	for _, i := range idx {
		if _, ok := n.Labels[cs[i].TopologyKey]; !ok {
			return false
		}
	}
	return true
}

// selectsOwnPods tells whether a constraint's labelSelector matches the
// labels of the pods the target creates, so that its own replicas count
// against maxSkew.
func selectsOwnPods(sel *metav1.LabelSelector, t *Target) bool {
	if sel == nil {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return false
	}
	meta := t.TemplateMeta
	if meta == nil {
		meta = t.Meta
	}
	return s.Matches(labels.Set(meta.Labels))
}
