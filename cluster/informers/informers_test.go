package informers

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

// TestFeederReadyOnlyWhenKnown: readiness tells the Service to send
// requests here, so once Synced says yes every watched kind must already
// count as known in the store; otherwise the first requests after ready
// miss every "not found" finding.
func TestFeederReadyOnlyWhenKnown(t *testing.T) {
	store := cluster.New()
	f := NewFeeder(store, nil)
	var listed atomic.Bool
	f.syncs = []syncWait{
		{cluster.Secrets, string(cluster.Secrets), listed.Load},
		{"", "Secret type=Opaque", func() bool { return true }},
	}
	secretPresence := func() checks.Presence {
		_, p := store.Inventory().Secrets.Secret("team", "harbor-pull")
		return p
	}
	if f.Synced() == nil {
		t.Fatal("ready before the informer listed")
	}
	// The informer has listed but nothing has marked the kind known yet
	// (markKnown not running, as before the manager starts it).
	listed.Store(true)
	if err := f.Synced(); err == nil && secretPresence() != checks.Absent {
		t.Fatalf("ready while Secrets are still %v in the store", secretPresence())
	}

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f.markKnown(ctx) }()
	for f.Synced() != nil {
		if ctx.Err() != nil {
			t.Fatal("never ready after the informers listed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if p := secretPresence(); p != checks.Absent {
		t.Errorf("ready, but a missing Secret is %v, want Absent", p)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("markKnown: %v", err)
	}
}

// TestFeedFollowsTheTable: what an informer hands the feeder reaches the
// store through the kind's row, and a delete undoes it; Secrets go
// through the type bookkeeping, and their type arrives from the typed
// watch whichever comes first.
func TestFeedFollowsTheTable(t *testing.T) {
	store := cluster.New()
	f := NewFeeder(store, nil)
	for _, r := range cluster.Kinds() {
		store.MarkKnown(r.Kind, cluster.AllNamespaces)
	}
	inv := store.Inventory()
	rows := map[cluster.Kind]cluster.Row{}
	for _, r := range DefaultWatch().rows(false) {
		rows[r.Kind] = r
	}
	if _, ok := rows[cluster.Pods]; ok {
		t.Error("the webhook watches pods, but its RBAC does not allow it")
	}

	add, del := f.feed(rows[cluster.ConfigMaps])
	cm := prototype(rows[cluster.ConfigMaps])
	cm.SetNamespace("shop")
	cm.SetName("web")
	add(cm)
	if p := inv.ConfigMaps.ConfigMap("shop", "web"); p != checks.Present {
		t.Errorf("configmap after add: %v", p)
	}
	del(cm)
	if p := inv.ConfigMaps.ConfigMap("shop", "web"); p != checks.Absent {
		t.Errorf("configmap after delete: %v", p)
	}

	f.secretType("shop", "pull", corev1.SecretTypeDockerConfigJson)
	add, _ = f.feed(rows[cluster.Secrets])
	sec := prototype(rows[cluster.Secrets])
	sec.SetNamespace("shop")
	sec.SetName("pull")
	add(sec)
	if m, p := inv.Secrets.Secret("shop", "pull"); p != checks.Present || !m.TypeKnown || m.Type != corev1.SecretTypeDockerConfigJson {
		t.Errorf("secret = %+v %v, want a known dockerconfigjson", m, p)
	}
}

func TestCacheOptionsStripNodes(t *testing.T) {
	opts := CacheOptions(DefaultWatch(), false)
	var tr func(any) (any, error)
	for o, by := range opts.ByObject {
		if _, ok := o.(*corev1.Node); ok {
			tr = by.Transform
		}
	}
	if tr == nil {
		t.Fatal("no transform for nodes")
	}
	n := &corev1.Node{Status: corev1.NodeStatus{Images: []corev1.ContainerImage{{Names: []string{"a"}}}}}
	if _, err := tr(n); err != nil || n.Status.Images != nil {
		t.Errorf("node images kept by the cache: %v", err)
	}
	for o := range CacheOptions(WatchOptions{cluster.Secrets: true}, false).ByObject {
		if m, ok := o.(*metav1.PartialObjectMetadata); !ok || m.Kind != "Secret" {
			t.Errorf("a transform for %T, a kind that is not watched", o)
		}
	}
	if w := DefaultWatch(); !w[cluster.Nodes] {
		t.Error("nodes are not watched by default")
	}
}

// TestCacheOptionsKeepNoSecretData: kubectl apply copies a whole Secret,
// data included, into the last-applied-configuration annotation, and a
// ConfigMap's values likewise. The cache transforms must drop every
// annotation of the kinds that keep only listed fields, whether they are
// watched typed (ConfigMaps) or as metadata (Secrets).
func TestCacheOptionsKeepNoSecretData(t *testing.T) {
	opts := CacheOptions(DefaultWatch(), false)
	lastApplied := map[string]string{corev1.LastAppliedConfigAnnotation: `{"data":{"password":"aHVudGVyMg=="}}`}
	var secretT, cmT func(any) (any, error)
	for o, by := range opts.ByObject {
		switch o := o.(type) {
		case *metav1.PartialObjectMetadata:
			if o.Kind == "Secret" {
				secretT = by.Transform
			}
		case *corev1.ConfigMap:
			cmT = by.Transform
		}
	}
	if secretT == nil || cmT == nil {
		t.Fatalf("no cache transform for Secrets (%v) or ConfigMaps (%v)", secretT != nil, cmT != nil)
	}
	sec := &metav1.PartialObjectMetadata{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "app", Annotations: lastApplied, Labels: map[string]string{"a": "b"}},
	}
	if _, err := secretT(sec); err != nil || sec.Annotations != nil || sec.Labels != nil || sec.Name != "db" {
		t.Errorf("Secret metadata in the cache: %+v (%v)", sec.ObjectMeta, err)
	}
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "app", Annotations: lastApplied},
		Data:       map[string]string{"key": "value"},
	}
	if _, err := cmT(cm); err != nil || cm.Annotations != nil || cm.Data["key"] != "" {
		t.Errorf("ConfigMap annotations or values in the cache: %+v %q (%v)", cm.Annotations, cm.Data, err)
	}
	if _, ok := cm.Data["key"]; !ok {
		t.Error("the ConfigMap's key names must stay")
	}
}

// TestCacheOptionsSecretKeys: under the secret-keys opt-in Secrets are
// cached typed, through a transform that keeps names, types and key names
// and drops every value and annotation; no metadata-only Secret informer
// is left.
func TestCacheOptionsSecretKeys(t *testing.T) {
	var tr func(any) (any, error)
	for o, by := range CacheOptions(DefaultWatch(), true).ByObject {
		switch o := o.(type) {
		case *corev1.Secret:
			tr = by.Transform
		case *metav1.PartialObjectMetadata:
			if o.Kind == "Secret" {
				t.Error("a metadata-only Secret transform under the opt-in")
			}
		}
	}
	if tr == nil {
		t.Fatal("no cache transform for typed Secrets")
	}
	sec := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "app", Annotations: map[string]string{corev1.LastAppliedConfigAnnotation: `{"data":{"password":"aHVudGVyMg=="}}`}},
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{"password": []byte("hunter2")},
	}
	if _, err := tr(sec); err != nil || sec.Annotations != nil || len(sec.Data["password"]) != 0 || sec.Type != corev1.SecretTypeOpaque {
		t.Errorf("Secret in the cache: %+v %q (%v)", sec.ObjectMeta, sec.Data, err)
	}
	if _, ok := sec.Data["password"]; !ok {
		t.Error("the Secret's key names must stay")
	}
}
