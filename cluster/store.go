package cluster

import (
	"maps"
	"slices"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/labels"

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

	// secretKeys is the opt-in to keep the key names of cluster Secrets
	// (KeepSecretKeys); Secrets among the inputs always keep theirs.
	secretKeys bool

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
	// groups are the nodes by checks.NodeGroupKey, kept up to date as
	// nodes and pods change so that a review costs O(groups); groupOf
	// is each node's key; groupList caches the sorted groups, nil after
	// any change.
	groups    map[string]*nodeGroup
	groupOf   map[string]string
	groupList []checks.NodeGroup
	secrets   map[nsName]*checks.SecretMeta
	// cmKeys holds the key names (data and binaryData) of ConfigMaps that
	// have any; never values.
	cmKeys map[nsName]map[string]bool
	// storageClasses maps each StorageClass to whether it is a default.
	storageClasses map[string]bool
	podsOnNode     map[string]map[nsName]bool
	podNode        map[nsName]string // the reverse of podsOnNode, for deletes
	// podLabels holds the labels of the same pods (bound, unfinished),
	// by namespace and name: the pods a pod affinity term can match.
	podLabels map[string]map[string]labels.Set
	// workloads holds every pod-spec target (inputs, watched
	// DaemonSets) by reference: the pods they would create, for pod
	// affinity.
	workloads map[checks.ObjectRef]*checks.Target

	// pvcModes holds the access modes of claims that name any.
	pvcModes map[nsName][]corev1.PersistentVolumeAccessMode
	// claimUsers indexes pod-spec targets by the claims their volumes
	// name (StatefulSet claim templates excluded), for
	// pvc-access-mode-conflict; usedClaims is its reverse, for replaces.
	claimUsers map[nsName]map[checks.ObjectRef]*checks.Target
	usedClaims map[checks.ObjectRef][]nsName

	// hostPorts indexes pod-spec targets by the host ports they claim.
	hostPorts map[hostPortKey]map[checks.ObjectRef]*checks.Target
	// claimed remembers each target's keys, to drop them on replace.
	claimed map[checks.ObjectRef][]hostPortKey
}

// nodeGroup is one checks.NodeGroup as the store keeps it.
type nodeGroup struct {
	rep     *corev1.Node
	members map[string]*corev1.Node
	// full holds the members that run as many pods as they may.
	full map[string]bool
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
		rows:           rows,
		known:          map[Kind]map[string]bool{},
		objects:        map[Kind]map[string]map[string]Object{},
		names:          map[Kind]map[nsName]bool{},
		nodes:          map[string]*corev1.Node{},
		nodeLabels:     map[string]map[string]map[string]*corev1.Node{},
		groups:         map[string]*nodeGroup{},
		groupOf:        map[string]string{},
		secrets:        map[nsName]*checks.SecretMeta{},
		cmKeys:         map[nsName]map[string]bool{},
		storageClasses: map[string]bool{},
		podsOnNode:     map[string]map[nsName]bool{},
		podNode:        map[nsName]string{},
		podLabels:      map[string]map[string]labels.Set{},
		workloads:      map[checks.ObjectRef]*checks.Target{},
		pvcModes:       map[nsName][]corev1.PersistentVolumeAccessMode{},
		claimUsers:     map[nsName]map[checks.ObjectRef]*checks.Target{},
		usedClaims:     map[checks.ObjectRef][]nsName{},
		hostPorts:      map[hostPortKey]map[checks.ObjectRef]*checks.Target{},
		claimed:        map[checks.ObjectRef][]hostPortKey{},
	}
}

// KeepSecretKeys makes the store keep the key names (never values) of the
// Secrets cluster sources hand it: the secret-keys opt-in. Without it
// only Secrets among the inputs have known keys.
func (s *Store) KeepSecretKeys() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secretKeys = true
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
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec, ok := o.(*corev1.Secret); ok {
		// The API server gives an applied Secret without a type the type
		// Opaque. From a cluster source, an empty type means "not read".
		c := *sec
		if c.Type == "" {
			c.Type = corev1.SecretTypeOpaque
		}
		s.putSecretKeys(&c, true)
		return
	}
	if cm, ok := o.(*corev1.ConfigMap); ok {
		// Inputs add keys and never remove them: a run often holds several
		// versions of one ConfigMap (kustomize bases and the partial ones
		// their patches carry), and only one of them is applied. A key
		// any of them, or the cluster, has counts as found.
		c := cm.DeepCopy()
		if c.Data == nil {
			c.Data = map[string]string{}
		}
		for k := range s.cmKeys[s.key(ConfigMaps, cm.Namespace, cm.Name)] {
			if _, ok := c.BinaryData[k]; !ok {
				c.Data[k] = ""
			}
		}
		o = c
	}
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
	key := checks.NodeGroupKey(n)
	g := s.groups[key]
	if g == nil {
		g = &nodeGroup{rep: n, members: map[string]*corev1.Node{}, full: map[string]bool{}}
		s.groups[key] = g
	}
	g.members[n.Name] = n
	s.groupOf[n.Name] = key
	s.groupList = nil
	s.updateFull(n.Name)
}

