package checks

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Presence is what the inventory knows about one object. A check may say
// "X does not exist" only on Absent: Unknown means nobody told podlint
// about X's kind in X's namespace, and guessing would be a false positive.
type Presence int

// Presence values; the zero value is Unknown on purpose.
const (
	Unknown Presence = iota
	Absent
	Present
)

func (p Presence) String() string {
	switch p {
	case Absent:
		return "absent"
	case Present:
		return "present"
	}
	return "unknown"
}

// SecretMeta is all podlint ever keeps of a Secret: never its data.
type SecretMeta struct {
	Namespace, Name string
	Type            corev1.SecretType
	// TypeKnown is false when only the Secret's name is known (a metadata
	// watch without the type).
	TypeKnown bool
	// Keys are the names of the Secret's keys (data and stringData), never
	// values; KeysKnown is false unless they were read: always for Secrets
	// among the inputs, for cluster Secrets only with the secret-keys
	// opt-in.
	Keys      map[string]bool
	KeysKnown bool
}

// ServiceAccountLookup finds ServiceAccounts (for imagePullSecrets and
// service-account-not-found).
type ServiceAccountLookup interface {
	ServiceAccount(namespace, name string) (*corev1.ServiceAccount, Presence)
}

// SecretLookup finds Secrets by name; it never returns data.
type SecretLookup interface {
	Secret(namespace, name string) (*SecretMeta, Presence)
}

// ConfigMapLookup tells whether a ConfigMap exists.
type ConfigMapLookup interface {
	ConfigMap(namespace, name string) Presence
}

// ConfigMapKeyLookup gives the key names (data and binaryData, never
// values) of a ConfigMap. known is false when the ConfigMap is not known
// to exist or no key of it was read (a metadata-only source, or a
// ConfigMap without data): checks then stay silent.
type ConfigMapKeyLookup interface {
	ConfigMapKeys(namespace, name string) (keys map[string]bool, known bool)
}

// StorageClassLookup finds StorageClasses and the default one.
type StorageClassLookup interface {
	StorageClass(name string) Presence
	// DefaultStorageClass tells whether a default class exists; known is
	// false when StorageClasses were not listed.
	DefaultStorageClass() (exists, known bool)
}

// PriorityClassLookup tells whether a PriorityClass exists.
type PriorityClassLookup interface {
	PriorityClass(name string) Presence
}

// RuntimeClassLookup tells whether a RuntimeClass exists.
type RuntimeClassLookup interface {
	RuntimeClass(name string) Presence
}

// PVCLookup tells whether a PersistentVolumeClaim exists.
type PVCLookup interface {
	PersistentVolumeClaim(namespace, name string) Presence
}

// PVCUseLookup tells a claim's access modes and who mounts it.
type PVCUseLookup interface {
	// PVCAccessModes returns the claim's spec.accessModes; known is false
	// when the claim or its modes were not read.
	PVCAccessModes(namespace, name string) (modes []corev1.PersistentVolumeAccessMode, known bool)
	// ClaimUsers returns the pod-spec targets (inputs of the run, the
	// cluster's watched workloads) whose volumes name the claim, sorted
	// by reference; StatefulSet claim templates are not uses.
	ClaimUsers(namespace, name string) []*Target
}

// NamespaceLookup finds Namespaces (for their pod-security and podlint
// labels).
type NamespaceLookup interface {
	Namespace(name string) (*corev1.Namespace, Presence)
}

// NodeLookup gives the cluster's nodes. known is false when no source
// supplied Nodes; checks about scheduling then stay silent.
type NodeLookup interface {
	Nodes() (nodes []*corev1.Node, known bool)
	// NodesWithLabel returns the nodes whose label key has value; it is
	// an index, so a selector costs O(matching nodes), not O(nodes).
	NodesWithLabel(key, value string) []*corev1.Node
	// NodeCount and NodeCountWithLabel answer from the same indexes
	// without building slices, so that a check can pick the most
	// selective nodeSelector term before touching any node.
	NodeCount() (count int, known bool)
	NodeCountWithLabel(key, value string) int
	// NodeGroups returns the nodes grouped by what scheduling reads
	// (NodeGroupKey), so that the scheduling and host-port checks cost
	// O(groups), not O(nodes). known is as for Nodes.
	NodeGroups() (groups []NodeGroup, known bool)
}

// HostPortLookup returns the other pod-spec targets (inputs of the run and,
// when known, the cluster's DaemonSets) that claim a host port. It is an
// index by port so host-port-conflict costs O(claimants), not O(workloads).
type HostPortLookup interface {
	HostPortClaims(port int32, protocol corev1.Protocol) []*Target
}

// LimitRangeLookup returns the LimitRanges of a namespace.
type LimitRangeLookup interface {
	LimitRanges(namespace string) ([]*corev1.LimitRange, Presence)
}

// ResourceQuotaLookup returns the ResourceQuotas of a namespace.
type ResourceQuotaLookup interface {
	ResourceQuotas(namespace string) ([]*corev1.ResourceQuota, Presence)
}

// PodCountLookup tells how many pods run on a node; known is false when
// pods were not supplied.
type PodCountLookup interface {
	PodsOnNode(node string) (count int, known bool)
}

// PodScope is the set of namespaces a pod affinity term covers: the
// namespaces it names, and those whose labels Selector matches (nil: none;
// labels.Everything(): every namespace).
type PodScope struct {
	Namespaces []string
	Selector   labels.Selector
}

// PodLabelLookup finds pods by their labels, for pod affinity: the
// cluster's bound, unfinished pods (what the scheduler counts) and the pods
// the workloads of the run would create.
type PodLabelLookup interface {
	// PodsMatch tells whether a pod in scope has labels sel matches,
	// leaving out the pods of self (the target being checked). Present:
	// one does; Absent: the pods of every namespace in scope (and, for a
	// namespace selector, the namespaces) are known and none matches;
	// Unknown otherwise.
	PodsMatch(scope PodScope, sel labels.Selector, self ObjectRef) Presence
}

// OriginLookup says where an object the inventory handed to a check was
// written, so that a finding caused by that object (a LimitRange, a
// Namespace's labels, another workload on the same host port) names the
// place the user must look at. The CLI knows it for its inputs; objects
// from a snapshot, a live cluster or the webhook's informers have none.
type OriginLookup interface {
	// Origin returns "FILE:LINE" (of the field at path when it is written,
	// else of the object) for obj, a typed object the inventory returned
	// or, for objects a lookup only describes (Secrets), an ObjectRef; ""
	// when obj is not from an input.
	Origin(obj any, path *field.Path) string
}

// Inventory is everything a check may know beyond the target. Each field is
// a narrow interface; a nil field means the kind is unknown everywhere, and
// the checks that need it stay silent.
type Inventory struct {
	ServiceAccounts ServiceAccountLookup
	Secrets         SecretLookup
	ConfigMaps      ConfigMapLookup
	ConfigMapKeys   ConfigMapKeyLookup
	StorageClasses  StorageClassLookup
	PriorityClasses PriorityClassLookup
	RuntimeClasses  RuntimeClassLookup
	PVCs            PVCLookup
	PVCUses         PVCUseLookup
	Namespaces      NamespaceLookup
	Nodes           NodeLookup
	HostPorts       HostPortLookup
	LimitRanges     LimitRangeLookup
	ResourceQuotas  ResourceQuotaLookup
	Pods            PodCountLookup
	PodLabels       PodLabelLookup
	// Origins may be nil: then no finding names a file.
	Origins OriginLookup
}
