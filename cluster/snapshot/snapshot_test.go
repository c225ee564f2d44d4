package snapshot

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

// toJSONList converts the YAML fixture as kubectl -o json would print it.
func toJSONList(t *testing.T, y []byte) []byte {
	t.Helper()
	j, err := yamlToJSON(y)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func readFixture(t *testing.T) []byte {
	t.Helper()
	y, err := os.ReadFile("testdata/kubectl-list.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return y
}

func TestDecodeSnapshotKubectlList(t *testing.T) {
	y := readFixture(t)
	multiDoc := []byte(strings.ReplaceAll(strings.TrimPrefix(string(y), "apiVersion: v1\nitems:\n"), "\n- apiVersion", "\n---\napiVersion"))
	multiDoc = bytes.Split(multiDoc, []byte("\nkind: List\n"))[0]
	multiDoc = []byte(strings.ReplaceAll(strings.ReplaceAll(string(multiDoc), "\n  ", "\n"), "- apiVersion: v1\n", "apiVersion: v1\n"))
	inputs := map[string][]byte{
		"yaml list":       y,
		"json list":       toJSONList(t, y),
		"yaml multi-doc":  multiDoc,
		"indented yaml":   indentItems(y),
		"crlf yaml list":  bytes.ReplaceAll(y, []byte("\n"), []byte("\r\n")),
		"bom json list":   append([]byte("\xef\xbb\xbf"), toJSONList(t, y)...),
		"json array list": append(append([]byte("["), toJSONList(t, y)...), ']'),
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			store, snap := cluster.New(), New()
			warnings, err := Decode("snap", data, Tee(store, snap))
			if err != nil {
				t.Fatal(err)
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0], "skipped 1 object(s) of kind apps/v1 Deployment") {
				t.Errorf("warnings = %q, want one about the Deployment", warnings)
			}
			want := []cluster.Kind{cluster.Nodes, cluster.Namespaces, cluster.DaemonSets, cluster.Secrets, cluster.ConfigMaps, cluster.Pods}
			if got := snap.Listed(); !slices.Equal(got, want) {
				t.Errorf("listed kinds = %v, want %v", got, want)
			}
			for _, k := range want {
				if !store.IsKnown(k, "anywhere") {
					t.Errorf("%s not known in the store", k)
				}
			}
			inv := store.Inventory()
			nodes, _ := inv.Nodes.Nodes()
			if len(nodes) != 1 || nodes[0].Status.Images != nil || nodes[0].Spec.Taints[0].Key != "dedicated" {
				t.Fatalf("nodes = %+v", nodes)
			}
			if q := nodes[0].Status.Allocatable[corev1.ResourceCPU]; q.String() != "4" {
				t.Errorf("allocatable cpu = %s", q.String())
			}
			for name, typ := range map[string]corev1.SecretType{"db": corev1.SecretTypeOpaque, "registry": corev1.SecretTypeDockerConfigJson} {
				if m, p := inv.Secrets.Secret("shop", name); p != checks.Present || !reflect.DeepEqual(*m, checks.SecretMeta{Namespace: "shop", Name: name, Type: typ, TypeKnown: true}) {
					t.Errorf("secret %s = %+v %v, want %s", name, m, p, typ)
				}
			}
			// job-1 has finished: it takes no slot.
			if n, known := inv.Pods.PodsOnNode("worker-1"); !known || n != 1 {
				t.Errorf("PodsOnNode(worker-1) = %d, %v; want 1, true", n, known)
			}
			if got := inv.ConfigMaps.ConfigMap("shop", "web-config"); got != checks.Present {
				t.Errorf("ConfigMap web-config = %v", got)
			}
			if got := inv.ConfigMaps.ConfigMap("other", "web-config"); got != checks.Absent {
				t.Errorf("ConfigMap other/web-config = %v, want absent (listed with -A)", got)
			}
			// Not in the snapshot at all: kubectl output cannot say the
			// kind was listed, so it stays unknown.
			if got := inv.PVCs.PersistentVolumeClaim("shop", "data"); got != checks.Unknown {
				t.Errorf("PVC = %v, want unknown", got)
			}
			if _, p := inv.ServiceAccounts.ServiceAccount("shop", "default"); p != checks.Unknown {
				t.Errorf("ServiceAccount = %v, want unknown", p)
			}
			if claims := inv.HostPorts.HostPortClaims(9100, corev1.ProtocolTCP); len(claims) != 1 || claims[0].Ref.Name != "node-exporter" {
				t.Errorf("host port 9100 claims = %v", claims)
			}
		})
	}
}

// indentItems rewrites kubectl's layout with indented items, which the
// fast YAML splitter does not take and the whole-document path must.
func indentItems(y []byte) []byte {
	head, rest, _ := strings.Cut(string(y), "items:\n")
	items, tail, _ := strings.Cut(rest, "kind: List\n")
	return []byte(head + "items:\n  " + strings.ReplaceAll(strings.TrimSuffix(items, "\n"), "\n", "\n  ") + "\nkind: List\n" + tail)
}

