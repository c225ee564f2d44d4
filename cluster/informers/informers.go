package informers

import (
	"context"
	"fmt"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

// watchedSecretTypes are the Secret types learned through field-selected,
// metadata-only watches: metadata never carries a Secret's type, and a full
// watch would put every Secret's data in podlint's memory. The two docker
// types answer "is this a pull secret"; Opaque and TLS are what people most
// often put in imagePullSecrets by mistake. A Secret of any other type is
// known to exist with its type unknown.
var watchedSecretTypes = []corev1.SecretType{
	corev1.SecretTypeDockerConfigJson,
	corev1.SecretTypeDockercfg,
	corev1.SecretTypeOpaque,
	corev1.SecretTypeTLS,
}

// meta builds the PartialObjectMetadata prototype for a metadata-only watch.
func meta(kind string) *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: kind}}
}

// stripNode keeps what the scheduling checks read (labels, taints,
// allocatable, capacity) and drops the bulk: a node's image list is often
// the largest part of it, and managedFields are never needed.
func stripNode(obj any) (any, error) {
	if n, ok := obj.(*corev1.Node); ok {
		n.ManagedFields = nil
		n.Status.Images = nil
		n.Status.Conditions = nil
		n.Status.VolumesAttached = nil
		n.Status.VolumesInUse = nil
		return n, nil
	}
	return cache.TransformStripManagedFields()(obj)
}

// CacheOptions returns the manager cache options for the watched kinds.
// Only the kinds switched on get an informer; ConfigMaps, PVCs and Secrets
// are metadata-only.
func CacheOptions(w WatchOptions) cache.Options {
	by := map[client.Object]cache.ByObject{}
	if w.Nodes {
		by[&corev1.Node{}] = cache.ByObject{Transform: stripNode}
	}
	return cache.Options{
		ByObject:         by,
		DefaultTransform: cache.TransformStripManagedFields(),
	}
}

// Metrics receives the number of cached objects per kind (the webhook's
// podlint_webhook_cache_objects gauge).
type Metrics interface {
	SetCacheObjects(kind string, n int)
}

// WatchOptions switch individual informers on or off.
type WatchOptions struct {
	Nodes, Namespaces, DaemonSets, ServiceAccounts, LimitRanges, ResourceQuotas bool
	ConfigMaps, PVCs, Secrets                                                   bool
}

// Feeder copies informer events into an cluster.Store and marks each kind
// known once its informer has synced. It is what makes the store serve
// admission requests from memory.
type Feeder struct {
	store   *cluster.Store
	metrics Metrics

	mu sync.Mutex
	// seen counts objects per kind for the cache gauge.
	seen map[string]map[string]bool
	// secretTypes remembers types learned from the typed watches; the
	// untyped metadata watch decides existence.
	secretTypes map[string]corev1.SecretType
	secrets     map[string]bool
	// marked holds the syncs markKnown has acted on, by name; Synced
	// reads it so that ready implies the store already knows the kinds.
	marked map[string]bool

	syncs []syncWait
}

type syncWait struct {
	kind   cluster.Kind // "" for waits that mark nothing (typed Secret watches)
	name   string
	synced func() bool
}

// NewFeeder returns a feeder over store.
func NewFeeder(store *cluster.Store, m Metrics) *Feeder {
	return &Feeder{store: store, metrics: m, seen: map[string]map[string]bool{},
		secretTypes: map[string]corev1.SecretType{}, secrets: map[string]bool{}, marked: map[string]bool{}}
}

