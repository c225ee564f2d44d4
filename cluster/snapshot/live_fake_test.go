package snapshot

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

// fakeAPI answers list calls the way kube-apiserver does, in JSON, for the
// objects it holds by resource. It insists on the representation each
// row's Access promises (metadata only, a Secret table, or typed), so a
// reader that asked for Secret or ConfigMap data would fail here.
type fakeAPI struct {
	t         *testing.T
	objects   map[string][]runtime.Object // by resource
	forbidden map[string]bool
	calls     map[string]int
	// secretKeys serves Secrets typed, as the secret-keys opt-in asks.
	secretKeys bool
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	res := parts[len(parts)-1]
	row, ok := rowForResource(res)
	if ok && f.secretKeys && row.Kind == cluster.Secrets {
		row = cluster.SecretKeysRow()
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	f.calls[res]++
	if f.forbidden[res] {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure,
			Reason: metav1.StatusReasonForbidden, Code: http.StatusForbidden, Message: res + ` is forbidden: User "ci" cannot list resource "` + res + `"`})
		return
	}
	q := r.URL.Query()
	if row.LiveSelector != q.Get("fieldSelector") {
		f.t.Errorf("%s listed with fieldSelector %q, want %q", res, q.Get("fieldSelector"), row.LiveSelector)
	}
	// Pages: continue is the index of the next item.
	items := f.objects[res]
	from, _ := strconv.Atoi(q.Get("continue"))
	limit, _ := strconv.Atoi(q.Get("limit"))
	to, next := len(items), ""
	if limit > 0 && from+limit < len(items) {
		to, next = from+limit, strconv.Itoa(from+limit)
	}
	items = items[min(from, len(items)):to]

	accept := r.Header.Get("Accept")
	var body any
	switch row.Access {
	case cluster.Metadata:
		if !strings.Contains(accept, "as=PartialObjectMetadataList") {
			http.Error(w, "want metadata only, got Accept "+accept, http.StatusNotAcceptable)
			return
		}
		list := metav1.PartialObjectMetadataList{TypeMeta: metav1.TypeMeta{Kind: "PartialObjectMetadataList", APIVersion: "meta.k8s.io/v1"}}
		list.Continue = next
		for _, o := range items {
			list.Items = append(list.Items, metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{Kind: "PartialObjectMetadata", APIVersion: "meta.k8s.io/v1"}, ObjectMeta: o.(*corev1.ConfigMap).ObjectMeta})
		}
		body = list
	case cluster.SecretType:
		if !strings.Contains(accept, "as=Table") || q.Get("includeObject") != "Metadata" {
			http.Error(w, "want a metadata table, got Accept "+accept, http.StatusNotAcceptable)
			return
		}
		table := metav1.Table{TypeMeta: metav1.TypeMeta{Kind: "Table", APIVersion: "meta.k8s.io/v1"},
			ColumnDefinitions: []metav1.TableColumnDefinition{{Name: "Name"}, {Name: "Type"}, {Name: "Data"}}}
		table.Continue = next
		for _, o := range items {
			s := o.(*corev1.Secret)
			m, _ := json.Marshal(metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{Kind: "PartialObjectMetadata", APIVersion: "meta.k8s.io/v1"}, ObjectMeta: s.ObjectMeta})
			table.Rows = append(table.Rows, metav1.TableRow{Cells: []any{s.Name, string(s.Type), len(s.Data)}, Object: runtime.RawExtension{Raw: m}})
		}
		body = table
	default:
		if strings.Contains(accept, ";as=") {
			http.Error(w, "want typed objects, got Accept "+accept, http.StatusNotAcceptable)
			return
		}
		raw := make([]json.RawMessage, 0, len(items))
		for _, o := range items {
			b, _ := json.Marshal(o)
			raw = append(raw, b)
		}
		body = map[string]any{"kind": string(row.Kind) + "List", "apiVersion": row.APIVersion(), "metadata": map[string]any{"continue": next}, "items": raw}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func rowForResource(res string) (cluster.Row, bool) {
	for _, r := range cluster.Kinds() {
		if r.Resource == res {
			return r, true
		}
	}
	return cluster.Row{}, false
}

