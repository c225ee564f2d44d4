package informers

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"

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

// WatchOptions switch individual informers on or off, by kind. Only kinds
// whose row names a Watch flag can be watched.
type WatchOptions map[cluster.Kind]bool

// DefaultWatch switches on every kind the webhook can watch.
func DefaultWatch() WatchOptions {
	w := WatchOptions{}
	for _, r := range cluster.Kinds() {
		if r.Watch != "" {
			w[r.Kind] = true
		}
	}
	return w
}

// rows returns the watched rows in table order; with secretKeys, the
// Secrets row is cluster.SecretKeysRow.
func (w WatchOptions) rows(secretKeys bool) []cluster.Row {
	var out []cluster.Row
	all := cluster.Kinds()
	if secretKeys {
		all = cluster.KindsWithSecretKeys()
	}
	for _, r := range all {
		if r.Watch != "" && w[r.Kind] {
			out = append(out, r)
		}
	}
	return out
}

// prototype is the object an informer for the row caches: the typed
// object, or only its metadata.
func prototype(r cluster.Row) client.Object {
	if r.Access == cluster.Typed {
		return r.New()
	}
	return &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: r.APIVersion(), Kind: string(r.Kind)}}
}

// strip is the cache transform of a row that drops fields: the cache keeps
// what the checks read and drops the bulk (a node's image list is often
// the largest part of it).
func strip(r cluster.Row) toolscache.TransformFunc {
	return func(o any) (any, error) {
		if obj, ok := o.(cluster.Object); ok {
			r.Strip(obj)
			return obj, nil
		}
		return cache.TransformStripManagedFields()(o)
	}
}