// Setup registers the informers of the switched-on kinds with the
// manager's cache, plus one small metadata cache per watched Secret type
// (a cache holds one informer per type, and each of these needs its own
// field selector).
func (f *Feeder) Setup(ctx context.Context, mgr manager.Manager, w WatchOptions) error {
	c := mgr.GetCache()
	type watch struct {
		on   bool
		kind cluster.Kind
		obj  client.Object
		add  func(any)
		del  func(any)
	}
	watches := []watch{
		{w.Nodes, cluster.Nodes, &corev1.Node{},
			func(o any) { f.store.AddNode(o.(*corev1.Node)) },
			func(o any) { f.store.DeleteNode(o.(*corev1.Node).Name) }},
		{w.Namespaces, cluster.Namespaces, &corev1.Namespace{},
			func(o any) { f.store.AddNamespace(o.(*corev1.Namespace)) },
			func(o any) { f.store.DeleteNamespace(o.(*corev1.Namespace).Name) }},
		{w.DaemonSets, cluster.DaemonSets, &appsv1.DaemonSet{},
			func(o any) { f.store.AddDaemonSet(o.(*appsv1.DaemonSet)) },
			func(o any) {
				d := o.(*appsv1.DaemonSet)
				f.store.DeleteWorkload(checks.ObjectRef{Kind: "DaemonSet", Namespace: d.Namespace, Name: d.Name})
			}},
		{w.ServiceAccounts, cluster.ServiceAccounts, &corev1.ServiceAccount{},
			func(o any) { f.store.AddServiceAccount(o.(*corev1.ServiceAccount)) },
			func(o any) { s := o.(*corev1.ServiceAccount); f.store.DeleteServiceAccount(s.Namespace, s.Name) }},
		{w.LimitRanges, cluster.LimitRanges, &corev1.LimitRange{},
			func(o any) { f.store.AddLimitRange(o.(*corev1.LimitRange)) },
			func(o any) { l := o.(*corev1.LimitRange); f.store.DeleteLimitRange(l.Namespace, l.Name) }},
		{w.ResourceQuotas, cluster.ResourceQuotas, &corev1.ResourceQuota{},
			func(o any) { f.store.AddResourceQuota(o.(*corev1.ResourceQuota)) },
			func(o any) { q := o.(*corev1.ResourceQuota); f.store.DeleteResourceQuota(q.Namespace, q.Name) }},
		{w.ConfigMaps, cluster.ConfigMaps, meta("ConfigMap"),
			func(o any) { m := o.(*metav1.PartialObjectMetadata); f.store.AddConfigMap(m.Namespace, m.Name) },
			func(o any) { m := o.(*metav1.PartialObjectMetadata); f.store.DeleteConfigMap(m.Namespace, m.Name) }},
		{w.PVCs, cluster.PVCs, meta("PersistentVolumeClaim"),
			func(o any) { m := o.(*metav1.PartialObjectMetadata); f.store.AddPVC(m.Namespace, m.Name) },
			func(o any) { m := o.(*metav1.PartialObjectMetadata); f.store.DeletePVC(m.Namespace, m.Name) }},
		{w.Secrets, cluster.Secrets, meta("Secret"),
			func(o any) { m := o.(*metav1.PartialObjectMetadata); f.secretExists(m.Namespace, m.Name, true) },
			func(o any) { m := o.(*metav1.PartialObjectMetadata); f.secretExists(m.Namespace, m.Name, false) }},
	}
	for _, wt := range watches {
		if !wt.on {
			continue
		}
		inf, err := c.GetInformer(ctx, wt.obj, cache.BlockUntilSynced(false))
		if err != nil {
			return fmt.Errorf("informer for %s: %w", wt.kind, err)
		}
		reg, err := inf.AddEventHandler(f.handler(string(wt.kind), wt.add, wt.del))
		if err != nil {
			return fmt.Errorf("event handler for %s: %w", wt.kind, err)
		}
		f.syncs = append(f.syncs, syncWait{wt.kind, string(wt.kind), reg.HasSynced})
	}
	if w.Secrets {
		for _, typ := range watchedSecretTypes {
			sc, err := cache.New(mgr.GetConfig(), cache.Options{
				Scheme: mgr.GetScheme(), Mapper: mgr.GetRESTMapper(),
				ByObject: map[client.Object]cache.ByObject{
					meta("Secret"): {Field: fields.OneTermEqualSelector("type", string(typ))},
				},
				DefaultTransform: cache.TransformStripManagedFields(),
			})
			if err != nil {
				return fmt.Errorf("cache for secrets of type %s: %w", typ, err)
			}
			inf, err := sc.GetInformer(ctx, meta("Secret"), cache.BlockUntilSynced(false))
			if err != nil {
				return fmt.Errorf("informer for secrets of type %s: %w", typ, err)
			}
			reg, err := inf.AddEventHandler(f.handler("", func(o any) {
				m := o.(*metav1.PartialObjectMetadata)
				f.secretType(m.Namespace, m.Name, typ)
			}, func(o any) {
				m := o.(*metav1.PartialObjectMetadata)
				f.secretType(m.Namespace, m.Name, "")
			}))
			if err != nil {
				return fmt.Errorf("event handler for secrets of type %s: %w", typ, err)
			}
			f.syncs = append(f.syncs, syncWait{"", "Secret type=" + string(typ), reg.HasSynced})
			if err := mgr.Add(sc); err != nil {
				return err
			}
		}
	}
	return mgr.Add(manager.RunnableFunc(f.markKnown))
}