// TestSecretDataNeverKept proves that Secret and ConfigMap values do not
// survive a load and a write.
func TestSecretDataNeverKept(t *testing.T) {
	for _, data := range [][]byte{readFixture(t), toJSONList(t, readFixture(t))} {
		snap := New()
		if _, err := Decode("snap", data, snap); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := snap.Write(&buf, YAML); err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"c3VwZXJzZWNyZXQ=", "eyJhdXRocyI6e319", "a=b"} {
			if strings.Contains(buf.String(), secret) {
				t.Errorf("written snapshot contains %q:\n%s", secret, buf.String())
			}
		}
	}
}

// recorder is a Sink that remembers what it was given.
type recorder struct {
	added []string
	known []cluster.Kind
}

func (r *recorder) Add(k cluster.Kind, o cluster.Object) {
	r.added = append(r.added, string(k)+" "+o.GetNamespace()+"/"+o.GetName())
}

func (r *recorder) MarkKnown(k cluster.Kind, namespace string) {
	if namespace != cluster.AllNamespaces {
		panic("snapshots are cluster-wide lists")
	}
	r.known = append(r.known, k)
}

func TestWriteSnapshotRoundTrip(t *testing.T) {
	snap := New()
	for _, r := range cluster.Kinds() {
		if r.Kind != cluster.Pods {
			snap.MarkKnown(r.Kind, cluster.AllNamespaces)
		}
	}
	om := func(ns, name string) metav1.ObjectMeta { return metav1.ObjectMeta{Namespace: ns, Name: name} }
	// Added out of order: Write sorts.
	snap.Add(cluster.Secrets, &corev1.Secret{ObjectMeta: om("a", "untyped")})
	snap.Add(cluster.Secrets, &corev1.Secret{ObjectMeta: om("a", "pull"), Type: corev1.SecretTypeDockercfg, Data: map[string][]byte{"k": []byte("hunter2")}})
	snap.Add(cluster.ConfigMaps, &metav1.PartialObjectMetadata{ObjectMeta: om("a", "cm")})
	snap.Add(cluster.Pods, &corev1.Pod{ObjectMeta: om("a", "p"), Spec: corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "c"}}}, Status: corev1.PodStatus{Phase: corev1.PodRunning}})
	for _, f := range []Format{JSON, YAML} {
		path := filepath.Join(t.TempDir(), map[Format]string{JSON: "s.json", YAML: "s.yaml"}[f])
		if err := snap.WriteFile(path); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if isJSON(data) != (f == JSON) {
			t.Errorf("%s: format by extension not honoured", path)
		}
		if strings.Contains(string(data), "hunter2") || strings.Contains(string(data), "containers") {
			t.Errorf("%s keeps more than podlint keeps:\n%s", path, data)
		}
		rec, again := &recorder{}, New()
		if warnings, err := Decode(path, data, Tee(rec, again)); err != nil || len(warnings) > 0 {
			t.Fatalf("%s: %v %v", path, err, warnings)
		}
		wantAdded := []string{"Secret a/pull", "Secret a/untyped", "ConfigMap a/cm", "Pod a/p"}
		if !slices.Equal(rec.added, wantAdded) {
			t.Errorf("%s: loaded %q, want %q", path, rec.added, wantAdded)
		}
		// Kinds listed but empty (Nodes, PVCs, …) stay listed through the
		// annotation; Pods were not listed, but a pod in the file makes
		// them known, as in plain kubectl output.
		if !slices.Equal(again.Listed(), kindsOf(cluster.Kinds())) {
			t.Errorf("%s: listed = %v, want every kind", path, again.Listed())
		}
		// What was read back writes the same file (but for Pods, now
		// listed).
		snap.MarkKnown(cluster.Pods, cluster.AllNamespaces)
		var a, b bytes.Buffer
		if err := snap.Write(&a, f); err != nil {
			t.Fatal(err)
		}
		if err := again.Write(&b, f); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("%s: reloaded snapshot writes differently:\n%s\nwant\n%s", path, b.String(), a.String())
		}
		delete(snap.listed, cluster.Pods)
		store := cluster.New()
		if _, err := Decode(path, data, store); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]checks.SecretMeta{
			"pull":    {Namespace: "a", Name: "pull", Type: corev1.SecretTypeDockercfg, TypeKnown: true},
			"untyped": {Namespace: "a", Name: "untyped"},
		} {
			if m, p := store.Inventory().Secrets.Secret("a", name); p != checks.Present || !reflect.DeepEqual(*m, want) {
				t.Errorf("%s: secret %s = %+v, want %+v", path, name, m, want)
			}
		}
		if f == JSON {
			var list struct {
				Metadata struct {
					Annotations map[string]string `json:"annotations"`
				} `json:"metadata"`
			}
			if err := json.Unmarshal(data, &list); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, r := range cluster.Kinds() {
				if r.Kind != cluster.Pods {
					want = append(want, string(r.Kind))
				}
			}
			if got := list.Metadata.Annotations[ListedKindsAnnotation]; got != strings.Join(want, ",") {
				t.Errorf("annotation = %q, want %q", got, strings.Join(want, ","))
			}
		}
	}
}

