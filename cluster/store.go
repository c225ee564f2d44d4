package cluster

import (
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/podlint/podlint/checks"
)

// Kind names the kinds the store tracks.
type Kind string

// Tracked kinds.
const (
	Nodes           Kind = "Node"
	Namespaces      Kind = "Namespace"
	ServiceAccounts Kind = "ServiceAccount"
	Secrets         Kind = "Secret"
	ConfigMaps      Kind = "ConfigMap"
	PVCs            Kind = "PersistentVolumeClaim"
	LimitRanges     Kind = "LimitRange"
	ResourceQuotas  Kind = "ResourceQuota"
	Pods            Kind = "Pod"
	DaemonSets      Kind = "DaemonSet"
)

// AllNamespaces marks a kind as known in every namespace (a cluster-wide
// list succeeded).
const AllNamespaces = "*"

type nsName struct{ ns, name string }

// Store is safe for concurrent use: the webhook's informers write while
// requests read.
type Store struct {
	mu sync.RWMutex

	// known[kind][namespace]: the kind was listed for that namespace, or
	// for AllNamespaces.
	known map[Kind]map[string]bool

	nodes map[string]*corev1.Node
	// nodeList caches nodes sorted by name; nil after any node change.
	// Checks ask for it once per pod without a selector, so rebuilding
	// and sorting 5,000 nodes each time would dominate their cost.
	nodeList   []*corev1.Node
	nodeLabels map[string]map[string]map[string]*corev1.Node // key -> value -> name -> node
	namespaces map[string]*corev1.Namespace
	sas        map[nsName]*corev1.ServiceAccount
	secrets    map[nsName]*checks.SecretMeta
	configMaps map[nsName]bool
	pvcs       map[nsName]bool
	limits     map[string]map[string]*corev1.LimitRange    // ns -> name
	quotas     map[string]map[string]*corev1.ResourceQuota // ns -> name
	podsOnNode map[string]map[nsName]bool

	// hostPorts indexes pod-spec targets by the host ports they claim.
	hostPorts map[hostPortKey]map[checks.ObjectRef]*checks.Target
	// claimed remembers each target's keys, to drop them on replace.
	claimed map[checks.ObjectRef][]hostPortKey
}

type hostPortKey struct {
	port     int32
	protocol corev1.Protocol
}

// New returns an empty store: every kind unknown.
func New() *Store {
	return &Store{
		known:      map[Kind]map[string]bool{},
		nodes:      map[string]*corev1.Node{},
		nodeLabels: map[string]map[string]map[string]*corev1.Node{},
		namespaces: map[string]*corev1.Namespace{},
		sas:        map[nsName]*corev1.ServiceAccount{},
		secrets:    map[nsName]*checks.SecretMeta{},
		configMaps: map[nsName]bool{},
		pvcs:       map[nsName]bool{},
		limits:     map[string]map[string]*corev1.LimitRange{},
		quotas:     map[string]map[string]*corev1.ResourceQuota{},
		podsOnNode: map[string]map[nsName]bool{},
		hostPorts:  map[hostPortKey]map[checks.ObjectRef]*checks.Target{},
		claimed:    map[checks.ObjectRef][]hostPortKey{},
	}
}

// MarkKnown records that kind was listed completely in namespace (or
// AllNamespaces). Only snapshots, live lists and synced informers call it;
// the inputs of a run make objects present without making kinds known.
func (s *Store) MarkKnown(kind Kind, namespace string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.known[kind]
	if m == nil {
		m = map[string]bool{}
		s.known[kind] = m
	}
	m[namespace] = true
}

// MarkUnknown forgets that kind was known anywhere (an informer was
// switched off or lost its watch).
func (s *Store) MarkUnknown(kind Kind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.known, kind)
}

// IsKnown tells whether kind is known in namespace.
func (s *Store) IsKnown(kind Kind, namespace string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.isKnown(kind, namespace)
}

func (s *Store) isKnown(kind Kind, namespace string) bool {
	m := s.known[kind]
	return m[AllNamespaces] || m[namespace]
}

func (s *Store) presence(kind Kind, namespace string, found bool) checks.Presence {
	switch {
	case found:
		return checks.Present
	case s.isKnown(kind, namespace):
		return checks.Absent
	}
	return checks.Unknown
}