// updateFull records whether a node runs as many pods as it may.
func (s *Store) updateFull(name string) {
	g := s.groups[s.groupOf[name]]
	n := s.nodes[name]
	if g == nil || n == nil {
		return
	}
	full := int64(len(s.podsOnNode[name])) >= checks.NodePodLimit(n)
	if full != g.full[name] {
		if full {
			g.full[name] = true
		} else {
			delete(g.full, name)
		}
		s.groupList = nil
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
	if key, ok := s.groupOf[name]; ok {
		g := s.groups[key]
		delete(g.members, name)
		delete(g.full, name)
		if len(g.members) == 0 {
			delete(s.groups, key)
		} else if g.rep.Name == name {
			for _, m := range g.members {
				g.rep = m
				break
			}
		}
		delete(s.groupOf, name)
		s.groupList = nil
	}
	delete(s.nodes, name)
	s.nodeList = nil
}

// putSecret keeps a Secret's name and type; the store has nowhere to put
// data. An empty type is a type podlint could not read.
func (s *Store) putSecret(sec *corev1.Secret) {
	s.putSecretKeys(sec, s.secretKeys)
}

// putSecretKeys keeps a Secret's name and type and, with keys, the names
// of its keys. Keys are known only when the Secret carries some (a source
// that read no data hands over none).
func (s *Store) putSecretKeys(sec *corev1.Secret, keys bool) {
	key := s.key(Secrets, sec.Namespace, sec.Name)
	m := &checks.SecretMeta{Namespace: key.ns, Name: key.name, Type: sec.Type, TypeKnown: sec.Type != ""}
	if n := len(sec.Data) + len(sec.StringData); keys && n > 0 {
		m.Keys, m.KeysKnown = make(map[string]bool, n), true
		for k := range sec.Data {
			m.Keys[k] = true
		}
		for k := range sec.StringData {
			m.Keys[k] = true
		}
	}
	s.secrets[key] = m
}

// putConfigMap keeps that a ConfigMap exists and the names of its keys.
func (s *Store) putConfigMap(cm *corev1.ConfigMap) {
	s.putName(ConfigMaps, cm)
	key := s.key(ConfigMaps, cm.Namespace, cm.Name)
	delete(s.cmKeys, key)
	if len(cm.Data)+len(cm.BinaryData) == 0 {
		return
	}
	keys := make(map[string]bool, len(cm.Data)+len(cm.BinaryData))
	for k := range cm.Data {
		keys[k] = true
	}
	for k := range cm.BinaryData {
		keys[k] = true
	}
	s.cmKeys[key] = keys
}

func (s *Store) deleteConfigMap(namespace, name string) {
	s.deleteName(ConfigMaps, namespace, name)
	delete(s.cmKeys, s.key(ConfigMaps, namespace, name))
}

// DefaultStorageClassAnnotation marks the StorageClass a claim without
// storageClassName gets; the beta spelling is still honoured.
const (
	DefaultStorageClassAnnotation     = "storageclass.kubernetes.io/is-default-class"
	betaDefaultStorageClassAnnotation = "storageclass.beta.kubernetes.io/is-default-class"
)

func (s *Store) putStorageClass(sc *storagev1.StorageClass) {
	s.storageClasses[sc.Name] = sc.Annotations[DefaultStorageClassAnnotation] == "true" ||
		sc.Annotations[betaDefaultStorageClassAnnotation] == "true"
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
	s.updateFull(p.Spec.NodeName)
	byName := s.podLabels[key.ns]
	if byName == nil {
		byName = map[string]labels.Set{}
		s.podLabels[key.ns] = byName
	}
	byName[key.name] = maps.Clone(labels.Set(p.Labels))
}

func (s *Store) deletePod(namespace, name string) {
	key := s.key(Pods, namespace, name)
	if node, ok := s.podNode[key]; ok {
		delete(s.podsOnNode[node], key)
		delete(s.podNode, key)
		s.updateFull(node)
	}
	delete(s.podLabels[key.ns], key.name)
	if len(s.podLabels[key.ns]) == 0 {
		delete(s.podLabels, key.ns)
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
	s.workloads[ref] = t
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
	for _, claim := range checks.SharedClaims(t) {
		k := nsName{ref.Namespace, claim}
		m := s.claimUsers[k]
		if m == nil {
			m = map[checks.ObjectRef]*checks.Target{}
			s.claimUsers[k] = m
		}
		m[ref] = t
		s.usedClaims[ref] = append(s.usedClaims[ref], k)
	}
}

func (s *Store) putPVC(c *corev1.PersistentVolumeClaim) {
	s.putName(PVCs, c)
	k := s.key(PVCs, c.Namespace, c.Name)
	if len(c.Spec.AccessModes) == 0 {
		delete(s.pvcModes, k)
		return
	}
	s.pvcModes[k] = slices.Clone(c.Spec.AccessModes)
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
	delete(s.workloads, ref)
	for _, k := range s.usedClaims[ref] {
		delete(s.claimUsers[k], ref)
		if len(s.claimUsers[k]) == 0 {
			delete(s.claimUsers, k)
		}
	}
	delete(s.usedClaims, ref)
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