func kindsOf(rows []cluster.Row) []cluster.Kind {
	var out []cluster.Kind
	for _, r := range rows {
		out = append(out, r.Kind)
	}
	return out
}

func TestDecodeSnapshotErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"truncated json", `{"kind":"List","items":[{"kind":"Node"`, "unexpected end"},
		{"bad item", `{"kind":"List","items":[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ok"}},{"apiVersion":"v1","kind":"Node","metadata":{"name":"n"},"status":{"allocatable":{"cpu":"lots"}}}]}`, "object 2"},
		{"nameless", `{"kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}]}`, "without metadata.name"},
		{"unknown listed kind", `{"kind":"List","metadata":{"annotations":{"podlint.io/listed-kinds":"Node,Widget"}},"items":[]}`, `unknown kind "Widget"`},
		{"bad yaml", "kind: List\nitems:\n- a: [\n", "snap:3: item: invalid YAML"},
		{"kept field of the wrong type", `{"kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"nodeName":7}}]}`, "cannot unmarshal number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			_, err := Decode("snap", []byte(tt.data), rec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
			if len(rec.added) > 0 || len(rec.known) > 0 {
				t.Errorf("a snapshot that failed fed %q and marked %v known", rec.added, rec.known)
			}
		})
	}
}

// TestYAMLMatchesJSON proves the YAML fast path (items cut down to the lines
// podlint reads) decodes what the JSON path decodes from the same objects.
func TestYAMLMatchesJSON(t *testing.T) {
	y := readFixture(t)
	fromYAML, fromJSON := New(), New()
	if _, err := Decode("y", y, fromYAML); err != nil {
		t.Fatal(err)
	}
	if _, err := Decode("j", toJSONList(t, y), fromJSON); err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := fromYAML.Write(&a, JSON); err != nil {
		t.Fatal(err)
	}
	if err := fromJSON.Write(&b, JSON); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("YAML and JSON decode differently:\nyaml: %s\njson: %s", a.String(), b.String())
	}
}

