package cluster

import (
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/podlint/podlint/checks"
)

// AllNamespaces marks a kind as known in every namespace (a cluster-wide
// list succeeded).
const AllNamespaces = "*"

type nsName struct{ ns, name string }

// Store is safe for concurrent use: the webhook's informers write while
// requests read.
type Store struct {
	mu sync.RWMutex

	// rows are the table's rows by kind.
	rows map[Kind]*Row
	// known[kind][namespace]: the kind was listed for that namespace, or
	// for AllNamespaces.
	known map[Kind]map[string]bool

	// objects holds the kinds kept whole: kind -> namespace -> name.
	objects map[Kind]map[string]map[string]Object
	// names holds the kinds of which only existence is kept.
	names map[Kind]map[nsName]bool

	nodes map[string]*corev1.Node
	// nodeList caches nodes sorted by name; nil after any node change.
	// Checks ask for it once per pod without a selector, so rebuilding
	// and sorting 5,000 nodes each time would dominate their cost.
	nodeList   []*corev1.Node
	nodeLabels map[string]map[string]map[string]*corev1.Node // key -> value -> name -> node
	secrets    map[nsName]*checks.SecretMeta
	podsOnNode map[string]map[nsName]bool
	podNode    map[nsName]string // the reverse of podsOnNode, for deletes

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
	rows := map[Kind]*Row{}
	for i := range table {
		rows[table[i].Kind] = &table[i]
	}
	return &Store{
		rows:       rows,
		known:      map[Kind]map[string]bool{},
		objects:    map[Kind]map[string]map[string]Object{},
		names:      map[Kind]map[nsName]bool{},
		nodes:      map[string]*corev1.Node{},
		nodeLabels: map[string]map[string]map[string]*corev1.Node{},
		secrets:    map[nsName]*checks.SecretMeta{},
		podsOnNode: map[string]map[nsName]bool{},
		podNode:    map[nsName]string{},
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

// Add puts o, an object of kind k as a cluster source read it, in the
// store through the row's field reader, replacing an earlier version of
// it. A kind outside the table is ignored.
func (s *Store) Add(k Kind, o Object) {
	r := s.rows[k]
	if r == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r.Add(s, k, o)
}

// Delete forgets an object of kind k.
func (s *Store) Delete(k Kind, namespace, name string) {
	r := s.rows[k]
	if r == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r.Delete(s, k, namespace, name)
}

// AddTarget records what one input object tells the inventory. Objects
// with a pod spec are indexed by the host ports they claim (what they
// would create, not cluster state); objects of a table kind go through
// their row like cluster objects. The CLI feeds every input through it
// before any check runs; tests that compare the CLI with the webhook use
// it too.
func (s *Store) AddTarget(t *checks.Target) {
	if t.Spec != nil {
		s.AddWorkload(t)
		return
	}
	r, ok := ForObject(t.Object)
	if !ok {
		return
	}
	o := t.Object.(Object)
	if sec, ok := o.(*corev1.Secret); ok && sec.Type == "" {
		// The API server gives an applied Secret without a type the type
		// Opaque. From a cluster source, an empty type means "not read".
		c := *sec
		c.Type = corev1.SecretTypeOpaque
		o = &c
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r.Add(s, r.Kind, o)
}

// AddWorkload indexes a pod-spec target by the host ports it claims. A
// target with the same kind, namespace and name replaces the earlier one:
// they are versions of one object, never two objects that coexist.
func (s *Store) AddWorkload(t *checks.Target) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addWorkload(t)
}

// DeleteWorkload removes a target from the host-port index.
func (s *Store) DeleteWorkload(ref checks.ObjectRef) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteWorkload(ref)
}

// --- field readers and their helpers; the lock is held ---

// key spells an object's namespace the way lookups ask for it: "default"
// for a namespaced object without one, "" for a cluster-scoped kind.
func (s *Store) key(k Kind, namespace, name string) nsName {
	if r := s.rows[k]; r != nil && r.Namespaced {
		return nsName{ns(namespace), name}
	}
	return nsName{"", name}
}

// putObject keeps o whole.
func (s *Store) putObject(k Kind, o Object) {
	key := s.key(k, o.GetNamespace(), o.GetName())
	byNS := s.objects[k]
	if byNS == nil {
		byNS = map[string]map[string]Object{}
		s.objects[k] = byNS
	}
	m := byNS[key.ns]
	if m == nil {
		m = map[string]Object{}
		byNS[key.ns] = m
	}
	m[key.name] = o
}

func (s *Store) deleteObject(k Kind, namespace, name string) {
	key := s.key(k, namespace, name)
	delete(s.objects[k][key.ns], key.name)
}

func (s *Store) object(k Kind, namespace, name string) (Object, bool) {
	key := s.key(k, namespace, name)
	o, ok := s.objects[k][key.ns][key.name]
	return o, ok
}

// putName keeps only that o exists.
func (s *Store) putName(k Kind, o Object) {
	m := s.names[k]
	if m == nil {
		m = map[nsName]bool{}
		s.names[k] = m
	}
	m[s.key(k, o.GetNamespace(), o.GetName())] = true
}

func (s *Store) deleteName(k Kind, namespace, name string) {
	delete(s.names[k], s.key(k, namespace, name))
}

func (s *Store) putNode(n *corev1.Node) {
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

// putSecret keeps a Secret's name and type; the store has nowhere to put
// data. An empty type is a type podlint could not read.
func (s *Store) putSecret(sec *corev1.Secret) {
	key := s.key(Secrets, sec.Namespace, sec.Name)
	s.secrets[key] = &checks.SecretMeta{Namespace: key.ns, Name: key.name, Type: sec.Type, TypeKnown: sec.Type != ""}
}

// putPod counts a pod on its node while it takes a slot there: bound and
// not finished.
func (s *Store) putPod(p *corev1.Pod) {
	s.deletePod(p.Namespace, p.Name)
	if p.Spec.NodeName == "" || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
		return
	}
	key := s.key(Pods, p.Namespace, p.Name)
	m := s.podsOnNode[p.Spec.NodeName]
	if m == nil {
		m = map[nsName]bool{}
		s.podsOnNode[p.Spec.NodeName] = m
	}
	m[key] = true
	s.podNode[key] = p.Spec.NodeName
}

func (s *Store) deletePod(namespace, name string) {
	key := s.key(Pods, namespace, name)
	if node, ok := s.podNode[key]; ok {
		delete(s.podsOnNode[node], key)
		delete(s.podNode, key)
	}
}

func (s *Store) putDaemonSet(ds *appsv1.DaemonSet) {
	s.addWorkload(checks.NewTarget(ds, "apps/v1", string(DaemonSets)))
}

func workloadRef(k Kind, namespace, name string) checks.ObjectRef {
	return checks.ObjectRef{Kind: string(k), Namespace: namespace, Name: name}
}

func (s *Store) addWorkload(t *checks.Target) {
	if t.Spec == nil {
		return
	}
	ref := t.Ref
	ref.APIVersion = ""
	ref.Namespace = t.Namespace()
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

func (s *Store) deleteWorkload(ref checks.ObjectRef) {
	ref.APIVersion = ""
	ref.Namespace = ns(ref.Namespace)
	for _, k := range s.claimed[ref] {
		delete(s.hostPorts[k], ref)
		if len(s.hostPorts[k]) == 0 {
			delete(s.hostPorts, k)
		}
	}
	delete(s.claimed, ref)
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
