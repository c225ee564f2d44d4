package snapshot

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/podlint/podlint/test/apiserver"
	"github.com/podlint/podlint/test/need"
	"sigs.k8s.io/yaml"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

// startAPIServer starts a real kube-apiserver and etcd (see test/apiserver).
func startAPIServer(t *testing.T) *envtest.Environment { return apiserver.Start(t) }

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// seed creates the cluster state the cluster-aware checks look at.
func seed(t *testing.T, cs kubernetes.Interface) {
	ctx := t.Context()
	core := cs.CoreV1()
	for i, zone := range []string{"ssd", "hdd", "ssd"} {
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{
			Name:   "node-" + string(rune('a'+i)),
			Labels: map[string]string{"disktype": zone},
		}}
		if i == 2 {
			n.Spec.Taints = []corev1.Taint{{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}}
		}
		n = must[*corev1.Node](t)(core.Nodes().Create(ctx, n, metav1.CreateOptions{}))
		n.Status.Allocatable = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110")}
		n.Status.Capacity = n.Status.Allocatable
		must[*corev1.Node](t)(core.Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{}))
	}
	for _, ns := range []string{"shop", "monitoring"} {
		must[*corev1.Namespace](t)(core.Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
			Name:   ns,
			Labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted"},
		}}, metav1.CreateOptions{}))
	}
	labels := map[string]string{"app": "node-exporter"}
	must[*appsv1.DaemonSet](t)(cs.AppsV1().DaemonSets("monitoring").Create(ctx, &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "node-exporter"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{HostNetwork: true, Containers: []corev1.Container{{
					Name: "node-exporter", Image: "prom/node-exporter:v1.8.0",
					Ports: []corev1.ContainerPort{{ContainerPort: 9100, HostPort: 9100}},
				}}},
			},
		},
	}, metav1.CreateOptions{}))
	secrets := []*corev1.Secret{
		{ObjectMeta: metav1.ObjectMeta{Name: "registry"}, Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{".dockerconfigjson": []byte(`{"auths":{}}`)}},
		{ObjectMeta: metav1.ObjectMeta{Name: "db"}, StringData: map[string]string{"password": "hunter2-live"}},
		{ObjectMeta: metav1.ObjectMeta{Name: "tls"}, Type: corev1.SecretTypeTLS, Data: map[string][]byte{"tls.crt": []byte("c"), "tls.key": []byte("k")}},
	}
	for _, s := range secrets {
		must[*corev1.Secret](t)(core.Secrets("shop").Create(ctx, s, metav1.CreateOptions{}))
	}
	for _, name := range []string{"web-config", "feature-flags", "extra"} {
		must[*corev1.ConfigMap](t)(core.ConfigMaps("shop").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"k": "cm-value-" + name}}, metav1.CreateOptions{}))
	}
	must[*corev1.ServiceAccount](t)(core.ServiceAccounts("shop").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "web"}}, metav1.CreateOptions{}))
	must[*corev1.LimitRange](t)(core.LimitRanges("shop").Create(ctx, &corev1.LimitRange{
		ObjectMeta: metav1.ObjectMeta{Name: "limits"},
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
			Type: corev1.LimitTypeContainer,
			Max:  corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")},
		}}},
	}, metav1.CreateOptions{}))
	must[*corev1.ResourceQuota](t)(core.ResourceQuotas("shop").Create(ctx, &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: "quota"},
		Spec:       corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"limits.cpu": resource.MustParse("10")}},
	}, metav1.CreateOptions{}))
	// Bound directly (there is no scheduler): it takes a slot on node-a.
	must[*corev1.Pod](t)(core.Pods("default").Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "exporter-a"},
		Spec:       corev1.PodSpec{NodeName: "node-a", Containers: []corev1.Container{{Name: "c", Image: "prom/node-exporter:v1.8.0"}}},
	}, metav1.CreateOptions{}))
}