func TestSlimYAML(t *testing.T) {
	tests := []struct {
		name string
		kind cluster.Kind
		item string
		want string // "" means: not cut, parse whole
	}{
		{
			name: "secret keeps name and type only",
			kind: cluster.Secrets,
			item: "  apiVersion: v1\n  data:\n    password: c2VjcmV0\n  kind: Secret\n  metadata:\n    annotations:\n      a: b\n    name: db\n    namespace: shop\n  type: Opaque\n",
			want: "  apiVersion: v1\n  kind: Secret\n  metadata:\n    name: db\n    namespace: shop\n  type: Opaque\n",
		},
		{
			name: "pod keeps nodeName and phase",
			kind: cluster.Pods,
			item: "  apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    containers:\n    - image: x\n      name: c\n    nodeName: n1\n  status:\n    conditions:\n    - type: Ready\n    phase: Running\n",
			want: "  apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    nodeName: n1\n  status:\n    phase: Running\n",
		},
		{
			name: "node drops images and conditions, keeps the rest as written",
			kind: cluster.Nodes,
			item: "  apiVersion: v1\n  kind: Node\n  metadata:\n    managedFields:\n    - manager: kubelet\n    name: n\n  spec:\n    taints:\n    - effect: NoSchedule\n      key: k\n  status:\n    allocatable:\n      cpu: \"4\"\n    conditions:\n    - type: Ready\n    images:\n    - names:\n      - a\n      sizeBytes: 1\n    nodeInfo:\n      kubeletVersion: v1\n",
			want: "  apiVersion: v1\n  kind: Node\n  metadata:\n    name: n\n  spec:\n    taints:\n    - effect: NoSchedule\n      key: k\n  status:\n    allocatable:\n      cpu: \"4\"\n    nodeInfo:\n      kubeletVersion: v1\n",
		},
		{
			name: "a block scalar is kept whole, blank lines too",
			kind: cluster.Namespaces,
			item: "  apiVersion: v1\n  kind: Namespace\n  metadata:\n    annotations:\n      note: |\n        a\n\n        b\n    name: n\n",
			want: "  apiVersion: v1\n  kind: Namespace\n  metadata:\n    annotations:\n      note: |\n        a\n\n        b\n    name: n\n",
		},
		{
			name: "daemonset drops its status",
			kind: cluster.DaemonSets,
			item: "  apiVersion: apps/v1\n  kind: DaemonSet\n  metadata:\n    name: d\n  status:\n    numberReady: 3\n",
			want: "  apiVersion: apps/v1\n  kind: DaemonSet\n  metadata:\n    name: d\n",
		},
		{
			name: "unexpected layout is parsed whole",
			kind: cluster.Pods,
			item: "  apiVersion: v1\n  kind: Pod\n  metadata: {name: p,\n   namespace: x}\n",
		},
	}
	k := newKinds()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := k.byKind[tt.kind]
			if got := k.lookup(itemType([]byte(tt.item))); got != f {
				t.Fatalf("itemType found %v, want the %s row", got, tt.kind)
			}
			if got := string(slimYAML([]byte(tt.item), f.tree, f.keep)); got != tt.want {
				t.Errorf("slimYAML =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestPruneJSON(t *testing.T) {
	k := newKinds()
	tests := []struct {
		kind     cluster.Kind
		src      string
		want     string
		wantFail bool
	}{
		{cluster.Secrets,
			`{"apiVersion":"v1","data":{"k":"dg=="},"kind":"Secret","metadata":{"name":"s","namespace":"x","labels":{"a":"b"}},"type":"Opaque"}`,
			`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"x"},"type":"Opaque"}`, false},
		{cluster.Nodes,
			` { "kind" : "Node", "metadata": {"name":"n","managedFields":[{}]}, "status": {"images":[{"names":["a"]}],"capacity":{"cpu":"2"}} } `,
			`{"kind":"Node","metadata":{"name":"n"},"status":{"capacity":{"cpu":"2"}}}`, false},
		// A kept branch that is not an object is copied for
		// json.Unmarshal to reject.
		{cluster.Pods, `{"kind":"Pod","metadata":"p","spec":{"nodeName":"n"}}`, `{"kind":"Pod","metadata":"p","spec":{"nodeName":"n"}}`, false},
		{cluster.Pods, `{"kind":"Pod","metadata":{"name":"p"`, "", true},
	}
	for _, tt := range tests {
		got, err := k.byKind[tt.kind].prune(nil, []byte(tt.src))
		if (err != nil) != tt.wantFail || !tt.wantFail && string(got) != tt.want {
			t.Errorf("prune(%s %s) = %s, %v; want %s", tt.kind, tt.src, got, err, tt.want)
		}
	}
}

// TestStripAgreesWithDrop: typed sources (--live, the webhook) strip with
// Row.Strip, snapshot files with the Drop paths on the bytes. Both must
// keep the same thing.
func TestStripAgreesWithDrop(t *testing.T) {
	objs := map[cluster.Kind]cluster.Object{
		cluster.Nodes:      genNode(1),
		cluster.DaemonSets: genDaemonSet(1),
		cluster.Namespaces: &corev1.Namespace{ObjectMeta: meta("n", "", map[string]string{"a": "b"}), Status: corev1.NamespaceStatus{Phase: corev1.NamespaceActive}},
	}
	objs[cluster.Nodes].SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: "kubelet"}})
	objs[cluster.DaemonSets].(*appsv1.DaemonSet).Status.NumberReady = 3
	k := newKinds()
	for _, r := range cluster.Kinds() {
		o, ok := objs[r.Kind]
		if !ok {
			if r.Keep == nil && r.Drop != nil {
				t.Errorf("%s drops fields but has no object in this test", r.Kind)
			}
			continue
		}
		raw, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		pruned, err := k.byKind[r.Kind].prune(nil, raw)
		if err != nil {
			t.Fatal(err)
		}
		fromBytes := r.New()
		if err := json.Unmarshal(pruned, fromBytes); err != nil {
			t.Fatal(err)
		}
		r.Strip(o)
		a, _ := json.Marshal(fromBytes)
		b, _ := json.Marshal(o)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: Drop on the bytes keeps\n%s\nStrip keeps\n%s", r.Kind, a, b)
		}
	}
}

// TestREADMESnapshotCommand: the README's kubectl command for a snapshot
// names exactly the table's resources.
func TestREADMESnapshotCommand(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "   kubectl get ")
	if !ok {
		t.Fatal("README has no snapshot command")
	}
	got := strings.Split(strings.Fields(after)[0], ",")
	var want []string
	for _, r := range cluster.Kinds() {
		want = append(want, r.Resource)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("README snapshot command lists %v, the table %v (kubectl get %s)", got, want, kubectlResources())
	}
}

// kubectlResources is what `kubectl get` needs to print a snapshot of
// every kind podlint reads ("nodes,namespaces,daemonsets.apps,…").
func kubectlResources() string {
	var res []string
	for _, r := range cluster.Kinds() {
		res = append(res, r.GroupResource())
	}
	return strings.Join(res, ",")
}