// CacheOptions returns the manager cache options for the watched kinds:
// the rows that drop fields or keep only some get their transform (typed
// or metadata-only: a Secret's metadata holds its data in the
// last-applied-configuration annotation); every other object only loses
// its managedFields. secretKeys is the secret-keys opt-in: Secrets are
// watched typed, and the transform empties every value and drops every
// annotation before the cache stores them, keeping names, types and key
// names only.
func CacheOptions(w WatchOptions, secretKeys bool) cache.Options {
	by := map[client.Object]cache.ByObject{}
	for _, r := range w.rows(secretKeys) {
		if r.Drop != nil || r.KeysOnly != nil || r.Keep != nil {
			by[prototype(r)] = cache.ByObject{Transform: strip(r)}
		}
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

// Feeder copies informer events into a cluster.Store and marks each kind
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

// NewFeeder returns a feeder over store; m may be nil.
func NewFeeder(store *cluster.Store, m Metrics) *Feeder {
	return &Feeder{store: store, metrics: m, seen: map[string]map[string]bool{},
		secretTypes: map[string]corev1.SecretType{}, secrets: map[string]bool{}, marked: map[string]bool{}}
}

// Setup registers an informer per switched-on kind with the manager's
// cache, each feeding the store through the kind's row; for Secrets also
// one small metadata cache per watched Secret type (a cache holds one
// informer per type, and each of these needs its own field selector).
// With secretKeys (which must match CacheOptions'), Secrets are watched
// typed through the cache's stripping transform instead, and the store
// keeps their key names (KeepSecretKeys).
func (f *Feeder) Setup(ctx context.Context, mgr manager.Manager, w WatchOptions, secretKeys bool) error {
	if secretKeys && w[cluster.Secrets] {
		f.store.KeepSecretKeys()
	}
	for _, r := range w.rows(secretKeys) {
		inf, err := mgr.GetCache().GetInformer(ctx, prototype(r), cache.BlockUntilSynced(false))
		if err != nil {
			return fmt.Errorf("informer for %s: %w", r.Kind, err)
		}
		add, del := f.feed(r)
		if err := f.register(inf, r.Kind, string(r.Kind), add, del); err != nil {
			return err
		}
		if r.Access == cluster.SecretType {
			if err := f.watchSecretTypes(ctx, mgr, r); err != nil {
				return err
			}
		}
	}
	return mgr.Add(manager.RunnableFunc(f.markKnown))
}

// feed returns the event functions that put a row's objects in the store.
func (f *Feeder) feed(r cluster.Row) (add, del func(metav1.Object)) {
	if r.Access == cluster.SecretType {
		return func(m metav1.Object) { f.secretExists(m.GetNamespace(), m.GetName(), true) },
			func(m metav1.Object) { f.secretExists(m.GetNamespace(), m.GetName(), false) }
	}
	add = func(m metav1.Object) {
		if o, ok := m.(cluster.Object); ok {
			f.store.Add(r.Kind, o)
		}
	}
	return add, func(m metav1.Object) { f.store.Delete(r.Kind, m.GetNamespace(), m.GetName()) }
}

// register adds the event handler and the sync wait of one informer; kind
// is "" for an informer whose sync marks nothing known.
func (f *Feeder) register(inf cache.Informer, kind cluster.Kind, name string, add, del func(metav1.Object)) error {
	reg, err := inf.AddEventHandler(f.handler(string(kind), add, del))
	if err != nil {
		return fmt.Errorf("event handler for %s: %w", name, err)
	}
	f.syncs = append(f.syncs, syncWait{kind, name, reg.HasSynced})
	return nil
}

// watchSecretTypes learns Secret types through field-selected,
// metadata-only watches, one cache per type of watchedSecretTypes.
func (f *Feeder) watchSecretTypes(ctx context.Context, mgr manager.Manager, r cluster.Row) error {
	for _, typ := range watchedSecretTypes {
		sc, err := cache.New(mgr.GetConfig(), cache.Options{
			Scheme: mgr.GetScheme(), Mapper: mgr.GetRESTMapper(),
			ByObject: map[client.Object]cache.ByObject{
				prototype(r): {Field: fields.OneTermEqualSelector("type", string(typ))},
			},
			DefaultTransform: cache.TransformStripManagedFields(),
		})
		if err != nil {
			return fmt.Errorf("cache for secrets of type %s: %w", typ, err)
		}
		inf, err := sc.GetInformer(ctx, prototype(r), cache.BlockUntilSynced(false))
		if err != nil {
			return fmt.Errorf("informer for secrets of type %s: %w", typ, err)
		}
		err = f.register(inf, "", "Secret type="+string(typ),
			func(m metav1.Object) { f.secretType(m.GetNamespace(), m.GetName(), typ) },
			func(m metav1.Object) { f.secretType(m.GetNamespace(), m.GetName(), "") })
		if err != nil {
			return err
		}
		if err := mgr.Add(sc); err != nil {
			return err
		}
	}
	return nil
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

func (f *Feeder) handler(kind string, add, del func(metav1.Object)) toolscache.ResourceEventHandler {
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
			if m, ok := o.(metav1.Object); ok {
				add(m)
				count(o, true)
			}
		},
		UpdateFunc: func(_, o any) {
			if m, ok := o.(metav1.Object); ok {
				add(m)
			}
		},
		DeleteFunc: func(o any) {
			if d, ok := o.(toolscache.DeletedFinalStateUnknown); ok {
				o = d.Obj
			}
			if m, ok := o.(metav1.Object); ok {
				del(m)
				count(o, false)
			}
		},
	}
}

func (f *Feeder) secretExists(ns, name string, exists bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := ns + "/" + name
	if !exists {
		delete(f.secrets, k)
		f.store.Delete(cluster.Secrets, ns, name)
		return
	}
	f.secrets[k] = true
	f.addSecret(ns, name, f.secretTypes[k])
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
		f.addSecret(ns, name, t)
	}
}

// addSecret puts a Secret in the store as its row keeps it: name and type
// (empty while no typed watch has seen it).
func (f *Feeder) addSecret(ns, name string, t corev1.SecretType) {
	f.store.Add(cluster.Secrets, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Type: t})
}
