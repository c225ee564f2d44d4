package cluster

import (
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/podlint/podlint/checks"
)

// Inventory exposes the store through the checks' narrow interfaces.
func (s *Store) Inventory() checks.Inventory {
	return checks.Inventory{
		ServiceAccounts: saLookup{s},
		Secrets:         secretLookup{s},
		ConfigMaps:      cmLookup{s},
		ConfigMapKeys:   cmLookup{s},
		StorageClasses:  scLookup{s},
		PriorityClasses: nameLookup{s, PriorityClasses},
		RuntimeClasses:  nameLookup{s, RuntimeClasses},
		PVCs:            pvcLookup{s},
		PVCUses:         pvcLookup{s},
		Namespaces:      nsLookup{s},
		Nodes:           nodeLookup{s},
		HostPorts:       hostPortLookup{s},
		LimitRanges:     lrLookup{s},
		ResourceQuotas:  rqLookup{s},
		Pods:            podLookup{s},
		PodLabels:       podLookup{s},
	}
}

type saLookup struct{ s *Store }

func (l saLookup) ServiceAccount(namespace, name string) (*corev1.ServiceAccount, checks.Presence) {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.object(ServiceAccounts, namespace, name)
	sa, _ := o.(*corev1.ServiceAccount)
	return sa, s.presence(ServiceAccounts, ns(namespace), ok)
}

type secretLookup struct{ s *Store }

func (l secretLookup) Secret(namespace, name string) (*checks.SecretMeta, checks.Presence) {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.secrets[s.key(Secrets, namespace, name)]
	return m, s.presence(Secrets, ns(namespace), ok)
}

type cmLookup struct{ s *Store }

func (l cmLookup) ConfigMap(namespace, name string) checks.Presence {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.presence(ConfigMaps, ns(namespace), s.names[ConfigMaps][s.key(ConfigMaps, namespace, name)])
}

func (l cmLookup) ConfigMapKeys(namespace, name string) (map[string]bool, bool) {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	keys, ok := s.cmKeys[s.key(ConfigMaps, namespace, name)]
	return keys, ok
}

type scLookup struct{ s *Store }

func (l scLookup) StorageClass(name string) checks.Presence {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.storageClasses[name]
	return s.presence(StorageClasses, AllNamespaces, ok)
}

func (l scLookup) DefaultStorageClass() (exists, known bool) {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, def := range s.storageClasses {
		if def {
			return true, true
		}
	}
	return false, s.isKnown(StorageClasses, AllNamespaces)
}

// nameLookup answers for a cluster-scoped kind kept by name.
type nameLookup struct {
	s *Store
	k Kind
}

func (l nameLookup) PriorityClass(name string) checks.Presence { return l.present(name) }
func (l nameLookup) RuntimeClass(name string) checks.Presence  { return l.present(name) }

func (l nameLookup) present(name string) checks.Presence {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.presence(l.k, AllNamespaces, s.names[l.k][s.key(l.k, "", name)])
}

type pvcLookup struct{ s *Store }

func (l pvcLookup) PersistentVolumeClaim(namespace, name string) checks.Presence {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.presence(PVCs, ns(namespace), s.names[PVCs][s.key(PVCs, namespace, name)])
}

func (l pvcLookup) PVCAccessModes(namespace, name string) ([]corev1.PersistentVolumeAccessMode, bool) {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.pvcModes[s.key(PVCs, namespace, name)]
	return m, ok
}

func (l pvcLookup) ClaimUsers(namespace, name string) []*checks.Target {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	m := s.claimUsers[s.key(PVCs, namespace, name)]
	out := make([]*checks.Target, 0, len(m))
	for _, t := range m {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *checks.Target) int { return strings.Compare(a.Ref.String(), b.Ref.String()) })
	return out
}

type nsLookup struct{ s *Store }

func (l nsLookup) Namespace(name string) (*corev1.Namespace, checks.Presence) {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.object(Namespaces, "", name)
	n, _ := o.(*corev1.Namespace)
	return n, s.presence(Namespaces, AllNamespaces, ok)
}

type nodeLookup struct{ s *Store }

// Nodes returns the cached sorted list; callers must not modify it.
func (l nodeLookup) Nodes() ([]*corev1.Node, bool) {
	s := l.s
	s.mu.RLock()
	known, list := s.isKnown(Nodes, AllNamespaces), s.nodeList
	s.mu.RUnlock()
	if !known {
		return nil, false
	}
	if list != nil {
		return list, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nodeList == nil {
		s.nodeList = sortedNodes(s.nodes)
	}
	return s.nodeList, true
}

func (l nodeLookup) NodesWithLabel(key, value string) []*corev1.Node {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	return sortedNodes(s.nodeLabels[key][value])
}

func (l nodeLookup) NodeCount() (int, bool) {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.isKnown(Nodes, AllNamespaces) {
		return 0, false
	}
	return len(s.nodes), true
}

func (l nodeLookup) NodeCountWithLabel(key, value string) int {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.nodeLabels[key][value])
}

