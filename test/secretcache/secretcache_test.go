package secretcache

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/podlint/podlint/cluster"
	"github.com/podlint/podlint/cluster/informers"
	"github.com/podlint/podlint/test/apiserver"
	"github.com/podlint/podlint/test/need"
)

// nopMetrics discards the cache gauge.
type nopMetrics struct{}

func (nopMetrics) SetCacheObjects(string, int) {}

// TestCacheHoldsNoSecretData applies a Secret and a ConfigMap with kubectl
// (which copies their data into the last-applied-configuration
// annotation), starts the webhook's caches with its own options, and
// reads the cached objects back: no annotation and no value may be there
// (issue 8, item 14), with and without the secret-keys opt-in, under
// which the Secret's key names (only) stay.
func TestCacheHoldsNoSecretData(t *testing.T) {
	kubectl := need.Kubectl(t)
	env := apiserver.Start(t)
	u, err := env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := u.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	manifest := filepath.Join(dir, "app.yaml")
	const secretValue = "hunter2-do-not-cache"
	objects := `apiVersion: v1
kind: Secret
metadata: {name: db, namespace: default}
stringData: {password: ` + secretValue + `}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: default}
data: {setting: ` + secretValue + `}
`
	for p, data := range map[string]string{kubeconfig: string(kc), manifest: objects} {
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.CommandContext(t.Context(), kubectl, "--kubeconfig", kubeconfig, "apply", "-f", manifest).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl apply: %v\n%s", err, out)
	}

	for _, secretKeys := range []bool{false, true} {
		name := "metadata only"
		if secretKeys {
			name = "secret-keys"
		}
		t.Run(name, func(t *testing.T) { checkCache(t, env.Config, secretKeys, secretValue) })
	}
}

// checkCache starts the webhook's caches (with or without the secret-keys
// opt-in) and reads the Secret and ConfigMap back from them and from the
// store.
func checkCache(t *testing.T, cfg *rest.Config, secretKeys bool, secretValue string) {
	mgr, err := manager.New(cfg, manager.Options{
		Cache:                  informers.CacheOptions(informers.DefaultWatch(), secretKeys),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	store := cluster.New()
	feeder := informers.NewFeeder(store, nopMetrics{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if err := feeder.Setup(ctx, mgr, informers.DefaultWatch(), secretKeys); err != nil {
		t.Fatal(err)
	}
	go func() { _ = mgr.Start(ctx) }()
	syncCtx, stop := context.WithTimeout(ctx, 60*time.Second)
	defer stop()
	if !mgr.GetCache().WaitForCacheSync(syncCtx) {
		t.Fatal("caches did not sync")
	}

	if secretKeys {
		// The Secret is cached typed: its key names stay, every value and
		// the annotations (kubectl's copy of the data) are gone.
		sec := &corev1.Secret{}
		if err := mgr.GetCache().Get(ctx, types.NamespacedName{Namespace: "default", Name: "db"}, sec); err != nil {
			t.Fatalf("the Secret is not in the cache: %v", err)
		}
		if len(sec.Annotations) != 0 || strings.Contains(sec.String(), secretValue) {
			t.Errorf("Secret in the cache holds its data: annotations %v, data %q", sec.Annotations, sec.Data)
		}
		for k, v := range sec.Data {
			if len(v) != 0 {
				t.Errorf("Secret in the cache holds a value for %s", k)
			}
		}
		if _, ok := sec.Data["password"]; !ok || sec.Type != corev1.SecretTypeOpaque {
			t.Errorf("the Secret's key names and type must stay: %q %q", sec.Data, sec.Type)
		}
	} else {
		sec := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}}
		if err := mgr.GetCache().Get(ctx, types.NamespacedName{Namespace: "default", Name: "db"}, sec); err != nil {
			t.Fatalf("the Secret is not in the cache: %v", err)
		}
		if len(sec.Annotations) != 0 || strings.Contains(sec.String(), secretValue) {
			t.Errorf("Secret metadata in the cache holds its data: %v", sec.Annotations)
		}
	}
	// The store knows the keys only under the opt-in, once the informer
	// has fed it (the feeder's handlers run after the cache's sync).
	deadline := time.Now().Add(30 * time.Second)
	for {
		m, _ := store.Inventory().Secrets.Secret("default", "db")
		if m != nil {
			if m.KeysKnown != secretKeys || secretKeys && !m.Keys["password"] {
				t.Errorf("store: %+v, want keys known = %v", m, secretKeys)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the Secret never reached the store")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cm := &corev1.ConfigMap{}
	if err := mgr.GetCache().Get(ctx, types.NamespacedName{Namespace: "default", Name: "cfg"}, cm); err != nil {
		t.Fatalf("the ConfigMap is not in the cache: %v", err)
	}
	if len(cm.Annotations) != 0 || strings.Contains(cm.String(), secretValue) {
		t.Errorf("ConfigMap in the cache holds its values: annotations %v, data %q", cm.Annotations, cm.Data)
	}
	if _, ok := cm.Data["setting"]; !ok {
		t.Errorf("the ConfigMap's key names must stay: %q", cm.Data)
	}
}
