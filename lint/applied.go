package lint

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

// This file decides which inputs count as cluster state for which
// workload. The inputs of a run are not one cluster: a monorepo holds
// independent apps, each with its own example LimitRange; a chart's render
// and a kustomize overlay are applied on their own. So an input object is
// cluster state for a workload only where the two would really be applied
// together:
//
//   - Objects are applied in groups: the files of one directory (not
//     recursive, like `kubectl apply -f DIR`), or standard input. A source
//     that renders one apply is one more group: each rendered top-level
//     kustomization (`kubectl apply -k DIR`, renderGroup), each render of
//     a Helm chart (one per ci/ values file), or the inputs a source sets
//     input.group on.
//   - An object without a namespace lives in the namespace of its apply,
//     which podlint does not know unless told (-n, or --live's kubeconfig
//     context): then it matches only the namespace-less objects of its own
//     group, and the cluster's namespaced knowledge does not apply to it.
//   - Objects with an explicit namespace (or given one by -n), and
//     cluster-scoped ones (Namespaces), match across the whole run.
//   - Host ports are held on nodes, not in namespaces; two workloads are
//     compared only within one group (two directories may go to two
//     clusters), and with the cluster's DaemonSets.
//   - Copies of one object that disagree on what a check reads (two
//     Namespaces "team" with different Pod Security labels) make it
//     unknown, unless the cluster's copy matches one of them.

// entry is what a run keeps of one object until the end (stream.go):
// its target, without the node tree, where it was applied from, and how
// to place what it is asked about.
type entry struct {
	// target is nil while the object is compact.
	target  *checks.Target
	compact *compact
	// group names the apply the object belongs to.
	group string
	// implicit is true when the object's namespace is the (unknown)
	// namespace of its apply.
	implicit bool
	file     string
	// source is the template a Helm "# Source:" comment names: a hint
	// for messages (an input that is a render piped in).
	source string
	pos    positions
	// place places findings on a rendered object (a chart's or a
	// kustomization's) where the user edits; nil for an object read
	// from a file.
	place placer
	// deferred are the checks that asked about other objects while the
	// stream was read; they run once it is all read.
	deferred []*checks.Check
	// seq is the object's place in the run (input order, then stream
	// order), which orders findings as the inputs do.
	seq int
}

// applyGroup returns the apply group of an input: its directory for a
// file, "-" for standard input.
func applyGroup(name string) string {
	if name == "-" {
		return "stdin"
	}
	return "dir:" + filepath.Dir(filepath.Clean(name))
}

// namespacedInput tells whether the namespace of t matters to the checks:
// workloads, and the namespaced kinds they look up.
func namespacedInput(t *checks.Target) bool {
	if t.Spec != nil {
		return true
	}
	switch t.Object.(type) {
	case *corev1.ConfigMap, *corev1.Secret, *corev1.PersistentVolumeClaim, *corev1.ServiceAccount,
		*corev1.LimitRange, *corev1.ResourceQuota:
		return true
	}
	return false
}

// setNamespace puts namespace ns (from -n) on a namespace-less input of
// a known kind, as kubectl apply -n does.
func setNamespace(t *checks.Target, ns string) {
	if ns == "" || t == nil || t.Ref.Namespace != "" || !namespacedInput(t) {
		return
	}
	t.Meta.Namespace = ns
	t.Ref.Namespace = ns
}

// scopeKey names where a namespaced object lives: an explicit namespace,
// or the unknown namespace of one apply group.
func scopeKey(e *entry) string {
	return scopeKeyOf(e.implicit, e.group, e.target.Namespace())
}

func scopeKeyOf(implicit bool, group, namespace string) string {
	if implicit {
		return "apply " + group
	}
	return "ns " + namespace
}