// kubeconfigFor writes a kubeconfig for an envtest user.
func kubeconfigFor(t *testing.T, env *envtest.Environment, name string, groups []string) (string, *rest.Config) {
	t.Helper()
	u, err := env.AddUser(envtest.User{Name: name, Groups: groups}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := u.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".kubeconfig")
	if err := os.WriteFile(path, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, u.Config()
}

func TestLive(t *testing.T) {
	env := startAPIServer(t)
	cs := must[*kubernetes.Clientset](t)(kubernetes.NewForConfig(env.Config))
	seed(t, cs)
	adminKubeconfig, _ := kubeconfigFor(t, env, "podlint-admin", []string{"system:masters"})

	t.Run("reads every kind, paginated", func(t *testing.T) {
		// Through the kubeconfig file, as the CLI does; a page size of 2
		// makes every kind with more than two objects take several pages.
		store, snap := cluster.New(), New()
		warnings, err := ReadLive(t.Context(), LiveOptions{Kubeconfig: adminKubeconfig, PageSize: 2, Timeout: time.Minute}, Tee(store, snap))
		if err != nil || len(warnings) > 0 {
			t.Fatalf("ReadLive: %v %q", err, warnings)
		}
		if got := snap.Listed(); !slices.Equal(got, kindsOf(cluster.Kinds())) {
			t.Errorf("listed = %v, want every kind", got)
		}
		if nodes, _ := store.Inventory().Nodes.Nodes(); len(nodes) != 3 || nodes[0].Status.Allocatable.Cpu().String() != "4" || nodes[0].ManagedFields != nil {
			t.Errorf("nodes = %+v", nodes)
		}
		assertSeeded(t, store)
	})

	t.Run("write-snapshot round-trips", func(t *testing.T) {
		snap := New()
		if _, err := ReadLive(t.Context(), LiveOptions{Config: env.Config}, snap); err != nil {
			t.Fatal(err)
		}
		for _, ext := range []string{"json", "yaml"} {
			path := filepath.Join(t.TempDir(), "cluster."+ext)
			if err := snap.WriteFile(path); err != nil {
				t.Fatal(err)
			}
			data := must[[]byte](t)(os.ReadFile(path))
			for _, secret := range []string{"hunter2-live", "aHVudGVyMi1saXZl", "cm-value-"} {
				if strings.Contains(string(data), secret) {
					t.Errorf("%s holds secret or ConfigMap data %q", path, secret)
				}
			}
			store, again := cluster.New(), New()
			if warnings, err := LoadFile(path, Tee(store, again)); err != nil || len(warnings) > 0 {
				t.Fatalf("%s: %v %q", path, err, warnings)
			}
			if !slices.Equal(again.Listed(), snap.Listed()) || again.Len() != snap.Len() {
				t.Errorf("%s: reloaded %v/%d objects, wrote %v/%d", path, again.Listed(), again.Len(), snap.Listed(), snap.Len())
			}
			var a, b bytes.Buffer
			if err := snap.Write(&a, JSON); err != nil {
				t.Fatal(err)
			}
			if err := again.Write(&b, JSON); err != nil {
				t.Fatal(err)
			}
			if a.String() != b.String() {
				t.Errorf("%s: reloaded snapshot writes differently", path)
			}
			assertSeeded(t, store)
		}
	})

	t.Run("kubectl output loads", func(t *testing.T) {
		kubectl := need.Kubectl(t)
		for _, format := range []string{"yaml", "json"} {
			cmd := exec.CommandContext(t.Context(), kubectl, "get", kubectlResources(),
				"-A", "-o", format, "--kubeconfig", adminKubeconfig)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("kubectl: %v", err)
			}
			store := cluster.New()
			if warnings, err := Decode("kubectl-"+format, out, store); err != nil || len(warnings) > 0 {
				t.Fatalf("kubectl -o %s: %v %q", format, err, warnings)
			}
			assertSeeded(t, store)
			// No PVC exists: plain kubectl output cannot say the kind was
			// listed, so PersistentVolumeClaims stay unknown.
			if got := store.Inventory().PVCs.PersistentVolumeClaim("shop", "data"); got != checks.Unknown {
				t.Errorf("kubectl -o %s: PVC presence %v, want unknown", format, got)
			}
		}
	})

	t.Run("manifests/rbac-ci role is enough", func(t *testing.T) {
		ctx := t.Context()
		var role rbacv1.ClusterRole
		if err := yaml.UnmarshalStrict(must[[]byte](t)(os.ReadFile("../../manifests/rbac-ci/clusterrole.yaml")), &role); err != nil {
			t.Fatal(err)
		}
		must[*rbacv1.ClusterRole](t)(cs.RbacV1().ClusterRoles().Create(ctx, &role, metav1.CreateOptions{}))
		must[*rbacv1.ClusterRoleBinding](t)(cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "podlint-ci"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
			Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: "podlint-ci"}},
		}, metav1.CreateOptions{}))
		path, _ := kubeconfigFor(t, env, "podlint-ci", nil)
		snap := New()
		if warnings, err := ReadLive(ctx, LiveOptions{Kubeconfig: path}, snap); err != nil || len(warnings) > 0 {
			t.Fatalf("ReadLive as podlint-reader: %v %q", err, warnings)
		}
		if !slices.Equal(snap.Listed(), kindsOf(cluster.Kinds())) {
			t.Errorf("listed = %v, want every kind", snap.Listed())
		}
	})

	t.Run("forbidden kind", func(t *testing.T) {
		ctx := t.Context()
		role := must[*rbacv1.ClusterRole](t)(cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: "podlint-no-secrets"},
			Rules:      rulesExcept(cluster.Secrets),
		}, metav1.CreateOptions{}))
		must[*rbacv1.ClusterRoleBinding](t)(cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "podlint-no-secrets"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
			Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: "ci-reader"}},
		}, metav1.CreateOptions{}))
		path, _ := kubeconfigFor(t, env, "ci-reader", nil)
		store := cluster.New()
		warnings, err := ReadLive(ctx, LiveOptions{Kubeconfig: path}, store)
		if err != nil {
			t.Fatal(err)
		}
		if len(warnings) != 1 || !strings.Contains(warnings[0], "not allowed to list secrets") {
			t.Errorf("warnings = %q, want one naming secrets", warnings)
		}
		if store.IsKnown(cluster.Secrets, "shop") || !store.IsKnown(cluster.ConfigMaps, "shop") {
			t.Errorf("want every kind known but Secrets")
		}
		inv := store.Inventory()
		// No "not found" guess: the Secret kind is unknown, even for a
		// name that does not exist.
		if _, p := inv.Secrets.Secret("shop", "no-such-secret"); p != checks.Unknown {
			t.Errorf("secret presence %v, want unknown", p)
		}
		dep := deployment("shop", corev1.PodSpec{
			ImagePullSecrets: []corev1.LocalObjectReference{{Name: "no-such-pull-secret"}},
			Containers: []corev1.Container{{Name: "app", Image: "app:v1", EnvFrom: []corev1.EnvFromSource{
				{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "no-such-secret"}}},
				{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "no-such-config"}}},
			}}},
		})
		got := findingIDs(checks.NewEngine(nil).RunTarget(dep, inv).Findings)
		if slices.Contains(got, "secret-not-found") || slices.Contains(got, "image-pull-secret-not-found") {
			t.Errorf("findings %v: a forbidden kind must not produce not-found findings", got)
		}
		if !slices.Contains(got, "configmap-not-found") {
			t.Errorf("findings %v, want configmap-not-found (ConfigMaps were readable)", got)
		}
	})

	t.Run("checks see the live cluster", func(t *testing.T) {
		store := cluster.New()
		if _, err := ReadLive(t.Context(), LiveOptions{Config: env.Config}, store); err != nil {
			t.Fatal(err)
		}
		dep := deployment("shop", corev1.PodSpec{
			NodeSelector:     map[string]string{"disktype": "nvme"},
			ImagePullSecrets: []corev1.LocalObjectReference{{Name: "db"}},
			Containers: []corev1.Container{{
				Name: "app", Image: "app:v1",
				Ports: []corev1.ContainerPort{{ContainerPort: 9100, HostPort: 9100}},
				EnvFrom: []corev1.EnvFromSource{
					{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "missing-config"}}},
					{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "missing-secret"}}},
				},
			}},
		})
		got := findingIDs(checks.NewEngine(nil).RunTarget(dep, store.Inventory()).Findings)
		for _, want := range []string{"node-selector-unsatisfiable", "configmap-not-found", "secret-not-found", "image-pull-secret-wrong-type", "pod-security-violation"} {
			if !slices.Contains(got, want) {
				t.Errorf("findings %v, want %s", got, want)
			}
		}
		ok := deployment("shop", corev1.PodSpec{
			ServiceAccountName: "web",
			ImagePullSecrets:   []corev1.LocalObjectReference{{Name: "registry"}},
			Containers: []corev1.Container{{Name: "app", Image: "app:v1", EnvFrom: []corev1.EnvFromSource{
				{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "web-config"}}},
				{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}}},
			}}},
		})
		got = findingIDs(checks.NewEngine(nil).RunTarget(ok, store.Inventory()).Findings)
		for _, unwanted := range []string{"configmap-not-found", "secret-not-found", "image-pull-secret-not-found", "image-pull-secret-wrong-type", "service-account-not-found", "node-selector-unsatisfiable"} {
			if slices.Contains(got, unwanted) {
				t.Errorf("findings %v for objects that exist, want no %s", got, unwanted)
			}
		}
	})
}

