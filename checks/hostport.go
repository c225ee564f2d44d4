package checks

import (
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// hostPortClaim is one host port a pod binds on its node.
type hostPortClaim struct {
	Port      int32
	Protocol  corev1.Protocol
	HostIP    string
	Path      *field.Path
	Container string
}

func (c hostPortClaim) String() string {
	return fmt.Sprintf("%d/%s", c.Port, c.Protocol)
}

// hostPortClaims lists the host ports of a pod spec the way the scheduler
// counts them: app containers and sidecars; with hostNetwork every
// containerPort is a host port.
func hostPortClaims(t *Target) []hostPortClaim {
	if t.Spec == nil {
		return nil
	}
	var out []hostPortClaim
	for _, c := range t.Containers() {
		if c.Kind == EphemeralContainer || c.Kind == InitContainer && !c.Sidecar() {
			continue
		}
		for j, p := range c.Container.Ports {
			port, path := p.HostPort, c.Path.Child("ports").Index(j).Child("hostPort")
			if port == 0 && t.Spec.HostNetwork {
				port, path = p.ContainerPort, c.Path.Child("ports").Index(j).Child("containerPort")
			}
			if port == 0 {
				continue
			}
			proto := p.Protocol
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			out = append(out, hostPortClaim{port, proto, p.HostIP, path, c.Container.Name})
		}
	}
	return out
}

// hostIPsOverlap tells whether two hostIP fields can collide; an empty or
// unspecified address binds every address of the node.
func hostIPsOverlap(a, b string) bool {
	ia, okA := parseIP(a)
	ib, okB := parseIP(b)
	if a == "" || b == "" || okA && ia.IsUnspecified() || okB && ib.IsUnspecified() {
		return true
	}
	if okA && okB {
		return ia == ib
	}
	return a == b
}

// parseIP reads an IP address the way Kubernetes validates one: no zone,
// and an IPv4-mapped IPv6 address is its IPv4 address. It is net/netip
// rather than net because checks does no I/O and imports nothing that can.
func parseIP(s string) (netip.Addr, bool) {
	ip, err := netip.ParseAddr(s)
	return ip.Unmap(), err == nil && ip.Zone() == ""
}

func (c hostPortClaim) collides(o hostPortClaim) bool {
	return c.Port == o.Port && c.Protocol == o.Protocol && hostIPsOverlap(c.HostIP, o.HostIP)
}

// sameObject tells whether two targets are versions of one object
// (variants of a component kept side by side), which never coexist.
func sameObject(a, b *Target) bool {
	return a.Ref.Kind == b.Ref.Kind && a.Namespace() == b.Namespace() && a.Ref.Name == b.Ref.Name
}

func hostPortConflict() *Check {
	return &Check{
		ID:       "host-port-conflict",
		Title:    "Host port claimed twice on the same node",
		Severity: Error,
		Symptom:  Pending,
		Description: `A node can give a host port (hostPort, or every containerPort under hostNetwork) for one protocol and overlapping hostIP (empty and 0.0.0.0 overlap everything) to one pod only. ` +
			`The scheduler's NodePorts filter keeps a second claimant off every node where the port is taken, so its pods stay Pending with "didn't have free ports for the requested pod ports"; a DaemonSet in that situation may show DESIRED 0. ` +
			`Reported inside one pod, between a DaemonSet (which holds the port on every node it runs on) and any other workload, and between two DaemonSets — unless their nodeSelector or required node affinity provably cannot match the same node. ` +
			`Two other workloads on the same host port only collide when they land on the same node, so that case is a warning. ` +
			`With the cluster's Nodes known, a Deployment, StatefulSet or ReplicaSet with more replicas than nodes it is eligible for (nodeSelector, required node affinity, taints) can never run them all, each node giving the port to one pod: an error naming replicas and eligible nodes (the extra replicas stay Pending, as when an ingress controller with hostPort is scaled to 5 on 3 nodes). ` +
			`Objects with the same kind, namespace and name are versions of one object and are never compared.`,
		Uses: "The other workloads applied with the target: those of the same directory, the same standard input or the same rendered kustomization (kubectl apply -k). Workloads in other directories or other renders are not compared, since they may go to other clusters (kustomize overlays, independent apps of a monorepo). " +
			"With " + fromCluster + ", also the cluster's DaemonSets, and with its Nodes, where each claimant can run. " +
			"A conflict between two objects is reported once, on the one that comes later, naming the other's file and line; identical copies of one object (one chart rendered twice) count once.",
		Remediation: `Give one of the workloads another host port, drop the hostPort (use a Service), or keep them on disjoint nodes with nodeSelector or node affinity.`,
		Bad: `# DaemonSet monitoring/node-exporter already runs with hostNetwork on 9100
kind: DaemonSet
metadata:
  name: node-exporter-v2
spec:
  template:
    spec:
      containers:
      - name: node-exporter
        image: quay.io/prometheus/node-exporter:v1.8.2
        ports:
        - containerPort: 9100
          hostPort: 9100`,
		Good: `kind: DaemonSet
metadata:
  name: node-exporter-v2
spec:
  template:
    spec:
      containers:
      - name: node-exporter
        image: quay.io/prometheus/node-exporter:v1.8.2
        args: ["--web.listen-address=:9101"]
        ports:
        - containerPort: 9101
          hostPort: 9101`,
		Run: func(p *Pass) {
			claims := hostPortClaims(p.Target)
			reportInPod(p, claims)
			// Cluster extension (hostport_cluster.go): with Nodes
			// known, DaemonSets collide only where they can run, and
			// replicas need one node each.
			nodes := newHostPortNodes(p, claims)
			if p.Inv.HostPorts != nil {
				reportAcrossObjects(p, claims, p.Inv.HostPorts, nodes)
			}
			reportHostPortCapacity(p, nodes, claims)
		},
	}
}

func reportInPod(p *Pass, claims []hostPortClaim) {
	for j := range claims {
		for i := range j {
			if claims[i].collides(claims[j]) {
				p.Report(claims[j].Path, claims[j].Container,
					"host port %s is claimed twice in this pod (also at %s); only one container can bind it, so the pod is rejected or cannot run",
					claims[j], claims[i].Path)
				break
			}
		}
	}
}

// reportAcrossObjects compares the target's host ports with the other
// claimants the lookup knows: the other inputs of the run and, when the
// cluster is known, its DaemonSets.
func reportAcrossObjects(p *Pass, claims []hostPortClaim, lookup HostPortLookup, nodes *hostPortNodes) {
	t := p.Target
	otherClaims := map[*Target][]hostPortClaim{}
	for _, c := range claims {
		for _, o := range lookup.HostPortClaims(c.Port, c.Protocol) {
			if o == nil || o.Spec == nil || o == t || sameObject(t, o) {
				continue
			}
			oc, ok := otherClaims[o]
			if !ok {
				oc = hostPortClaims(o)
				otherClaims[o] = oc
			}
			var hit *hostPortClaim
			for k := range oc {
				if c.collides(oc[k]) {
					hit = &oc[k]
					break
				}
			}
			if hit == nil || nodeSetsDisjoint(t.Spec, o.Spec) || clusterNodesDisjoint(nodes, p, c, o) {
				continue
			}
			where := hit.Path.String() + p.origin(o.Object, hit.Path)
			if o.Spec.HostNetwork {
				where += ", with hostNetwork"
			}
			switch {
			case t.IsDaemonSet() && o.IsDaemonSet():
				p.Report(c.Path, c.Container,
					"host port %s is also claimed by %s (%s); both DaemonSets want a pod on every node they can run on, and there the one that comes second stays Pending",
					c, o.Ref, where)
			case t.IsDaemonSet() || o.IsDaemonSet():
				p.Report(c.Path, c.Container,
					"host port %s is also claimed by %s (%s); the DaemonSet holds it on every node both can run on, so the pods that come second stay Pending",
					c, o.Ref, where)
			default:
				p.ReportAs(Warning, c.Path, c.Container,
					"host port %s is also claimed by %s (%s); if both land on one node, the second pod stays Pending",
					c, o.Ref, where)
			}
			p.pairWith(o.Ref, c.String())
		}
	}
}

// nodeConstraint is what one pod requires of one node label (or field).
type nodeConstraint struct {
	in     map[string]bool // nil: any value
	notIn  map[string]bool
	exists bool
	absent bool
}

func (c nodeConstraint) and(o nodeConstraint) nodeConstraint {
	out := nodeConstraint{exists: c.exists || o.exists, absent: c.absent || o.absent, notIn: map[string]bool{}}
	switch {
	case c.in == nil:
		out.in = o.in
	case o.in == nil:
		out.in = c.in
	default:
		out.in = map[string]bool{}
		for v := range c.in {
			if o.in[v] {
				out.in[v] = true
			}
		}
	}
	for v := range c.notIn {
		out.notIn[v] = true
	}
	for v := range o.notIn {
		out.notIn[v] = true
	}
	return out
}

func (c nodeConstraint) unsatisfiable() bool {
	if c.absent && (c.exists || c.in != nil) {
		return true
	}
	if c.in == nil {
		return false
	}
	for v := range c.in {
		if !c.notIn[v] {
			return false
		}
	}
	return true
}

// nodeTerm is a conjunction of constraints by key; field keys are
// prefixed "field:" so they never meet a label.
type nodeTerm map[string]nodeConstraint

func (t nodeTerm) add(key string, c nodeConstraint) {
	if old, ok := t[key]; ok {
		c = old.and(c)
	}
	t[key] = c
}

func nodeValueSet(values []string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

func requirement(r corev1.NodeSelectorRequirement) (nodeConstraint, bool) {
	switch r.Operator {
	case corev1.NodeSelectorOpIn:
		return nodeConstraint{in: nodeValueSet(r.Values)}, true
	case corev1.NodeSelectorOpNotIn:
		return nodeConstraint{notIn: nodeValueSet(r.Values)}, true
	case corev1.NodeSelectorOpExists:
		return nodeConstraint{exists: true}, true
	case corev1.NodeSelectorOpDoesNotExist:
		return nodeConstraint{absent: true}, true
	}
	// Gt and Lt are numeric; treating them as "any value" can only make
	// node sets look overlapping, never wrongly disjoint.
	return nodeConstraint{}, false
}

// nodeTerms returns the pod's node requirements as alternatives (the
// required affinity terms are ORed), each already ANDed with the
// nodeSelector and nodeName.
func nodeTerms(spec *corev1.PodSpec) []nodeTerm {
	base := nodeTerm{}
	for k, v := range spec.NodeSelector {
		base.add(k, nodeConstraint{in: map[string]bool{v: true}})
	}
	if spec.NodeName != "" {
		base.add("field:metadata.name", nodeConstraint{in: map[string]bool{spec.NodeName: true}})
	}
	var terms []corev1.NodeSelectorTerm
	if a := spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		terms = a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	}
	if len(terms) == 0 {
		return []nodeTerm{base}
	}
	out := make([]nodeTerm, 0, len(terms))
	for _, term := range terms {
		nt := nodeTerm{}
		for k, c := range base {
			nt[k] = c
		}
		for _, r := range term.MatchExpressions {
			if c, ok := requirement(r); ok {
				nt.add(r.Key, c)
			}
		}
		for _, r := range term.MatchFields {
			if c, ok := requirement(r); ok {
				nt.add("field:"+r.Key, c)
			}
		}
		out = append(out, nt)
	}
	return out
}

// nodeSetsDisjoint tells whether no node can satisfy both pods' required
// node constraints. It answers true only when that is provable.
func nodeSetsDisjoint(a, b *corev1.PodSpec) bool {
	tb := nodeTerms(b)
	for _, x := range nodeTerms(a) {
		for _, y := range tb {
			if !termsDisjoint(x, y) {
				return false
			}
		}
	}
	return true
}

func termsDisjoint(x, y nodeTerm) bool {
	for k, cx := range x {
		c := cx
		if cy, ok := y[k]; ok {
			c = cx.and(cy)
		}
		if c.unsatisfiable() {
			return true
		}
	}
	for k, cy := range y {
		if _, ok := x[k]; !ok && cy.unsatisfiable() {
			return true
		}
	}
	return false
}