// scope holds the namespaced inputs that live in one scope, by name; each
// name may have several copies.
type scope struct {
	configMaps map[string][]*corev1.ConfigMap
	pvcs       map[string][]*corev1.PersistentVolumeClaim
	// claimUsers are the workloads living in the scope whose pods share
	// a claim (checks.SharedClaims), by claim name.
	claimUsers map[string][]*checks.Target
	// workloads are the pod-spec inputs living in the scope, for the pods
	// they would create (pod affinity).
	workloads []*checks.Target
	secrets   map[string][]*corev1.Secret
	sas       map[string][]*corev1.ServiceAccount
	limits    map[string][]*corev1.LimitRange
	quotas    map[string][]*corev1.ResourceQuota
}

func newScope() *scope {
	return &scope{
		configMaps: map[string][]*corev1.ConfigMap{}, pvcs: map[string][]*corev1.PersistentVolumeClaim{},
		claimUsers: map[string][]*checks.Target{},
		secrets:    map[string][]*corev1.Secret{}, sas: map[string][]*corev1.ServiceAccount{},
		limits: map[string][]*corev1.LimitRange{}, quotas: map[string][]*corev1.ResourceQuota{},
	}
}

// defaultClassAnnotations mark a StorageClass as the default (the beta
// one is still honoured).
var defaultClassAnnotations = []string{cluster.DefaultStorageClassAnnotation, "storageclass.beta.kubernetes.io/is-default-class"}

type hostPortKey struct {
	port     int32
	protocol corev1.Protocol
}

// inputState indexes the inputs of a run for the per-target views.
type inputState struct {
	base       checks.Inventory
	scopes     map[string]*scope
	namespaces map[string][]*corev1.Namespace
	// Cluster-scoped classes among the inputs, by name; storageClasses
	// says whether a class is marked default.
	priorityClasses map[string]bool
	runtimeClasses  map[string]bool
	storageClasses  map[string]bool
	// hostPorts[group][port] lists the distinct versions of the group's
	// workloads that claim the port: identical copies (one chart rendered
	// twice) are one claimant.
	hostPorts map[string]map[hostPortKey][]*checks.Target
	// origins maps a typed object to its input, for messages.
	origins map[any]*entry
	// Answers for names with several copies, which every object that
	// asks would otherwise compare again (a stream holding one app many
	// times over asks as often as it has copies): by namespace name, and
	// by scope and ServiceAccount name. The second pass runs on one
	// goroutine.
	namespaceAnswers map[string]namespaceAnswer
	saAnswers        map[saKey]saAnswer
}

type namespaceAnswer struct {
	ns *corev1.Namespace
	pr checks.Presence
}

type saKey struct {
	sc   *scope
	name string
}

type saAnswer struct {
	sa *corev1.ServiceAccount
	pr checks.Presence
}

