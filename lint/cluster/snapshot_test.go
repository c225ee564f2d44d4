package cluster

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/checks/inventory"
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

func TestDecodeSnapshotKubectlList(t *testing.T) {
	y, err := os.ReadFile("testdata/kubectl-list.yaml")
	if err != nil {
		t.Fatal(err)
	}
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
			snap, warnings, err := DecodeSnapshot("snap", data)
			if err != nil {
				t.Fatal(err)
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0], "skipped 1 object(s) of kind apps/v1 Deployment") {
				t.Errorf("warnings = %q, want one about the Deployment", warnings)
			}
			got := snap.ListedKinds()
			want := []inventory.Kind{inventory.Nodes, inventory.Namespaces, inventory.DaemonSets, inventory.Secrets, inventory.ConfigMaps, inventory.Pods}
			if !equalKinds(got, want) {
				t.Errorf("listed kinds = %v, want %v", got, want)
			}
			if len(snap.Nodes) != 1 || snap.Nodes[0].Status.Images != nil || snap.Nodes[0].Spec.Taints[0].Key != "dedicated" {
				t.Errorf("nodes = %+v", snap.Nodes)
			}
			if q := snap.Nodes[0].Status.Allocatable[corev1.ResourceCPU]; q.String() != "4" {
				t.Errorf("allocatable cpu = %s", q.String())
			}
			wantSecrets := []checks.SecretMeta{
				{Namespace: "shop", Name: "db", Type: corev1.SecretTypeOpaque, TypeKnown: true},
				{Namespace: "shop", Name: "registry", Type: corev1.SecretTypeDockerConfigJson, TypeKnown: true},
			}
			if len(snap.Secrets) != 2 || snap.Secrets[0] != wantSecrets[0] || snap.Secrets[1] != wantSecrets[1] {
				t.Errorf("secrets = %+v, want %+v", snap.Secrets, wantSecrets)
			}
			if len(snap.Pods) != 1 || snap.Pods[0].Name != "web-1" {
				t.Errorf("pods = %+v, want only the running web-1", snap.Pods)
			}

			store := inventory.New()
			snap.Apply(store)
			inv := store.Inventory()
			if n, p := inv.Pods.PodsOnNode("worker-1"); !p || n != 1 {
				t.Errorf("PodsOnNode(worker-1) = %d, %v; want 1, true", n, p)
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

func equalKinds(a, b []inventory.Kind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSecretDataNeverKept proves that Secret values do not survive a load
// and a write.
func TestSecretDataNeverKept(t *testing.T) {
	y, err := os.ReadFile("testdata/kubectl-list.yaml")
	if err != nil {
		t.Fatal(err)
	}
	snap, _, err := DecodeSnapshot("snap", y)
	if err != nil {
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

func TestWriteSnapshotRoundTrip(t *testing.T) {
	snap := NewSnapshot()
	for _, k := range Kinds() {
		snap.Listed[k] = true
	}
	snap.Listed[inventory.Pods] = false
	snap.Secrets = []checks.SecretMeta{
		{Namespace: "a", Name: "pull", Type: corev1.SecretTypeDockercfg, TypeKnown: true},
		{Namespace: "a", Name: "untyped"},
	}
	snap.ConfigMaps = []ObjectName{{Namespace: "a", Name: "cm"}}
	snap.Pods = []PodSlot{{Namespace: "a", Name: "p", NodeName: "n1", Phase: corev1.PodRunning}}
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
		got, warnings, err := LoadSnapshotFile(path)
		if err != nil || len(warnings) > 0 {
			t.Fatalf("%s: %v %v", path, err, warnings)
		}
		// Kinds listed but empty (Nodes, PVCs, …) stay listed through the
		// annotation; Pods were not listed, but a pod in the file makes
		// them known, as in plain kubectl output.
		var want []inventory.Kind
		want = append(want, Kinds()...)
		if !equalKinds(got.ListedKinds(), want) {
			t.Errorf("%s: listed = %v, want %v", path, got.ListedKinds(), want)
		}
		if len(got.Secrets) != 2 || got.Secrets[0] != snap.Secrets[0] || got.Secrets[1] != snap.Secrets[1] {
			t.Errorf("%s: secrets = %+v, want %+v", path, got.Secrets, snap.Secrets)
		}
		if len(got.Pods) != 1 || got.Pods[0] != snap.Pods[0] || len(got.ConfigMaps) != 1 {
			t.Errorf("%s: pods = %+v, configmaps = %+v", path, got.Pods, got.ConfigMaps)
		}
		var list struct {
			Metadata struct {
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
		}
		if f == JSON {
			if err := json.Unmarshal(data, &list); err != nil {
				t.Fatal(err)
			}
			if got := list.Metadata.Annotations[ListedKindsAnnotation]; got != "Node,Namespace,DaemonSet,ServiceAccount,Secret,ConfigMap,PersistentVolumeClaim,LimitRange,ResourceQuota" {
				t.Errorf("annotation = %q", got)
			}
		}
	}
}

func TestDecodeSnapshotErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"truncated json", `{"kind":"List","items":[{"kind":"Node"`, "unexpected end"},
		{"bad item", `{"kind":"List","items":[{"apiVersion":"v1","kind":"Node","metadata":{"name":"n"},"status":{"allocatable":{"cpu":"lots"}}}]}`, "object 1"},
		{"nameless", `{"kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}]}`, "without metadata.name"},
		{"unknown listed kind", `{"kind":"List","metadata":{"annotations":{"podlint.io/listed-kinds":"Node,Widget"}},"items":[]}`, `unknown kind "Widget"`},
		{"bad yaml", "kind: List\nitems:\n- a: [\n", "snap:3: item: invalid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := DecodeSnapshot("snap", []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestDecodeSnapshotErrorPositions: a snapshot error names its line and,
// for JSON, its byte offset, so that a 200 MB single-line kubectl -o json
// output can still be fixed (issue 8, item 9).
func TestDecodeSnapshotErrorPositions(t *testing.T) {
	node := `{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}}`
	list := func(items ...string) string { return `{"kind":"List","items":[` + strings.Join(items, ",") + `]}` }
	tests := []struct {
		name, data string
		line       int
		offset     int64
		msg        string
	}{
		{"truncated", list(node, node)[:80], 1, 80, "invalid JSON: unexpected end of JSON input"},
		{"type mismatch in the second item", list(node, `{"apiVersion":"v1","kind":"Node","metadata":{"name":"n2"},"spec":{"unschedulable":"yes"}}`),
			// At the end of "yes", where encoding/json stops.
			1, int64(24 + len(node) + 1 + 86), "object 2: json: cannot unmarshal string into Go struct field NodeSpec.spec.unschedulable of type bool"},
		{"syntax error on line 3", "{\"kind\":\"List\",\n\"items\":[\n" + node + ",\n{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n2\",}}]}",
			// At the '}' after the trailing comma.
			4, int64(26 + len(node) + 2 + 57), "object 2: invalid character '}'"},
		{"scanner error", `{"kind":"List","items":[` + node + ` x]}`, 1, int64(24 + len(node) + 1), "invalid JSON: expected ',' or ']' in array"},
		{"bad list metadata", `{"kind":"List","metadata":{"annotations":7},"items":[]}`, 1, 41, "List metadata"},
		{"YAML item", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata: {name: n1}\n- apiVersion: v1\n  kind: Node\n  metadata: {name: [n2}\n",
			9, -1, "item: invalid YAML: yaml: did not find expected ',' or ']'"},
		{"YAML item of the wrong type", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata: {name: n1}\n  spec: {unschedulable: maybe}\n",
			4, -1, "item: json: cannot unmarshal"},
		{"YAML document", "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n---\napiVersion: v1\nkind: Node\nmetadata:\n  name: [n2\n",
			8, -1, "invalid YAML: yaml: did not find expected ',' or ']'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := DecodeSnapshot("snap", []byte(tt.data))
			var pe *PositionError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want a *PositionError", err, err)
			}
			if pe.File != "snap" || pe.Line != tt.line || pe.Offset != tt.offset || !strings.Contains(pe.Message(), tt.msg) {
				t.Errorf("got %s:%d offset %d: %s\nwant snap:%d offset %d: ...%s...", pe.File, pe.Line, pe.Offset, pe.Message(), tt.line, tt.offset, tt.msg)
			}
		})
	}
}

// TestYAMLMatchesJSON proves the YAML fast path (items cut down to the lines
// podlint reads) decodes what the JSON path decodes from the same objects.
func TestYAMLMatchesJSON(t *testing.T) {
	y, err := os.ReadFile("testdata/kubectl-list.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fromYAML, _, err := DecodeSnapshot("y", y)
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, _, err := DecodeSnapshot("j", toJSONList(t, y))
	if err != nil {
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
		name, item string
		want       string // "" means: not cut, parse whole
	}{
		{
			name: "secret keeps name and type only",
			item: "  apiVersion: v1\n  data:\n    password: c2VjcmV0\n  kind: Secret\n  metadata:\n    annotations:\n      a: b\n    name: db\n    namespace: shop\n  type: Opaque\n",
			want: "  apiVersion: v1\n  kind: Secret\n  metadata:\n    name: db\n    namespace: shop\n  type: Opaque\n",
		},
		{
			name: "pod keeps nodeName and phase",
			item: "  apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    containers:\n    - image: x\n      name: c\n    nodeName: n1\n  status:\n    conditions:\n    - type: Ready\n    phase: Running\n",
			want: "  apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    nodeName: n1\n  status:\n    phase: Running\n",
		},
		{
			name: "node drops images",
			item: "  apiVersion: v1\n  kind: Node\n  metadata:\n    name: n\n  status:\n    allocatable:\n      cpu: \"4\"\n    images:\n    - names:\n      - a\n      sizeBytes: 1\n    nodeInfo:\n      kubeletVersion: v1\n",
			want: "  apiVersion: v1\n  kind: Node\n  metadata:\n    name: n\n  status:\n    allocatable:\n      cpu: \"4\"\n    nodeInfo:\n      kubeletVersion: v1\n",
		},
		{
			name: "other kinds are parsed whole",
			item: "  apiVersion: apps/v1\n  kind: DaemonSet\n  metadata:\n    name: d\n",
		},
		{
			name: "unexpected layout is parsed whole",
			item: "  apiVersion: v1\n  kind: Pod\n  metadata: {name: p,\n   namespace: x}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(slimYAML([]byte(tt.item))); got != tt.want {
				t.Errorf("slimYAML =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