// NodeGroups returns the cached groups, sorted by key; callers must not
// modify them.
func (l nodeLookup) NodeGroups() ([]checks.NodeGroup, bool) {
	s := l.s
	s.mu.RLock()
	known, list, empty := s.isKnown(Nodes, AllNamespaces), s.groupList, len(s.nodes) == 0
	s.mu.RUnlock()
	if !known {
		return nil, false
	}
	if list != nil || empty {
		return list, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groupList == nil {
		keys := slices.Sorted(maps.Keys(s.groups))
		s.groupList = make([]checks.NodeGroup, len(keys))
		for i, k := range keys {
			g := s.groups[k]
			s.groupList[i] = checks.NodeGroup{Node: g.rep, Count: len(g.members), Full: len(g.full)}
		}
	}
	return s.groupList, true
}

func sortedNodes(m map[string]*corev1.Node) []*corev1.Node {
	out := slices.Collect(maps.Values(m))
	slices.SortFunc(out, func(a, b *corev1.Node) int { return strings.Compare(a.Name, b.Name) })
	return out
}

type hostPortLookup struct{ s *Store }

func (l hostPortLookup) HostPortClaims(port int32, proto corev1.Protocol) []*checks.Target {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	m := s.hostPorts[hostPortKey{port, protocol(proto)}]
	out := slices.Collect(maps.Values(m))
	slices.SortFunc(out, func(a, b *checks.Target) int { return strings.Compare(a.Ref.String(), b.Ref.String()) })
	return out
}

type lrLookup struct{ s *Store }

func (l lrLookup) LimitRanges(namespace string) ([]*corev1.LimitRange, checks.Presence) {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := typedIn[*corev1.LimitRange](s, LimitRanges, namespace)
	return out, s.presence(LimitRanges, ns(namespace), len(out) > 0)
}

type rqLookup struct{ s *Store }

func (l rqLookup) ResourceQuotas(namespace string) ([]*corev1.ResourceQuota, checks.Presence) {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := typedIn[*corev1.ResourceQuota](s, ResourceQuotas, namespace)
	return out, s.presence(ResourceQuotas, ns(namespace), len(out) > 0)
}

type podLookup struct{ s *Store }

func (l podLookup) PodsOnNode(node string) (int, bool) {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.isKnown(Pods, AllNamespaces) {
		return 0, false
	}
	return len(s.podsOnNode[node]), true
}

// typedIn returns the objects of a kept-whole kind in a namespace, sorted
// by name.
func typedIn[T Object](s *Store, k Kind, namespace string) []T {
	m := s.objects[k][s.key(k, namespace, "").ns]
	out := make([]T, 0, len(m))
	for _, o := range m {
		if t, ok := o.(T); ok {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b T) int { return strings.Compare(a.GetName(), b.GetName()) })
	return out
}

// PodsMatch looks through the bound, unfinished pods and the pod-spec
// targets (inputs, watched DaemonSets) of the namespaces in scope. It costs
// O(pods in scope): only pods with a required pod affinity term ask.
func (l podLookup) PodsMatch(scope checks.PodScope, sel labels.Selector, self checks.ObjectRef) checks.Presence {
	s := l.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	// in tells whether namespace ns is in scope; a namespace selector
	// matches only namespaces whose labels are known.
	in := func(ns string) bool {
		switch {
		case slices.Contains(scope.Namespaces, ns):
			return true
		case scope.Selector == nil:
			return false
		case scope.Selector.Empty():
			return true
		}
		o, found := s.object(Namespaces, "", ns)
		return found && scope.Selector.Matches(labels.Set(o.GetLabels()))
	}
	for ns, pods := range s.podLabels {
		if !in(ns) {
			continue
		}
		for _, l := range pods {
			if sel.Matches(l) {
				return checks.Present
			}
		}
	}
	self.APIVersion, self.Namespace = "", ns(self.Namespace)
	for ref, t := range s.workloads {
		if ref == self || t.Replicas == 0 {
			continue
		}
		if in(t.Namespace()) && sel.Matches(labels.Set(checks.PodLabels(t))) {
			return checks.Present
		}
	}
	// Absent needs every pod of the scope listed: the pods of each named
	// namespace, of every namespace for a selector, and the namespaces
	// themselves for a selector that is not "all".
	if scope.Selector != nil {
		if !s.isKnown(Pods, AllNamespaces) || !scope.Selector.Empty() && !s.isKnown(Namespaces, AllNamespaces) {
			return checks.Unknown
		}
		return checks.Absent
	}
	for _, n := range scope.Namespaces {
		if !s.isKnown(Pods, ns(n)) {
			return checks.Unknown
		}
	}
	return checks.Absent
}