// markKnown waits for each informer's first full list and only then lets
// the checks treat its kind as complete: before that, "not found" would
// be a guess.
func (f *Feeder) markKnown(ctx context.Context) error {
	pending := append([]syncWait(nil), f.syncs...)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for len(pending) > 0 {
		rest := pending[:0]
		for _, s := range pending {
			if !s.synced() {
				rest = append(rest, s)
				continue
			}
			if s.kind != "" {
				f.store.MarkKnown(s.kind, cluster.AllNamespaces)
			}
			f.mu.Lock()
			f.marked[s.name] = true
			f.mu.Unlock()
			log.FromContext(ctx).V(1).Info("cache synced", "kind", s.name)
		}
		pending = rest
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
	<-ctx.Done()
	return nil
}

// Synced is a readyz check: not ready until every informer has listed
// and markKnown has told the store so. An informer's own sync is not
// enough: markKnown only runs once the manager has started its caches, and
// until it marks a kind the checks treat it as unknown and stay silent.
func (f *Feeder) Synced() error {
	var waiting []string
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.syncs {
		if !s.synced() || !f.marked[s.name] {
			waiting = append(waiting, s.name)
		}
	}
	if len(waiting) > 0 {
		return fmt.Errorf("caches not synced: %v", waiting)
	}
	return nil
}

func (f *Feeder) handler(kind string, add, del func(any)) toolscache.ResourceEventHandler {
	key := func(o any) string {
		if m, ok := o.(metav1.Object); ok {
			return m.GetNamespace() + "/" + m.GetName()
		}
		return ""
	}
	count := func(o any, present bool) {
		if kind == "" {
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		s := f.seen[kind]
		if s == nil {
			s = map[string]bool{}
			f.seen[kind] = s
		}
		if present {
			s[key(o)] = true
		} else {
			delete(s, key(o))
		}
		if f.metrics != nil {
			f.metrics.SetCacheObjects(kind, len(s))
		}
	}
	return toolscache.ResourceEventHandlerFuncs{
		AddFunc: func(o any) {
			add(o)
			count(o, true)
		},
		UpdateFunc: func(_, o any) { add(o) },
		DeleteFunc: func(o any) {
			if d, ok := o.(toolscache.DeletedFinalStateUnknown); ok {
				o = d.Obj
			}
			if _, ok := o.(metav1.Object); !ok {
				return
			}
			del(o)
			count(o, false)
		},
	}
}

func (f *Feeder) secretExists(ns, name string, exists bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := ns + "/" + name
	if !exists {
		delete(f.secrets, k)
		f.store.DeleteSecret(ns, name)
		return
	}
	f.secrets[k] = true
	t, ok := f.secretTypes[k]
	f.store.AddSecret(checks.SecretMeta{Namespace: ns, Name: name, Type: t, TypeKnown: ok})
}

func (f *Feeder) secretType(ns, name string, t corev1.SecretType) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := ns + "/" + name
	if t == "" {
		delete(f.secretTypes, k)
	} else {
		f.secretTypes[k] = t
	}
	// The typed watch may see a Secret before or after the untyped one;
	// only the untyped one decides that it exists.
	if f.secrets[k] {
		f.store.AddSecret(checks.SecretMeta{Namespace: ns, Name: name, Type: t, TypeKnown: t != ""})
	}
}
