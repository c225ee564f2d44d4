package checks

import (
	"slices"
)

// The cluster extension of host-port-conflict: with the cluster's Nodes
// known, a DaemonSet holds a port only on the nodes it can actually run on
// (selector, affinity, taints with the DaemonSet controller's tolerations),
// so claimants that share no such node do not collide; and a workload whose
// replicas outnumber the eligible nodes with the port free leaves the rest
// Pending, since each node gives a host port to one pod.

// hostPortNodes evaluates placement for the host-port check. It is nil
// when the cluster's nodes are unknown or the target claims no host port.
// It works on node groups; only when the target or a claimant names a node
// (hostname, metadata.name) does it look at the target's eligible nodes one
// by one.
type hostPortNodes struct {
	inv    Inventory
	target *scheduling
	// groups are the node groups the target can be placed on, and
	// eligible the number of nodes in them.
	groups   []NodeGroup
	eligible int
	// nodes are the eligible nodes one by one, computed on demand.
	nodes     []NodeGroup
	nodesDone bool
	others    map[*Target]*scheduling
}

func newHostPortNodes(p *Pass, claims []hostPortClaim) *hostPortNodes {
	// Most targets claim no host port; they must not pay for a node scan.
	if len(claims) == 0 || p.Inv.Nodes == nil || p.Target.Spec == nil {
		return nil
	}
	// No known node: fall back to the static rules, as the scheduling
	// checks stay silent then too.
	if n, known := p.Inv.Nodes.NodeCount(); !known || n == 0 {
		return nil
	}
	s := newScheduling(p.Target, p.Inv)
	h := &hostPortNodes{inv: p.Inv, target: s, others: map[*Target]*scheduling{}}
	if s.namesNode {
		for _, u := range h.perNode() {
			h.eligible += u.Count
		}
		return h
	}
	groups, _ := p.Inv.Nodes.NodeGroups()
	for _, g := range groups {
		if s.placeable(g.Node) {
			h.groups = append(h.groups, g)
			h.eligible += g.Count
		}
	}
	return h
}

// perNode returns the target's eligible nodes as groups of one (from the
// label index when the target has a nodeSelector).
func (h *hostPortNodes) perNode() []NodeGroup {
	if !h.nodesDone {
		h.nodesDone = true
		cands, _ := h.target.candidates()
		for _, n := range cands {
			if h.target.placeable(n) {
				h.nodes = append(h.nodes, NodeGroup{Node: n, Count: 1})
			}
		}
	}
	return h.nodes
}

// units returns what to evaluate the claimants on: node groups, or nodes
// one by one when the target or one of the claimants names a node.
func (h *hostPortNodes) units(claimants ...*scheduling) []NodeGroup {
	if h.target.namesNode || slices.ContainsFunc(claimants, func(s *scheduling) bool { return s.namesNode }) {
		return h.perNode()
	}
	return h.groups
}

func (h *hostPortNodes) other(o *Target) *scheduling {
	s, ok := h.others[o]
	if !ok {
		s = newScheduling(o, h.inv)
		h.others[o] = s
	}
	return s
}

// shareNode tells whether the target and o can run on a common known
// node. It costs O(eligible node groups of the target).
func (h *hostPortNodes) shareNode(o *Target) bool {
	so := h.other(o)
	for _, u := range h.units(so) {
		if so.placeable(u.Node) {
			return true
		}
	}
	return false
}

// clusterNodesDisjoint is the skip condition host-port-conflict adds when
// nodes are known: no known node can run both claimants, or the target is
// a replicated workload and some of its eligible nodes have the port free
// (then reportHostPortCapacity decides, by counting them).
func clusterNodesDisjoint(h *hostPortNodes, p *Pass, c hostPortClaim, o *Target) bool {
	if h == nil {
		return false
	}
	if !h.shareNode(o) {
		return true
	}
	if !p.Target.IsDaemonSet() && o.IsDaemonSet() {
		free, _ := h.free(p, c)
		return free > 0
	}
	return false
}

// free counts the target's eligible nodes where no cluster DaemonSet
// holding the claim's port runs, and returns those DaemonSets.
func (h *hostPortNodes) free(p *Pass, c hostPortClaim) (int, []*Target) {
	t := p.Target
	var holders []*Target
	if p.Inv.HostPorts != nil {
		for _, o := range p.Inv.HostPorts.HostPortClaims(c.Port, c.Protocol) {
			if o == nil || o.Spec == nil || o == t || sameObject(t, o) || !o.IsDaemonSet() {
				continue
			}
			for _, oc := range hostPortClaims(o) {
				if c.collides(oc) {
					holders = append(holders, o)
					break
				}
			}
		}
	}
	hs := make([]*scheduling, len(holders))
	for i, o := range holders {
		hs[i] = h.other(o)
	}
	free := 0
	for _, u := range h.units(hs...) {
		taken := false
		for _, so := range hs {
			if so.placeable(u.Node) {
				taken = true
				break
			}
		}
		if !taken {
			free += u.Count
		}
	}
	return free, holders
}

// reportHostPortCapacity warns when a replicated workload's pods need
// more nodes with the port free than exist among its eligible nodes.
func reportHostPortCapacity(p *Pass, h *hostPortNodes, claims []hostPortClaim) {
	t := p.Target
	if h == nil || t.IsDaemonSet() || t.Replicas < 1 || h.eligible == 0 {
		return
	}
	certain := false
	switch t.Ref.Kind {
	case "Deployment", "StatefulSet", "ReplicaSet":
		// Their controllers keep every replica wanted at once, and
		// each node gives the port to one pod: more replicas than
		// eligible nodes is a certainty, whatever else runs.
		certain = int(t.Replicas) > h.eligible
	}
	reported := false
	for _, c := range claims {
		free, holders := h.free(p, c)
		if certain && free > 0 {
			if !reported {
				reported = true
				// The node count is the obstacle, not the port: one
				// finding per workload, at its first host port.
				p.Report(c.Path, c.Container,
					"%d replicas each need host port %s on their own node, but only %d node(s) are eligible (nodeSelector, node affinity, taints); %d pod(s) can never be scheduled and stay Pending",
					t.Replicas, c, h.eligible, int(t.Replicas)-h.eligible)
			}
			continue
		}
		if free == 0 || int(t.Replicas) <= free {
			// No free node at all is the DaemonSet collision (an
			// error reported above) or a scheduling check's finding.
			continue
		}
		held := ""
		if len(holders) > 0 {
			held = ", " + holders[0].Ref.String() + " holds it on the others"
		}
		p.ReportAs(Warning, c.Path, c.Container,
			"%d replicas each need host port %s on their own node, but only %d of the %d eligible node(s) have it free%s; %d pod(s) stay Pending",
			t.Replicas, c, free, h.eligible, held, int(t.Replicas)-free)
	}
}