func newInputState(entries []*entry, base checks.Inventory) *inputState {
	s := &inputState{
		base:             base,
		scopes:           map[string]*scope{},
		namespaces:       map[string][]*corev1.Namespace{},
		priorityClasses:  map[string]bool{},
		runtimeClasses:   map[string]bool{},
		storageClasses:   map[string]bool{},
		hostPorts:        map[string]map[hostPortKey][]*checks.Target{},
		origins:          map[any]*entry{},
		namespaceAnswers: map[string]namespaceAnswer{},
		saAnswers:        map[saKey]saAnswer{},
	}
	for _, e := range entries {
		t := e.target
		if t == nil {
			if e.compact == nil {
				// Its compact form could not be read (unpack).
				continue
			}
			// A compact workload (compact.go): it claims no host
			// port and shares no claim; its pods' labels are all the
			// others ask of it.
			pods := e.compact.pods
			key := scopeKeyOf(e.implicit, e.group, pods.Namespace())
			sc := s.scopes[key]
			if sc == nil {
				sc = newScope()
				s.scopes[key] = sc
			}
			sc.workloads = append(sc.workloads, pods)
			continue
		}
		s.origins[t.Object] = e
		switch o := t.Object.(type) {
		case *corev1.Namespace:
			s.namespaces[o.Name] = append(s.namespaces[o.Name], o)
			continue
		case *schedulingv1.PriorityClass:
			s.priorityClasses[o.Name] = true
			continue
		case *nodev1.RuntimeClass:
			s.runtimeClasses[o.Name] = true
			continue
		case *storagev1.StorageClass:
			def := s.storageClasses[o.Name]
			for _, k := range defaultClassAnnotations {
				def = def || o.Annotations[k] == "true"
			}
			s.storageClasses[o.Name] = def
			continue
		}
		if !namespacedInput(t) {
			continue
		}
		key := scopeKey(e)
		sc := s.scopes[key]
		if sc == nil {
			sc = newScope()
			s.scopes[key] = sc
		}
		if t.Spec != nil {
			s.addWorkload(e)
			sc.workloads = append(sc.workloads, t)
			for _, c := range checks.SharedClaims(t) {
				sc.claimUsers[c] = append(sc.claimUsers[c], t)
			}
			continue
		}
		switch o := t.Object.(type) {
		case *corev1.ConfigMap:
			sc.configMaps[o.Name] = append(sc.configMaps[o.Name], o)
		case *corev1.PersistentVolumeClaim:
			sc.pvcs[o.Name] = append(sc.pvcs[o.Name], o)
		case *corev1.Secret:
			sc.secrets[o.Name] = append(sc.secrets[o.Name], o)
		case *corev1.ServiceAccount:
			sc.sas[o.Name] = append(sc.sas[o.Name], o)
		case *corev1.LimitRange:
			sc.limits[o.Name] = append(sc.limits[o.Name], o)
		case *corev1.ResourceQuota:
			sc.quotas[o.Name] = append(sc.quotas[o.Name], o)
		}
	}
	return s
}

// addWorkload indexes a workload by the host ports it claims (with
// hostNetwork, every containerPort), within its group.
func (s *inputState) addWorkload(e *entry) {
	t := e.target
	keys := hostPortKeys(t)
	if len(keys) == 0 {
		return
	}
	byPort := s.hostPorts[e.group]
	if byPort == nil {
		byPort = map[hostPortKey][]*checks.Target{}
		s.hostPorts[e.group] = byPort
	}
	for _, k := range keys {
		dup := slices.ContainsFunc(byPort[k], func(o *checks.Target) bool {
			return o.Ref == t.Ref && equality.Semantic.DeepEqual(o.Spec, t.Spec)
		})
		if !dup {
			byPort[k] = append(byPort[k], t)
		}
	}
}