// TestReadLiveFakeServer runs the live reader against fakeAPI: every row of
// the table is listed as its Access says, page by page, stripped to what
// podlint keeps, and a forbidden kind is named and stays unknown. TestLive
// does the same against a real kube-apiserver when its binaries are there.
func TestReadLiveFakeServer(t *testing.T) {
	om := func(ns, name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Namespace: ns, Name: name, ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}}
	}
	node := func(name string) runtime.Object {
		return &corev1.Node{ObjectMeta: om("", name), Status: corev1.NodeStatus{
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4")},
			Images:      []corev1.ContainerImage{{Names: []string{"app:v1"}}},
		}}
	}
	api := &fakeAPI{t: t, calls: map[string]int{}, forbidden: map[string]bool{"limitranges": true}, objects: map[string][]runtime.Object{
		"nodes":      {node("a"), node("b"), node("c")},
		"namespaces": {&corev1.Namespace{ObjectMeta: om("", "shop")}},
		"daemonsets": {&appsv1.DaemonSet{ObjectMeta: om("monitoring", "exporter"), Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "c", Ports: []corev1.ContainerPort{{ContainerPort: 9100, HostPort: 9100}}}}}}}}},
		"serviceaccounts": {&corev1.ServiceAccount{ObjectMeta: om("shop", "web")}},
		"secrets": {
			&corev1.Secret{ObjectMeta: om("shop", "pull"), Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{".dockerconfigjson": []byte("{}")}},
			&corev1.Secret{ObjectMeta: om("shop", "db"), Type: corev1.SecretTypeOpaque},
			&corev1.Secret{ObjectMeta: om("shop", "tls"), Type: corev1.SecretTypeTLS},
		},
		"configmaps":     {&corev1.ConfigMap{ObjectMeta: om("shop", "web-config")}},
		"resourcequotas": {&corev1.ResourceQuota{ObjectMeta: om("shop", "quota")}},
		"pods": {&corev1.Pod{ObjectMeta: withLabels(om("shop", "web-1"), map[string]string{"app": "web"}), Spec: corev1.PodSpec{NodeName: "a", Containers: []corev1.Container{{Name: "c"}}},
			Status: corev1.PodStatus{Phase: corev1.PodRunning}}},
	}}
	srv := httptest.NewServer(api)
	defer srv.Close()

	store, snap := cluster.New(), New()
	warnings, err := ReadLive(t.Context(), LiveOptions{Config: &rest.Config{Host: srv.URL}, PageSize: 2, Timeout: time.Minute}, Tee(store, snap))
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "not allowed to list limitranges (RBAC forbids it); checks that need LimitRange objects are skipped") {
		t.Errorf("warnings = %q, want one about limitranges", warnings)
	}
	for _, r := range cluster.Kinds() {
		if want := r.Kind != cluster.LimitRanges; store.IsKnown(r.Kind, "shop") != want {
			t.Errorf("%s known = %v, want %v", r.Kind, !want, want)
		}
		if api.calls[r.Resource] == 0 {
			t.Errorf("%s never listed", r.Resource)
		}
	}
	if api.calls["nodes"] != 2 {
		t.Errorf("nodes listed in %d pages, want 2 of at most 2", api.calls["nodes"])
	}
	inv := store.Inventory()
	nodes, _ := inv.Nodes.Nodes()
	if len(nodes) != 3 || nodes[0].Status.Images != nil || nodes[0].ManagedFields != nil || nodes[0].Status.Allocatable.Cpu().String() != "4" {
		t.Errorf("nodes = %+v", nodes)
	}
	for name, typ := range map[string]corev1.SecretType{"pull": corev1.SecretTypeDockerConfigJson, "db": corev1.SecretTypeOpaque, "tls": corev1.SecretTypeTLS} {
		if m, p := inv.Secrets.Secret("shop", name); p != checks.Present || m.Type != typ {
			t.Errorf("secret %s = %+v %v, want %s", name, m, p, typ)
		}
	}
	if p := inv.ConfigMaps.ConfigMap("shop", "web-config"); p != checks.Present {
		t.Errorf("configmap = %v", p)
	}
	if p := inv.PVCs.PersistentVolumeClaim("shop", "data"); p != checks.Absent {
		t.Errorf("pvc = %v, want absent (listed, none)", p)
	}
	if n, known := inv.Pods.PodsOnNode("a"); !known || n != 1 {
		t.Errorf("pods on a = %d, %v", n, known)
	}
	// Pods keep their labels, for pod affinity.
	web := labels.SelectorFromSet(labels.Set{"app": "web"})
	if p := inv.PodLabels.PodsMatch(checks.PodScope{Namespaces: []string{"shop"}}, web, checks.ObjectRef{}); p != checks.Present {
		t.Errorf("pods matching app=web in shop: %v, want present", p)
	}
	if c := inv.HostPorts.HostPortClaims(9100, corev1.ProtocolTCP); len(c) != 1 {
		t.Errorf("host port claims = %v", c)
	}
	if _, p := inv.ServiceAccounts.ServiceAccount("shop", "web"); p != checks.Present {
		t.Errorf("service account = %v", p)
	}
	if qs, p := inv.ResourceQuotas.ResourceQuotas("shop"); p != checks.Present || len(qs) != 1 {
		t.Errorf("quotas = %v %v", qs, p)
	}
	if snap.Len() != 12 {
		t.Errorf("snapshot holds %d objects, want the 12 read", snap.Len())
	}
}