// rulesExcept allows listing every kind of the table but one.
func rulesExcept(k cluster.Kind) []rbacv1.PolicyRule {
	var rules []rbacv1.PolicyRule
	for _, r := range cluster.Kinds() {
		if r.Kind != k {
			rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{r.Group}, Verbs: []string{"list"}, Resources: []string{r.Resource}})
		}
	}
	return rules
}

func deployment(ns string, spec corev1.PodSpec) *checks.Target {
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec:       appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: spec}},
	}
	return checks.NewTarget(d, "apps/v1", "Deployment")
}

func findingIDs(fs []checks.Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.Check)
	}
	return ids
}

// assertSeeded checks a store fed from the seeded cluster.
func assertSeeded(t *testing.T, store *cluster.Store) {
	t.Helper()
	inv := store.Inventory()
	if nodes, known := inv.Nodes.Nodes(); !known || len(nodes) != 3 {
		t.Errorf("nodes = %d (known %v), want 3", len(nodes), known)
	}
	if got := inv.Nodes.NodesWithLabel("disktype", "ssd"); len(got) != 2 {
		t.Errorf("ssd nodes = %d, want 2", len(got))
	}
	if n, known := inv.Pods.PodsOnNode("node-a"); !known || n != 1 {
		t.Errorf("pods on node-a = %d (known %v), want 1", n, known)
	}
	if n, known := inv.Pods.PodsOnNode("node-b"); !known || n != 0 {
		t.Errorf("pods on node-b = %d (known %v), want 0", n, known)
	}
	wantSecrets := map[string]corev1.SecretType{"registry": corev1.SecretTypeDockerConfigJson, "db": corev1.SecretTypeOpaque, "tls": corev1.SecretTypeTLS}
	for name, typ := range wantSecrets {
		m, p := inv.Secrets.Secret("shop", name)
		if p != checks.Present || !m.TypeKnown || m.Type != typ {
			t.Errorf("secret %s = %+v %v, want present with type %s", name, m, p, typ)
		}
	}
	if _, p := inv.Secrets.Secret("shop", "missing"); p != checks.Absent {
		t.Errorf("missing secret = %v, want absent", p)
	}
	if p := inv.ConfigMaps.ConfigMap("shop", "web-config"); p != checks.Present {
		t.Errorf("configmap = %v", p)
	}
	if p := inv.ConfigMaps.ConfigMap("shop", "missing"); p != checks.Absent {
		t.Errorf("missing configmap = %v, want absent", p)
	}
	if ns, p := inv.Namespaces.Namespace("shop"); p != checks.Present || ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
		t.Errorf("namespace shop = %v", p)
	}
	if _, p := inv.ServiceAccounts.ServiceAccount("shop", "web"); p != checks.Present {
		t.Errorf("service account = %v", p)
	}
	if lrs, p := inv.LimitRanges.LimitRanges("shop"); p != checks.Present || len(lrs) != 1 {
		t.Errorf("limit ranges = %d %v", len(lrs), p)
	}
	if qs, p := inv.ResourceQuotas.ResourceQuotas("shop"); p != checks.Present || len(qs) != 1 {
		t.Errorf("quotas = %d %v", len(qs), p)
	}
	if claims := inv.HostPorts.HostPortClaims(9100, corev1.ProtocolTCP); len(claims) != 1 || claims[0].Ref.Name != "node-exporter" {
		t.Errorf("host port 9100 claims = %v", claims)
	}
}

func TestLiveUnreachable(t *testing.T) {
	// Port 1 on loopback: nothing listens, the connection is refused at once.
	warnings, err := ReadLive(t.Context(), LiveOptions{Config: &rest.Config{Host: "https://127.0.0.1:1"}, Timeout: 10 * time.Second}, cluster.New())
	if !errors.Is(err, ErrNoClusterData) {
		t.Fatalf("err = %v, want ErrNoClusterData", err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "cannot reach the API server at https://127.0.0.1:1") {
		t.Errorf("warnings = %q, want one saying the server cannot be reached", warnings)
	}
}

func TestLiveBadKubeconfig(t *testing.T) {
	_, err := ReadLive(t.Context(), LiveOptions{Kubeconfig: filepath.Join(t.TempDir(), "missing")}, cluster.New())
	if err == nil || !strings.Contains(err.Error(), "loading kubeconfig") {
		t.Errorf("err = %v, want a kubeconfig error", err)
	}
}