// hostPortKeys lists the host ports a workload claims.
func hostPortKeys(t *checks.Target) []hostPortKey {
	var keys []hostPortKey
	for _, c := range t.Containers() {
		for _, p := range c.Container.Ports {
			port := p.HostPort
			if port == 0 && t.Spec.HostNetwork {
				port = p.ContainerPort
			}
			if port == 0 {
				continue
			}
			proto := p.Protocol
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			if k := (hostPortKey{port, proto}); !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// inventory returns what the checks see for one input object: the inputs
// applied with it, over the cluster knowledge.
func (s *inputState) inventory(e *entry) checks.Inventory {
	v := &view{s: s, e: e}
	// What the inputs cannot feed (Nodes, Pods, a lookup added later)
	// comes from the cluster alone.
	inv := s.base
	inv.ServiceAccounts = v
	inv.Secrets = v
	inv.ConfigMaps = v
	inv.ConfigMapKeys = v
	inv.PriorityClasses = v
	inv.RuntimeClasses = v
	inv.StorageClasses = v
	inv.PVCs = v
	inv.PVCUses = v
	inv.Namespaces = v
	inv.HostPorts = v
	inv.LimitRanges = v
	inv.PodLabels = v
	inv.ResourceQuotas = v
	inv.Origins = v
	return inv
}

// Origin implements checks.OriginLookup: "line N" for an object in the
// target's own file, "FILE:LINE" for one in another input. For an object
// of a render (a kustomization, a chart), that is where the value is
// written (the base file, a patch, the kustomization's transformer entry;
// the template or values file line), never a line of the render; when no
// place can be checked, the file to edit and what the place is (the
// kustomization and the object's name, the template's rendered line).
func (v *view) Origin(obj any, path *field.Path) string {
	if ref, ok := obj.(checks.ObjectRef); ok && ref.Kind == "Secret" {
		// The Secret the target sees: the first of its copies (copies
		// that disagree on the type report nothing about it).
		if sc, _ := v.scope(ref.Namespace); sc != nil && len(sc.secrets[ref.Name]) > 0 {
			obj = sc.secrets[ref.Name][0]
		}
	}
	e := v.s.origins[obj]
	if e == nil {
		return ""
	}
	if e.place != nil {
		// A rendered object: where its value is written, or the file
		// to edit and what the place is.
		pl := e.place(pathString(path))
		if !pl.exact {
			return fmt.Sprintf("%s (%s)", pl.file, cmp.Or(pl.note, pl.render))
		}
		return fmt.Sprintf("%s:%d", pl.file, pl.line)
	}
	line, _ := e.pos.position(pathString(path))
	if e.file == v.e.file && v.e.place == nil {
		return fmt.Sprintf("line %d", line)
	}
	return fmt.Sprintf("%s:%d", e.file, line)
}

func pathString(p *field.Path) string {
	if p == nil {
		return ""
	}
	return p.String()
}

// view is the inventory of one target.
type view struct {
	s *inputState
	e *entry
}

// scope returns the inputs living in namespace ns as the target sees it,
// and whether ns is the target's own unknown namespace (then the cluster
// knows nothing about it).
func (v *view) scope(ns string) (*scope, bool) {
	t := v.e.target
	if v.e.implicit && ns == t.Namespace() {
		return v.s.scopes["apply "+v.e.group], true
	}
	return v.s.scopes["ns "+ns], false
}

func (v *view) ConfigMap(namespace, name string) checks.Presence {
	sc, implicit := v.scope(namespace)
	switch {
	case sc != nil && len(sc.configMaps[name]) > 0:
		return checks.Present
	case implicit || v.s.base.ConfigMaps == nil:
		return checks.Unknown
	}
	return v.s.base.ConfigMaps.ConfigMap(namespace, name)
}

// ConfigMapKeys unites the key names of the ConfigMap's copies among the
// inputs and, for a known namespace, the cluster's: a run often holds
// several versions of one ConfigMap (a base and the partial ones patches
// carry), only one of which is applied, so a key any of them has counts.
// A ConfigMap without any key is treated as unread.
func (v *view) ConfigMapKeys(namespace, name string) (map[string]bool, bool) {
	sc, implicit := v.scope(namespace)
	keys := map[string]bool{}
	if sc != nil {
		for _, c := range sc.configMaps[name] {
			for k := range c.Data {
				keys[k] = true
			}
			for k := range c.BinaryData {
				keys[k] = true
			}
		}
	}
	if !implicit && v.s.base.ConfigMapKeys != nil {
		if ck, ok := v.s.base.ConfigMapKeys.ConfigMapKeys(namespace, name); ok {
			for k := range ck {
				keys[k] = true
			}
		}
	}
	if len(keys) == 0 {
		return nil, false
	}
	return keys, true
}

func (v *view) PriorityClass(name string) checks.Presence {
	if v.s.priorityClasses[name] {
		return checks.Present
	}
	if v.s.base.PriorityClasses == nil {
		return checks.Unknown
	}
	return v.s.base.PriorityClasses.PriorityClass(name)
}

func (v *view) RuntimeClass(name string) checks.Presence {
	if v.s.runtimeClasses[name] {
		return checks.Present
	}
	if v.s.base.RuntimeClasses == nil {
		return checks.Unknown
	}
	return v.s.base.RuntimeClasses.RuntimeClass(name)
}

func (v *view) StorageClass(name string) checks.Presence {
	if _, ok := v.s.storageClasses[name]; ok {
		return checks.Present
	}
	if v.s.base.StorageClasses == nil {
		return checks.Unknown
	}
	return v.s.base.StorageClasses.StorageClass(name)
}

// DefaultStorageClass: a default class among the inputs exists; whether
// none exists only the cluster can say.
func (v *view) DefaultStorageClass() (exists, known bool) {
	for _, def := range v.s.storageClasses {
		if def {
			return true, true
		}
	}
	if v.s.base.StorageClasses == nil {
		return false, false
	}
	return v.s.base.StorageClasses.DefaultStorageClass()
}

func (v *view) PersistentVolumeClaim(namespace, name string) checks.Presence {
	sc, implicit := v.scope(namespace)
	switch {
	case sc != nil && len(sc.pvcs[name]) > 0:
		return checks.Present
	case implicit || v.s.base.PVCs == nil:
		return checks.Unknown
	}
	return v.s.base.PVCs.PersistentVolumeClaim(namespace, name)
}

// PVCAccessModes: the claim's copies among the inputs (unknown when they
// disagree), else the cluster's for a known namespace.
func (v *view) PVCAccessModes(namespace, name string) ([]corev1.PersistentVolumeAccessMode, bool) {
	sc, implicit := v.scope(namespace)
	if sc != nil && len(sc.pvcs[name]) > 0 {
		copies := sc.pvcs[name]
		modes := copies[0].Spec.AccessModes
		for _, c := range copies[1:] {
			if !equality.Semantic.DeepEqual(c.Spec.AccessModes, modes) {
				return nil, false
			}
		}
		return modes, len(modes) > 0
	}
	if implicit || v.s.base.PVCUses == nil {
		return nil, false
	}
	return v.s.base.PVCUses.PVCAccessModes(namespace, name)
}

// ClaimUsers: the workloads applied with the target that share the claim
// (in its namespace as the target sees it), and for a known namespace
// the cluster's, sorted by reference.
func (v *view) ClaimUsers(namespace, name string) []*checks.Target {
	sc, implicit := v.scope(namespace)
	var out []*checks.Target
	if sc != nil {
		out = append(out, sc.claimUsers[name]...)
	}
	if !implicit && v.s.base.PVCUses != nil {
		out = append(out, v.s.base.PVCUses.ClaimUsers(namespace, name)...)
	}
	slices.SortStableFunc(out, func(a, b *checks.Target) int { return strings.Compare(a.Ref.String(), b.Ref.String()) })
	return out
}

func (v *view) Secret(namespace, name string) (*checks.SecretMeta, checks.Presence) {
	sc, implicit := v.scope(namespace)
	if sc != nil && len(sc.secrets[name]) > 0 {
		copies := sc.secrets[name]
		m := secretMeta{&checks.SecretMeta{Namespace: namespace, Name: name, Type: secretType(copies[0]), TypeKnown: true}}
		for _, c := range copies {
			if secretType(c) != m.Type {
				// Copies of different types: which one is applied last
				// is not known.
				m.Type, m.TypeKnown = "", false
			}
			// Key names only, never values; a key any copy has counts,
			// as for ConfigMaps.
			for k := range c.Data {
				m.addKey(k)
			}
			for k := range c.StringData {
				m.addKey(k)
			}
		}
		return m.SecretMeta, checks.Present
	}
	if implicit || v.s.base.Secrets == nil {
		return nil, checks.Unknown
	}
	return v.s.base.Secrets.Secret(namespace, name)
}

type secretMeta struct{ *checks.SecretMeta }

func (m secretMeta) addKey(k string) {
	if m.Keys == nil {
		m.Keys, m.KeysKnown = map[string]bool{}, true
	}
	m.Keys[k] = true
}

func secretType(s *corev1.Secret) corev1.SecretType {
	if s.Type == "" {
		return corev1.SecretTypeOpaque
	}
	return s.Type
}

func (v *view) ServiceAccount(namespace, name string) (*corev1.ServiceAccount, checks.Presence) {
	sc, implicit := v.scope(namespace)
	if sc != nil && len(sc.sas[name]) > 0 {
		if a, ok := v.s.saAnswers[saKey{sc, name}]; ok {
			return a.sa, a.pr
		}
		a := saAnswer{sa: sc.sas[name][0], pr: checks.Present}
		for _, c := range sc.sas[name][1:] {
			if !equality.Semantic.DeepEqual(c.ImagePullSecrets, a.sa.ImagePullSecrets) {
				// It exists; its pull secrets are not known.
				a.sa = nil
				break
			}
		}
		v.s.saAnswers[saKey{sc, name}] = a
		return a.sa, a.pr
	}
	if implicit || v.s.base.ServiceAccounts == nil {
		return nil, checks.Unknown
	}
	return v.s.base.ServiceAccounts.ServiceAccount(namespace, name)
}

// podSecurityLabels are the labels pod-security-violation reads.
func podSecurityLabels(ns *corev1.Namespace) map[string]string {
	out := map[string]string{}
	for k, v := range ns.Labels {
		if strings.HasPrefix(k, "pod-security.kubernetes.io/") {
			out[k] = v
		}
	}
	return out
}

func (v *view) Namespace(name string) (*corev1.Namespace, checks.Presence) {
	t := v.e.target
	if v.e.implicit && name == t.Namespace() {
		return nil, checks.Unknown
	}
	if a, ok := v.s.namespaceAnswers[name]; ok {
		return a.ns, a.pr
	}
	ns, pr := v.s.namespace(name)
	v.s.namespaceAnswers[name] = namespaceAnswer{ns, pr}
	return ns, pr
}

// namespace resolves the copies of a Namespace among the inputs over
// the cluster's.
func (s *inputState) namespace(name string) (*corev1.Namespace, checks.Presence) {
	var cluster *corev1.Namespace
	pr := checks.Unknown
	if s.base.Namespaces != nil {
		cluster, pr = s.base.Namespaces.Namespace(name)
	}
	copies := s.namespaces[name]
	if len(copies) == 0 {
		return cluster, pr
	}
	first := podSecurityLabels(copies[0])
	for _, c := range copies[1:] {
		if !equality.Semantic.DeepEqual(podSecurityLabels(c), first) {
			return agreeing(copies, cluster, func(a, b *corev1.Namespace) bool {
				return equality.Semantic.DeepEqual(podSecurityLabels(a), podSecurityLabels(b))
			})
		}
	}
	return copies[0], checks.Present
}

// agreeing resolves conflicting copies of one object among the inputs:
// the cluster's copy when it matches one of them (the cluster says which
// holds), else unknown.
func agreeing[T any](copies []*T, cluster *T, same func(a, b *T) bool) (*T, checks.Presence) {
	if cluster != nil {
		for _, c := range copies {
			if same(c, cluster) {
				return cluster, checks.Present
			}
		}
	}
	return nil, checks.Unknown
}

func (v *view) LimitRanges(namespace string) ([]*corev1.LimitRange, checks.Presence) {
	sc, implicit := v.scope(namespace)
	var in map[string][]*corev1.LimitRange
	if sc != nil {
		in = sc.limits
	}
	var cluster []*corev1.LimitRange
	pr := checks.Unknown
	if !implicit && v.s.base.LimitRanges != nil {
		cluster, pr = v.s.base.LimitRanges.LimitRanges(namespace)
	}
	return merge(in, cluster, pr, func(lr *corev1.LimitRange) string { return lr.Name },
		func(a, b *corev1.LimitRange) bool { return equality.Semantic.DeepEqual(a.Spec, b.Spec) })
}

func (v *view) ResourceQuotas(namespace string) ([]*corev1.ResourceQuota, checks.Presence) {
	sc, implicit := v.scope(namespace)
	var in map[string][]*corev1.ResourceQuota
	if sc != nil {
		in = sc.quotas
	}
	var cluster []*corev1.ResourceQuota
	pr := checks.Unknown
	if !implicit && v.s.base.ResourceQuotas != nil {
		cluster, pr = v.s.base.ResourceQuotas.ResourceQuotas(namespace)
	}
	return merge(in, cluster, pr, func(q *corev1.ResourceQuota) string { return q.Name },
		func(a, b *corev1.ResourceQuota) bool { return equality.Semantic.DeepEqual(a.Spec, b.Spec) })
}

// merge lays a namespace's policy objects from the inputs over the
// cluster's: an input replaces the cluster object of the same name (the
// apply will), and conflicting copies of one name make the whole list
// unknown unless the cluster's copy matches one of them.
func merge[T any](in map[string][]*T, cluster []*T, pr checks.Presence, name func(*T) string, same func(a, b *T) bool) ([]*T, checks.Presence) {
	if len(in) == 0 {
		return cluster, pr
	}
	byName := map[string]*T{}
	for _, o := range cluster {
		byName[name(o)] = o
	}
	for n, copies := range in {
		o := copies[0]
		for _, c := range copies[1:] {
			if !same(c, o) {
				var p checks.Presence
				if o, p = agreeing(copies, byName[n], same); p != checks.Present {
					return nil, checks.Unknown
				}
				break
			}
		}
		byName[n] = o
	}
	out := make([]*T, 0, len(byName))
	for _, o := range byName {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b *T) int { return strings.Compare(name(a), name(b)) })
	return out, checks.Present
}

// HostPortClaims returns the workloads of the target's own apply group
// and the cluster's DaemonSets that claim the port.
func (v *view) HostPortClaims(port int32, protocol corev1.Protocol) []*checks.Target {
	var out []*checks.Target
	if v.s.base.HostPorts != nil {
		out = v.s.base.HostPorts.HostPortClaims(port, protocol)
	}
	if protocol == "" {
		protocol = corev1.ProtocolTCP
	}
	return append(slices.Clip(out), v.s.hostPorts[v.e.group][hostPortKey{port, protocol}]...)
}

// PodsMatch: a workload applied with the target (other than the target
// and its copies) whose pods match, in a namespace of the scope as the
// target sees it; else the cluster's pods, except in the target's own
// unknown namespace, of which the cluster knows nothing.
func (v *view) PodsMatch(ps checks.PodScope, sel labels.Selector, self checks.ObjectRef) checks.Presence {
	t := v.e.target
	match := func(sc *scope) bool {
		for _, w := range sc.workloads {
			if w != t && w.Ref != self && w.Replicas != 0 && sel.Matches(labels.Set(checks.PodLabels(w))) {
				return true
			}
		}
		return false
	}
	for _, n := range ps.Namespaces {
		if sc, _ := v.scope(n); sc != nil && match(sc) {
			return checks.Present
		}
	}
	if ps.Selector != nil {
		for key, sc := range v.s.scopes {
			name, explicit := strings.CutPrefix(key, "ns ")
			if !explicit {
				if !v.e.implicit || key != "apply "+v.e.group {
					continue
				}
				name = t.Namespace()
			}
			in := ps.Selector.Empty()
			if !in {
				ns, pr := v.Namespace(name)
				in = pr == checks.Present && ns != nil && ps.Selector.Matches(labels.Set(ns.Labels))
			}
			if in && match(sc) {
				return checks.Present
			}
		}
	}
	// The cluster knows nothing of the target's own namespace when it is
	// the unknown namespace of its apply.
	own := v.e.implicit && (ps.Selector != nil || slices.Contains(ps.Namespaces, t.Namespace()))
	base := ps
	if own {
		base.Namespaces = slices.DeleteFunc(slices.Clone(ps.Namespaces), func(n string) bool { return n == t.Namespace() })
		if base.Selector == nil && len(base.Namespaces) == 0 {
			return checks.Unknown
		}
	}
	pr := checks.Unknown
	if v.s.base.PodLabels != nil {
		pr = v.s.base.PodLabels.PodsMatch(base, sel, self)
	}
	if own && pr == checks.Absent {
		return checks.Unknown
	}
	return pr
}
