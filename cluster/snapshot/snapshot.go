package snapshot

import (
	"cmp"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

// ListedKindsAnnotation, on a snapshot's top-level List, names the kinds
// that were listed completely (comma-separated kind names), including the
// ones that came back empty. podlint --write-snapshot sets it; plain kubectl
// output has no such annotation, and then a kind counts as listed only when
// at least one object of it appears.
const ListedKindsAnnotation = "podlint.io/listed-kinds"

// Kinds returns the kinds a snapshot may hold and --live reads, in the order
// they are read and written.
func Kinds() []cluster.Kind {
	return []cluster.Kind{
		cluster.Nodes,
		cluster.Namespaces,
		cluster.DaemonSets,
		cluster.ServiceAccounts,
		cluster.Secrets,
		cluster.ConfigMaps,
		cluster.PVCs,
		cluster.LimitRanges,
		cluster.ResourceQuotas,
		cluster.Pods,
	}
}

// ObjectName names a namespaced object of which only existence matters.
type ObjectName struct {
	Namespace, Name string
}

// PodSlot is what podlint keeps of a running pod: the node slot it takes.
type PodSlot struct {
	Namespace, Name, NodeName string
	Phase                     corev1.PodPhase
}

// Snapshot is cluster knowledge read from a file or a live API server. It
// holds only what the checks need: Secrets without data, ConfigMaps and
// PersistentVolumeClaims by name, pods by the node they run on, nodes
// without their image lists.
type Snapshot struct {
	// Listed are the kinds listed completely in every namespace: "absent"
	// is a fact for them. Other kinds' objects still count as present.
	Listed map[cluster.Kind]bool

	Nodes           []*corev1.Node
	Namespaces      []*corev1.Namespace
	DaemonSets      []*appsv1.DaemonSet
	ServiceAccounts []*corev1.ServiceAccount
	Secrets         []checks.SecretMeta
	ConfigMaps      []ObjectName
	PVCs            []ObjectName
	LimitRanges     []*corev1.LimitRange
	ResourceQuotas  []*corev1.ResourceQuota
	// Pods are the bound, unfinished pods (the ones that take a node slot).
	Pods []PodSlot
}

// NewSnapshot returns an empty snapshot with no kind listed.
func NewSnapshot() *Snapshot {
	return &Snapshot{Listed: map[cluster.Kind]bool{}}
}

// ListedKinds returns the listed kinds in Kinds() order.
func (s *Snapshot) ListedKinds() []cluster.Kind {
	var out []cluster.Kind
	for _, k := range Kinds() {
		if s.Listed[k] {
			out = append(out, k)
		}
	}
	return out
}

// Objects counts the objects the snapshot holds.
func (s *Snapshot) Objects() int {
	return len(s.Nodes) + len(s.Namespaces) + len(s.DaemonSets) + len(s.ServiceAccounts) +
		len(s.Secrets) + len(s.ConfigMaps) + len(s.PVCs) + len(s.LimitRanges) +
		len(s.ResourceQuotas) + len(s.Pods)
}

// merge appends o's objects and listed kinds to s.
func (s *Snapshot) merge(o *Snapshot) {
	for k := range o.Listed {
		s.Listed[k] = true
	}
	s.Nodes = append(s.Nodes, o.Nodes...)
	s.Namespaces = append(s.Namespaces, o.Namespaces...)
	s.DaemonSets = append(s.DaemonSets, o.DaemonSets...)
	s.ServiceAccounts = append(s.ServiceAccounts, o.ServiceAccounts...)
	s.Secrets = append(s.Secrets, o.Secrets...)
	s.ConfigMaps = append(s.ConfigMaps, o.ConfigMaps...)
	s.PVCs = append(s.PVCs, o.PVCs...)
	s.LimitRanges = append(s.LimitRanges, o.LimitRanges...)
	s.ResourceQuotas = append(s.ResourceQuotas, o.ResourceQuotas...)
	s.Pods = append(s.Pods, o.Pods...)
}

// Apply feeds the snapshot into the store and marks its listed kinds known
// in all namespaces: snapshots and live reads are cluster-wide lists.
func (s *Snapshot) Apply(st *cluster.Store) {
	for _, n := range s.Nodes {
		st.AddNode(n)
	}
	for _, n := range s.Namespaces {
		st.AddNamespace(n)
	}
	for _, ds := range s.DaemonSets {
		st.AddDaemonSet(ds)
	}
	for _, sa := range s.ServiceAccounts {
		st.AddServiceAccount(sa)
	}
	for _, m := range s.Secrets {
		st.AddSecret(m)
	}
	for _, c := range s.ConfigMaps {
		st.AddConfigMap(c.Namespace, c.Name)
	}
	for _, c := range s.PVCs {
		st.AddPVC(c.Namespace, c.Name)
	}
	for _, lr := range s.LimitRanges {
		st.AddLimitRange(lr)
	}
	for _, q := range s.ResourceQuotas {
		st.AddResourceQuota(q)
	}
	var pod corev1.Pod
	for _, p := range s.Pods {
		// AddPod keeps only the key, so one scratch Pod serves every slot.
		pod.Namespace, pod.Name, pod.Spec.NodeName, pod.Status.Phase = p.Namespace, p.Name, p.NodeName, p.Phase
		st.AddPod(&pod)
	}
	for _, k := range s.ListedKinds() {
		st.MarkKnown(k, cluster.AllNamespaces)
	}
}

// sort orders objects by namespace and name so that written snapshots are
// stable whatever order the server or the workers produced.
func (s *Snapshot) sort() {
	slices.SortFunc(s.Nodes, func(a, b *corev1.Node) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(s.Namespaces, func(a, b *corev1.Namespace) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(s.DaemonSets, func(a, b *appsv1.DaemonSet) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	slices.SortFunc(s.ServiceAccounts, func(a, b *corev1.ServiceAccount) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	slices.SortFunc(s.Secrets, func(a, b checks.SecretMeta) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	byName := func(a, b ObjectName) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	}
	slices.SortFunc(s.ConfigMaps, byName)
	slices.SortFunc(s.PVCs, byName)
	slices.SortFunc(s.LimitRanges, func(a, b *corev1.LimitRange) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	slices.SortFunc(s.ResourceQuotas, func(a, b *corev1.ResourceQuota) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	slices.SortFunc(s.Pods, func(a, b PodSlot) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
}