// Known kinds in a namespace are only meaningful when the namespace itself
// exists; a missing namespace is reported by kubectl, not by podlint.

// Inventory exposes the store through the checks' narrow interfaces.
func (s *Store) Inventory() checks.Inventory {
	return checks.Inventory{
		ServiceAccounts: saLookup{s},
		Secrets:         secretLookup{s},
		ConfigMaps:      cmLookup{s},
		PVCs:            pvcLookup{s},
		Namespaces:      nsLookup{s},
		Nodes:           nodeLookup{s},
		HostPorts:       hostPortLookup{s},
		LimitRanges:     lrLookup{s},
		ResourceQuotas:  rqLookup{s},
		Pods:            podLookup{s},
	}
}

// --- writers ---

// AddNode adds or replaces a node.
func (s *Store) AddNode(n *corev1.Node) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteNode(n.Name)
	s.nodes[n.Name] = n
	s.nodeList = nil
	for k, v := range n.Labels {
		byVal := s.nodeLabels[k]
		if byVal == nil {
			byVal = map[string]map[string]*corev1.Node{}
			s.nodeLabels[k] = byVal
		}
		names := byVal[v]
		if names == nil {
			names = map[string]*corev1.Node{}
			byVal[v] = names
		}
		names[n.Name] = n
	}
}

// DeleteNode removes a node.
func (s *Store) DeleteNode(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteNode(name)
}

func (s *Store) deleteNode(name string) {
	old, ok := s.nodes[name]
	if !ok {
		return
	}
	for k, v := range old.Labels {
		delete(s.nodeLabels[k][v], name)
		if len(s.nodeLabels[k][v]) == 0 {
			delete(s.nodeLabels[k], v)
		}
		if len(s.nodeLabels[k]) == 0 {
			delete(s.nodeLabels, k)
		}
	}
	delete(s.nodes, name)
	s.nodeList = nil
}

// AddNamespace adds or replaces a namespace.
func (s *Store) AddNamespace(ns *corev1.Namespace) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.namespaces[ns.Name] = ns
}

// DeleteNamespace removes a namespace.
func (s *Store) DeleteNamespace(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.namespaces, name)
}

// AddServiceAccount adds or replaces a ServiceAccount.
func (s *Store) AddServiceAccount(sa *corev1.ServiceAccount) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sas[nsName{ns(sa.Namespace), sa.Name}] = sa
}

// DeleteServiceAccount removes a ServiceAccount.
func (s *Store) DeleteServiceAccount(namespace, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sas, nsName{ns(namespace), name})
}

// AddSecret records a Secret's name and type. Callers pass metadata only;
// the store has nowhere to put data.
func (s *Store) AddSecret(m checks.SecretMeta) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m.Namespace = ns(m.Namespace)
	s.secrets[nsName{m.Namespace, m.Name}] = &m
}

// DeleteSecret removes a Secret.
func (s *Store) DeleteSecret(namespace, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.secrets, nsName{ns(namespace), name})
}

// AddConfigMap records that a ConfigMap exists.
func (s *Store) AddConfigMap(namespace, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.configMaps[nsName{ns(namespace), name}] = true
}

// DeleteConfigMap removes a ConfigMap.
func (s *Store) DeleteConfigMap(namespace, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.configMaps, nsName{ns(namespace), name})
}

// AddPVC records that a PersistentVolumeClaim exists.
func (s *Store) AddPVC(namespace, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pvcs[nsName{ns(namespace), name}] = true
}

// DeletePVC removes a PersistentVolumeClaim.
func (s *Store) DeletePVC(namespace, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.pvcs, nsName{ns(namespace), name})
}

// AddLimitRange adds or replaces a LimitRange.
func (s *Store) AddLimitRange(lr *corev1.LimitRange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := ns(lr.Namespace)
	if s.limits[n] == nil {
		s.limits[n] = map[string]*corev1.LimitRange{}
	}
	s.limits[n][lr.Name] = lr
}

// DeleteLimitRange removes a LimitRange.
func (s *Store) DeleteLimitRange(namespace, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.limits[ns(namespace)], name)
}

