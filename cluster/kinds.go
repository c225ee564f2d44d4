package cluster

import (
	"reflect"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Kind names a cluster kind podlint reads, by its Kubernetes kind.
type Kind string

// The kinds of the table, for code that names one.
const (
	Nodes           Kind = "Node"
	Namespaces      Kind = "Namespace"
	DaemonSets      Kind = "DaemonSet"
	ServiceAccounts Kind = "ServiceAccount"
	Secrets         Kind = "Secret"
	ConfigMaps      Kind = "ConfigMap"
	PVCs            Kind = "PersistentVolumeClaim"
	LimitRanges     Kind = "LimitRange"
	ResourceQuotas  Kind = "ResourceQuota"
	Pods            Kind = "Pod"
	StorageClasses  Kind = "StorageClass"
	PriorityClasses Kind = "PriorityClass"
	RuntimeClasses  Kind = "RuntimeClass"
)

// Object is a Kubernetes object as a source hands it to the store (the
// same method set as controller-runtime's client.Object).
type Object interface {
	metav1.Object
	runtime.Object
}

// Access says how the API sources read a kind.
type Access int

// Access modes.
const (
	// Typed reads the typed object (protobuf for --live).
	Typed Access = iota
	// Metadata reads names only: the metadata API for --live, a
	// metadata-only informer in the webhook. No data crosses the wire.
	Metadata
	// SecretType reads metadata and the Secret type, never data: --live
	// asks for the server-side Table `kubectl get secrets` prints; the
	// webhook adds one field-selected metadata watch per type.
	SecretType
)

// Row is one cluster kind: where it lives in the API, what podlint keeps
// of it, which checks need it, and the field reader that puts it in a
// Store. Every source (snapshot files, --live, the webhook's informers, the
// inputs of a run), the snapshot writer and the RBAC test are driven from
// these rows.
type Row struct {
	Kind     Kind
	Group    string // "" for the core group
	Version  string
	Resource string // plural, as RBAC and the API paths name it
	// Namespaced kinds keep an empty namespace as "default".
	Namespaced bool
	Access     Access
	// Keep lists the only fields podlint keeps (dotted JSON paths; apiVersion
	// and kind always stay); Drop lists the fields it drops from an
	// otherwise whole object. metadata.managedFields is always dropped.
	// Snapshot reading and writing apply them to the bytes, Strip to
	// typed objects.
	Keep, Drop []string
	// KeysOnly lists map fields (dotted JSON paths, among Keep) of which
	// podlint keeps the keys and never the values: Strip empties every
	// value, and the field reader records key names only.
	KeysOnly []string
	// LiveSelector is the field selector of --live's list calls.
	LiveSelector string
	// Watch names the webhook's --watch-<Watch> flag; "" means the webhook
	// does not watch the kind.
	Watch string
	// Checks are the IDs of the checks that read the kind.
	Checks []string
	// New returns an empty typed object of the kind.
	New func() Object
	// Add reads what the checks need of o into the store, replacing an
	// earlier version; Delete forgets an object. The store calls them with
	// its lock held, and they must not keep o when Keep says only a few
	// fields are kept (o may hold more).
	Add    func(s *Store, k Kind, o Object)
	Delete func(s *Store, k Kind, namespace, name string)
}

// table is the one list of cluster kinds, in the order --live reads them
// and snapshots are written. It is never modified.
var table = []Row{
	{
		Kind: Nodes, Version: "v1", Resource: "nodes", Access: Typed, Watch: "nodes",
		// Image lists are often most of a node; conditions and volumes
		// change every few seconds; no check reads them.
		Drop:   []string{"status.images", "status.conditions", "status.volumesAttached", "status.volumesInUse"},
		Checks: []string{"node-selector-unsatisfiable", "taint-not-tolerated", "insufficient-node-resources", "node-pod-capacity", "host-port-conflict", "topology-spread-unsatisfiable", "pod-affinity-unsatisfiable"},
		New:    func() Object { return &corev1.Node{} },
		Add:    func(s *Store, _ Kind, o Object) { s.putNode(o.(*corev1.Node)) },
		Delete: func(s *Store, _ Kind, _, name string) { s.deleteNode(name) },
	},
	{
		// Labels carry the Pod Security levels and podlint.io/mode.
		Kind: Namespaces, Version: "v1", Resource: "namespaces", Access: Typed, Watch: "namespaces",
		Checks: []string{"pod-security-violation", "pod-affinity-unsatisfiable"},
		New:    func() Object { return &corev1.Namespace{} },
		Add:    (*Store).putObject, Delete: (*Store).deleteObject,
	},
	{
		// Indexed by the host ports their pods claim.
		Kind: DaemonSets, Group: "apps", Version: "v1", Resource: "daemonsets", Namespaced: true, Access: Typed, Watch: "daemonsets",
		Drop:   []string{"status"},
		Checks: []string{"host-port-conflict"},
		New:    func() Object { return &appsv1.DaemonSet{} },
		Add:    func(s *Store, _ Kind, o Object) { s.putDaemonSet(o.(*appsv1.DaemonSet)) },
		Delete: func(s *Store, k Kind, namespace, name string) { s.deleteWorkload(workloadRef(k, namespace, name)) },
	},
	{
		Kind: ServiceAccounts, Version: "v1", Resource: "serviceaccounts", Namespaced: true, Access: Typed, Watch: "serviceaccounts",
		Checks: []string{"service-account-not-found", "image-pull-secret-missing", "image-pull-secret-not-found", "image-pull-secret-wrong-type"},
		New:    func() Object { return &corev1.ServiceAccount{} },
		Add:    (*Store).putObject, Delete: (*Store).deleteObject,
	},
	{
		// Name and type, never data.
		Kind: Secrets, Version: "v1", Resource: "secrets", Namespaced: true, Access: SecretType, Watch: "secrets",
		Keep:   []string{"metadata.name", "metadata.namespace", "type"},
		Checks: []string{"secret-not-found", "secret-key-not-found", "image-pull-secret-not-found", "image-pull-secret-wrong-type"},
		New:    func() Object { return &corev1.Secret{} },
		Add:    func(s *Store, _ Kind, o Object) { s.putSecret(o.(*corev1.Secret)) },
		Delete: func(s *Store, _ Kind, namespace, name string) { delete(s.secrets, s.key(Secrets, namespace, name)) },
	},
	{
		// Names and key names, never values: the API has no way to list
		// keys without values, so --live and the webhook's informer read
		// ConfigMaps whole and Strip empties the values before anything
		// keeps them.
		Kind: ConfigMaps, Version: "v1", Resource: "configmaps", Namespaced: true, Access: Typed, Watch: "configmaps",
		Keep:     []string{"metadata.name", "metadata.namespace", "data", "binaryData"},
		KeysOnly: []string{"data", "binaryData"},
		Checks:   []string{"configmap-not-found", "configmap-key-not-found"},
		New:      func() Object { return &corev1.ConfigMap{} },
		Add:      func(s *Store, _ Kind, o Object) { s.putConfigMap(o.(*corev1.ConfigMap)) },
		Delete:   func(s *Store, _ Kind, namespace, name string) { s.deleteConfigMap(namespace, name) },
	},
	{
		// Names and access modes (for pvc-access-mode-conflict); the
		// API cannot list access modes without the rest of the object, so
		// it is read typed and Strip drops everything else.
		Kind: PVCs, Version: "v1", Resource: "persistentvolumeclaims", Namespaced: true, Access: Typed, Watch: "pvcs",
		Keep:   []string{"metadata.name", "metadata.namespace", "spec.accessModes"},
		Checks: []string{"pvc-not-found", "pvc-access-mode-conflict"},
		New:    func() Object { return &corev1.PersistentVolumeClaim{} },
		Add:    func(s *Store, _ Kind, o Object) { s.putPVC(o.(*corev1.PersistentVolumeClaim)) },
		Delete: func(s *Store, k Kind, namespace, name string) {
			s.deleteName(k, namespace, name)
			delete(s.pvcModes, s.key(k, namespace, name))
		},
	},
	{
		Kind: LimitRanges, Version: "v1", Resource: "limitranges", Namespaced: true, Access: Typed, Watch: "limitranges",
		Checks: []string{"limit-range-violation", "resource-quota-violation"},
		New:    func() Object { return &corev1.LimitRange{} },
		Add:    (*Store).putObject, Delete: (*Store).deleteObject,
	},
	{
		Kind: ResourceQuotas, Version: "v1", Resource: "resourcequotas", Namespaced: true, Access: Typed, Watch: "resourcequotas",
		Checks: []string{"resource-quota-violation"},
		New:    func() Object { return &corev1.ResourceQuota{} },
		Add:    (*Store).putObject, Delete: (*Store).deleteObject,
	},
	{
		// The node slot a bound, unfinished pod takes, and its labels
		// (the pods a pod affinity term can match). The webhook does not
		// watch pods: their churn would cost more than node-pod-capacity
		// and the affinity half of pod-affinity-unsatisfiable are worth
		// at admission.
		Kind: Pods, Version: "v1", Resource: "pods", Namespaced: true, Access: Typed,
		Keep:         []string{"metadata.name", "metadata.namespace", "metadata.labels", "spec.nodeName", "status.phase"},
		LiveSelector: "spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed",
		Checks:       []string{"node-pod-capacity", "pod-affinity-unsatisfiable"},
		New:          func() Object { return &corev1.Pod{} },
		Add:          func(s *Store, _ Kind, o Object) { s.putPod(o.(*corev1.Pod)) },
		Delete:       func(s *Store, _ Kind, namespace, name string) { s.deletePod(namespace, name) },
	},
	{
		// The name and whether it is the default class (an annotation).
		Kind: StorageClasses, Group: "storage.k8s.io", Version: "v1", Resource: "storageclasses", Access: Typed, Watch: "storageclasses",
		Keep:   []string{"metadata.name", "metadata.annotations"},
		Checks: []string{"storage-class-not-found"},
		New:    func() Object { return &storagev1.StorageClass{} },
		Add:    func(s *Store, _ Kind, o Object) { s.putStorageClass(o.(*storagev1.StorageClass)) },
		Delete: func(s *Store, _ Kind, _, name string) { delete(s.storageClasses, name) },
	},
	{
		Kind: PriorityClasses, Group: "scheduling.k8s.io", Version: "v1", Resource: "priorityclasses", Access: Metadata, Watch: "priorityclasses",
		Keep:   []string{"metadata.name"},
		Checks: []string{"priority-class-not-found"},
		New:    func() Object { return &schedulingv1.PriorityClass{} },
		Add:    (*Store).putName, Delete: (*Store).deleteName,
	},
	{
		Kind: RuntimeClasses, Group: "node.k8s.io", Version: "v1", Resource: "runtimeclasses", Access: Metadata, Watch: "runtimeclasses",
		Keep:   []string{"metadata.name"},
		Checks: []string{"runtime-class-not-found"},
		New:    func() Object { return &nodev1.RuntimeClass{} },
		Add:    (*Store).putName, Delete: (*Store).deleteName,
	},
}

// Kinds returns the table's rows in order, as copies; their slices
// (Keep, Drop, Checks) are the table's and must not be modified.
func Kinds() []Row {
	out := make([]Row, len(table))
	copy(out, table)
	return out
}

// SecretKeysRow is the Secrets row under the secret-keys opt-in
// (KeepSecretKeys): Kubernetes has no API that lists a Secret's key names
// without its values (no metadata-only or Table form carries them), so the
// Secrets are read typed, data included, and Strip keeps the name, the
// type and the key names, emptying every value before anything holds
// the object. Snapshot files and the snapshot writer keep using the
// Secrets row of the table, which has no data at all.
func SecretKeysRow() Row {
	r, _ := Lookup(Secrets)
	r.Access = Typed
	r.Keep = []string{"metadata.name", "metadata.namespace", "type", "data"}
	r.KeysOnly = []string{"data"}
	return r
}

// KindsWithSecretKeys returns Kinds with the Secrets row replaced by
// SecretKeysRow: what --live and the webhook's informers read under the
// secret-keys opt-in.
func KindsWithSecretKeys() []Row {
	out := Kinds()
	for i := range out {
		if out[i].Kind == Secrets {
			out[i] = SecretKeysRow()
		}
	}
	return out
}

// Lookup returns the row of kind k.
func Lookup(k Kind) (Row, bool) {
	for _, r := range table {
		if r.Kind == k {
			return r, true
		}
	}
	return Row{}, false
}

// ForObject returns the row whose typed object o is (a *corev1.Node is a
// Node, …); false for any other type.
func ForObject(o any) (Row, bool) {
	t := reflect.TypeOf(o)
	for _, r := range table {
		if reflect.TypeOf(r.New()) == t {
			return r, true
		}
	}
	return Row{}, false
}

// GroupVersionKind of the row.
func (r Row) GroupVersionKind() schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: r.Group, Version: r.Version, Kind: string(r.Kind)}
}

// GroupVersionResource of the row.
func (r Row) GroupVersionResource() schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: r.Group, Version: r.Version, Resource: r.Resource}
}

// APIVersion is the row's group/version as manifests spell it.
func (r Row) APIVersion() string {
	return r.GroupVersionKind().GroupVersion().String()
}

// GroupResource names the resource as kubectl and RBAC errors do
// ("nodes", "daemonsets.apps").
func (r Row) GroupResource() string {
	return r.GroupVersionResource().GroupResource().String()
}
