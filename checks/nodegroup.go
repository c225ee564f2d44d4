package checks

import (
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// NodeGroup is a set of nodes the scheduling checks cannot tell apart:
// the same labels (except kubernetes.io/hostname), taints (except when
// they were added), allocatable resources and unschedulable flag. A pod
// whose selector or affinity names a node (the hostname label, matchFields
// on metadata.name) is evaluated node by node instead.
type NodeGroup struct {
	// Node is one member, standing for all of them.
	Node *corev1.Node
	// Count is the number of members.
	Count int
	// Full counts the members that already run as many pods as they may
	// (NodePodLimit); it means something only when pods are known.
	Full int
}

// NodePodLimit is how many pods a node takes: its allocatable pods, or
// the kubelet's default --max-pods when it does not publish them.
func NodePodLimit(n *corev1.Node) int64 {
	if q, ok := n.Status.Allocatable[corev1.ResourcePods]; ok {
		return q.Value()
	}
	return defaultMaxPods
}

// NodeGroupKey spells what scheduling reads of a node, so that nodes with
// equal keys fall in one NodeGroup. Quantities are compared as written: two
// spellings of one amount only split a group, which costs time, not
// correctness.
func NodeGroupKey(n *corev1.Node) string {
	var b strings.Builder
	if n.Spec.Unschedulable {
		b.WriteString("U")
	}
	b.WriteString("\x00L")
	for _, k := range slices.Sorted(maps.Keys(n.Labels)) {
		if k == corev1.LabelHostname {
			continue
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(n.Labels[k])
		b.WriteByte(0)
	}
	b.WriteString("\x00T")
	taints := make([]string, 0, len(n.Spec.Taints))
	for _, t := range n.Spec.Taints {
		taints = append(taints, t.Key+"="+t.Value+":"+string(t.Effect))
	}
	slices.Sort(taints)
	for _, t := range taints {
		b.WriteString(t)
		b.WriteByte(0)
	}
	b.WriteString("\x00A")
	for _, k := range slices.Sorted(maps.Keys(n.Status.Allocatable)) {
		q := n.Status.Allocatable[k]
		b.WriteString(string(k))
		b.WriteByte('=')
		b.WriteString(quantityKey(q))
		b.WriteByte(0)
	}
	return b.String()
}

func quantityKey(q resource.Quantity) string { return q.String() }

// GroupNodes groups a list of nodes, for inventories that are built once
// (podlint why, tests); podsOn may be nil when pods are unknown. The
// cluster store keeps its groups up to date as nodes change instead.
func GroupNodes(nodes []*corev1.Node, podsOn func(node string) int) []NodeGroup {
	idx := map[string]int{}
	var out []NodeGroup
	for _, n := range nodes {
		k := NodeGroupKey(n)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, NodeGroup{Node: n})
		}
		out[i].Count++
		if podsOn != nil && int64(podsOn(n.Name)) >= NodePodLimit(n) {
			out[i].Full++
		}
	}
	return out
}

// namesNode tells whether a pod's placement depends on which node it is
// (the hostname label or the node's name), which node groups hide.
func namesNode(pod *corev1.Pod) bool {
	if _, ok := pod.Spec.NodeSelector[corev1.LabelHostname]; ok {
		return true
	}
	a := pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return false
	}
	for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		if len(t.MatchFields) > 0 {
			return true
		}
		for _, r := range t.MatchExpressions {
			if r.Key == corev1.LabelHostname {
				return true
			}
		}
	}
	return false
}