func withLabels(m metav1.ObjectMeta, l map[string]string) metav1.ObjectMeta {
	m.Labels = l
	return m
}

// recordSink keeps every object a source hands over, as handed.
type recordSink struct{ objs []cluster.Object }

func (r *recordSink) Add(_ cluster.Kind, o cluster.Object) { r.objs = append(r.objs, o) }
func (r *recordSink) MarkKnown(cluster.Kind, string)       {}

// TestReadLiveSecretKeys: under the secret-keys opt-in, Secrets are listed
// typed (data included, the only way to learn key names) and the reader
// hands on names, types and key names only: no value, no annotation (the
// last-applied-configuration copy of the data), nothing of it in the
// snapshot written.
func TestReadLiveSecretKeys(t *testing.T) {
	const value = "s3cr3t-value-XYZ"
	sec := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "db", Annotations: map[string]string{
			"kubectl.kubernetes.io/last-applied-configuration": `{"data":{"password":"` + value + `"}}`}},
		Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{"password": []byte(value), "user": []byte(value)},
	}
	api := &fakeAPI{t: t, calls: map[string]int{}, secretKeys: true, objects: map[string][]runtime.Object{"secrets": {sec}}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	store, snap, rec := cluster.New(), New(), &recordSink{}
	store.KeepSecretKeys()
	if _, err := ReadLive(t.Context(), LiveOptions{Config: &rest.Config{Host: srv.URL}, SecretKeys: true, Timeout: time.Minute}, Tee(store, snap, rec)); err != nil {
		t.Fatal(err)
	}
	m, p := store.Inventory().Secrets.Secret("shop", "db")
	if p != checks.Present || !m.KeysKnown || !m.Keys["password"] || !m.Keys["user"] || len(m.Keys) != 2 || m.Type != corev1.SecretTypeOpaque {
		t.Fatalf("secret = %+v %v, want present, Opaque, keys password and user", m, p)
	}
	for _, o := range rec.objs {
		s, ok := o.(*corev1.Secret)
		if !ok {
			continue
		}
		if s.Annotations != nil || s.StringData != nil {
			t.Errorf("secret handed on with annotations %v, stringData %v", s.Annotations, s.StringData)
		}
		for k, v := range s.Data {
			if len(v) != 0 {
				t.Errorf("secret handed on with a value for %s", k)
			}
		}
	}
	var out strings.Builder
	if err := snap.Write(&out, JSON); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), value) || strings.Contains(out.String(), "password") || strings.Contains(out.String(), `"data"`) {
		t.Errorf("the snapshot written holds Secret data or key names:\n%s", out.String())
	}

	// Without the opt-in the store keeps no keys, even if handed some.
	plain := cluster.New()
	if _, err := ReadLive(t.Context(), LiveOptions{Config: &rest.Config{Host: srv.URL}, SecretKeys: true, Timeout: time.Minute}, plain); err != nil {
		t.Fatal(err)
	}
	if m, _ := plain.Inventory().Secrets.Secret("shop", "db"); m == nil || m.KeysKnown {
		t.Errorf("store without KeepSecretKeys: %+v, want the Secret without keys", m)
	}
}