// AddResourceQuota adds or replaces a ResourceQuota.
func (s *Store) AddResourceQuota(q *corev1.ResourceQuota) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := ns(q.Namespace)
	if s.quotas[n] == nil {
		s.quotas[n] = map[string]*corev1.ResourceQuota{}
	}
	s.quotas[n][q.Name] = q
}

// DeleteResourceQuota removes a ResourceQuota.
func (s *Store) DeleteResourceQuota(namespace, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.quotas[ns(namespace)], name)
}

// AddPod counts a running pod on its node (only bound, unfinished pods
// take a slot).
func (s *Store) AddPod(p *corev1.Pod) {
	if p.Spec.NodeName == "" || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.podsOnNode[p.Spec.NodeName]
	if m == nil {
		m = map[nsName]bool{}
		s.podsOnNode[p.Spec.NodeName] = m
	}
	m[nsName{ns(p.Namespace), p.Name}] = true
}

// DeletePod forgets a pod.
func (s *Store) DeletePod(node, namespace, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.podsOnNode[node], nsName{ns(namespace), name})
}

// AddWorkload indexes a pod-spec target by the host ports it claims. A
// target with the same kind, namespace and name replaces the earlier one:
// they are versions of one object, never two objects that coexist.
func (s *Store) AddWorkload(t *checks.Target) {
	if t.Spec == nil {
		return
	}
	ref := t.Ref
	ref.APIVersion = ""
	ref.Namespace = t.Namespace()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteWorkload(ref)
	var keys []hostPortKey
	for _, c := range t.Containers() {
		for _, p := range c.Container.Ports {
			port := p.HostPort
			if t.Spec.HostNetwork {
				port = p.ContainerPort
			}
			if port == 0 {
				continue
			}
			k := hostPortKey{port, protocol(p.Protocol)}
			m := s.hostPorts[k]
			if m == nil {
				m = map[checks.ObjectRef]*checks.Target{}
				s.hostPorts[k] = m
			}
			m[ref] = t
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		s.claimed[ref] = keys
	}
}

// DeleteWorkload removes a target from the host-port index.
func (s *Store) DeleteWorkload(ref checks.ObjectRef) {
	ref.APIVersion = ""
	ref.Namespace = ns(ref.Namespace)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteWorkload(ref)
}

func (s *Store) deleteWorkload(ref checks.ObjectRef) {
	for _, k := range s.claimed[ref] {
		delete(s.hostPorts[k], ref)
		if len(s.hostPorts[k]) == 0 {
			delete(s.hostPorts, k)
		}
	}
	delete(s.claimed, ref)
}

// AddDaemonSet indexes a cluster DaemonSet by its host ports.
func (s *Store) AddDaemonSet(ds *appsv1.DaemonSet) {
	s.AddWorkload(checks.NewTarget(ds, "apps/v1", "DaemonSet"))
}

func ns(n string) string {
	if n == "" {
		return "default"
	}
	return n
}

func protocol(p corev1.Protocol) corev1.Protocol {
	if p == "" {
		return corev1.ProtocolTCP
	}
	return p
}

// AddTarget records what one input object tells the inventory: the object
// itself when it is a kind the checks look up, and its host ports when it
// has a pod spec. The CLI feeds every input through it before any check
// runs; tests that compare the CLI with the webhook use it too.
func (s *Store) AddTarget(t *checks.Target) {
	switch o := t.Object.(type) {
	case *corev1.ServiceAccount:
		s.AddServiceAccount(o)
	case *corev1.Secret:
		typ := o.Type
		if typ == "" {
			typ = corev1.SecretTypeOpaque
		}
		s.AddSecret(checks.SecretMeta{Namespace: o.Namespace, Name: o.Name, Type: typ, TypeKnown: true})
	case *corev1.ConfigMap:
		s.AddConfigMap(o.Namespace, o.Name)
	case *corev1.PersistentVolumeClaim:
		s.AddPVC(o.Namespace, o.Name)
	case *corev1.Namespace:
		s.AddNamespace(o)
	case *corev1.Node:
		s.AddNode(o)
	case *corev1.LimitRange:
		s.AddLimitRange(o)
	case *corev1.ResourceQuota:
		s.AddResourceQuota(o)
	}
	if t.Spec != nil {
		s.AddWorkload(t)
	}
}
