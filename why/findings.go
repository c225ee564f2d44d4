package why

import (
	"cmp"
	"slices"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podlint/podlint/checks"
)

// addFindings runs the catalogue on the pod's owner (or the pod) and keeps
// the findings of the checks the diagnosis' row names: what podlint would
// have said before deploy.
func (x *run) addFindings(d *Diagnosis, o owner) {
	apiVersion, kind := typeOf(o.obj)
	x.findingsFor(d, o.obj, apiVersion, kind)
}

func (x *run) addWorkloadFindings(d *Diagnosis, w workload) {
	apiVersion, kind := typeOf(w.obj)
	x.findingsFor(d, w.obj, apiVersion, kind)
}

// typeOf returns the apiVersion and kind of the typed objects a dump
// holds; live lists leave TypeMeta empty, so it cannot be read from there.
func typeOf(obj runtime.Object) (apiVersion, kind string) {
	switch obj.(type) {
	case *corev1.Pod:
		return "v1", KindPod
	case *appsv1.Deployment:
		return "apps/v1", KindDeployment
	case *appsv1.ReplicaSet:
		return "apps/v1", KindReplicaSet
	case *appsv1.StatefulSet:
		return "apps/v1", KindStatefulSet
	case *appsv1.DaemonSet:
		return "apps/v1", KindDaemonSet
	case *batchv1.Job:
		return "batch/v1", KindJob
	case *batchv1.CronJob:
		return "batch/v1", KindCronJob
	}
	return "", ""
}

func (x *run) findingsFor(d *Diagnosis, obj runtime.Object, apiVersion, kind string) {
	if d.rule == nil || len(d.rule.Checks) == 0 || obj == nil {
		return
	}
	all, ok := x.cache[obj]
	if !ok {
		t := checks.NewTarget(obj, apiVersion, kind)
		all = x.eng.RunTarget(t, x.inv).Findings
		// Stable order: by object, then field, then check, as lint prints.
		slices.SortStableFunc(all, func(a, b checks.Finding) int {
			return cmp.Or(
				cmp.Compare(a.Object.String(), b.Object.String()),
				cmp.Compare(a.Field, b.Field),
				cmp.Compare(a.Check, b.Check),
			)
		})
		x.cache[obj] = all
	}
	for _, f := range all {
		if !slices.Contains(d.rule.Checks, f.Check) {
			continue
		}
		if d.Container != "" && f.Container != "" && f.Container != d.Container {
			continue
		}
		ref := ObjectRef{APIVersion: f.Object.APIVersion, Kind: f.Object.Kind, Namespace: f.Object.Namespace, Name: f.Object.Name}
		if ref.Namespace == "" {
			ref.Namespace = x.namespaceOf(obj)
		}
		d.Findings = append(d.Findings, Finding{Check: f.Check, Severity: f.Severity.String(), Object: ref,
			Container: f.Container, Field: f.Field, Message: f.Message})
	}
}

func (x *run) namespaceOf(obj runtime.Object) string {
	if m, ok := obj.(interface{ GetNamespace() string }); ok {
		return m.GetNamespace()
	}
	return ""
}

// inventory answers the checks' questions from the dump: nodes,
// namespaces, DaemonSets' host ports and pods per node. Kinds a dump does
// not carry (ConfigMaps, Secrets, quotas...) stay unknown, so the checks
// that need them stay silent rather than guess.
type inventory struct {
	nodes      []*corev1.Node
	labels     map[string]map[string][]*corev1.Node
	nodesKnown bool
	namespaces map[string]*corev1.Namespace
	nsKnown    bool
	hostPorts  map[hostPortKey][]*checks.Target
	podsOn     map[string]int
	podsKnown  bool
	groups     func() []checks.NodeGroup
}

type hostPortKey struct {
	port  int32
	proto corev1.Protocol
}

func newInventory(d *Dump) checks.Inventory {
	inv := &inventory{labels: map[string]map[string][]*corev1.Node{}, namespaces: map[string]*corev1.Namespace{},
		hostPorts: map[hostPortKey][]*checks.Target{}, podsOn: map[string]int{}}
	inv.nodesKnown = d.Listed[KindNode]
	inv.nodes = slices.Clone(d.Nodes)
	slices.SortFunc(inv.nodes, func(a, b *corev1.Node) int { return cmp.Compare(a.Name, b.Name) })
	for _, n := range inv.nodes {
		for k, v := range n.Labels {
			if inv.labels[k] == nil {
				inv.labels[k] = map[string][]*corev1.Node{}
			}
			inv.labels[k][v] = append(inv.labels[k][v], n)
		}
	}
	inv.nsKnown = d.Listed[KindNamespace]
	for _, n := range d.Namespaces {
		inv.namespaces[n.Name] = n
	}
	for _, ds := range d.DaemonSets {
		t := checks.NewTarget(ds, "apps/v1", KindDaemonSet)
		seen := map[hostPortKey]bool{}
		for _, hp := range hostPortsOf(&ds.Spec.Template.Spec) {
			k := hostPortKey{hp.port, hp.protocol}
			if !seen[k] {
				seen[k] = true
				inv.hostPorts[k] = append(inv.hostPorts[k], t)
			}
		}
	}
	inv.podsKnown = d.Listed[KindPod]
	for _, p := range d.Pods {
		if p.Spec.NodeName != "" && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			inv.podsOn[p.Spec.NodeName]++
		}
	}
	inv.groups = sync.OnceValue(func() []checks.NodeGroup {
		var on func(string) int
		if inv.podsKnown {
			on = func(n string) int { return inv.podsOn[n] }
		}
		return checks.GroupNodes(inv.nodes, on)
	})
	out := checks.Inventory{HostPorts: inv}
	if inv.nodesKnown {
		out.Nodes = inv
	}
	if inv.nsKnown {
		out.Namespaces = inv
	}
	if inv.podsKnown {
		out.Pods = inv
	}
	return out
}

func (i *inventory) Nodes() ([]*corev1.Node, bool) { return i.nodes, i.nodesKnown }

// NodeGroups groups the nodes once per run, on first use: every stuck
// pod's findings ask again.
func (i *inventory) NodeGroups() ([]checks.NodeGroup, bool) {
	return i.groups(), i.nodesKnown
}

func (i *inventory) NodesWithLabel(key, value string) []*corev1.Node { return i.labels[key][value] }

func (i *inventory) NodeCount() (int, bool) { return len(i.nodes), i.nodesKnown }

func (i *inventory) NodeCountWithLabel(key, value string) int { return len(i.labels[key][value]) }

func (i *inventory) Namespace(name string) (*corev1.Namespace, checks.Presence) {
	if n, ok := i.namespaces[name]; ok {
		return n, checks.Present
	}
	if i.nsKnown {
		return nil, checks.Absent
	}
	return nil, checks.Unknown
}

func (i *inventory) HostPortClaims(port int32, proto corev1.Protocol) []*checks.Target {
	if proto == "" {
		proto = corev1.ProtocolTCP
	}
	return i.hostPorts[hostPortKey{port, proto}]
}

func (i *inventory) PodsOnNode(node string) (int, bool) { return i.podsOn[node], i.podsKnown }
