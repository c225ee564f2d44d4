package snapshot

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/podlint/podlint/cluster"
	"github.com/podlint/podlint/test/need"
)

// loadBothWays decodes data with the block reader and with yaml.v3 alone
// and returns what each wrote back (or its error).
func loadBothWays(t *testing.T, data []byte) (fast, ref string) {
	t.Helper()
	run := func(block bool) string {
		snap := New()
		store := cluster.New()
		warnings, err := decode("snap.yaml", data, Tee(store, snap), block)
		if err != nil {
			return "error: " + err.Error()
		}
		var b bytes.Buffer
		if err := snap.Write(&b, JSON); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%s\nwarnings: %q", b.String(), warnings)
	}
	return run(true), run(false)
}

// trickyValues are strings whose YAML form needs care: kubectl (through
// sigs.k8s.io/yaml) quotes, escapes, folds or block-quotes them.
var trickyValues = []string{
	"", "true", "True", "false", "null", "~", "yes", "no", "on", "y", "110", "-5", "0", "-0", "007", "0x1F", "0o17", "0b101",
	"1.5", "1e3", ".5", ".inf", "-.inf", ".nan", "1_000", "2023-01-01", "2023-01-01T10:00:00Z", "10.0.1.2", "v1.32.4",
	"99999999999999999999", "9223372036854775807", "-9223372036854775808", "18446744073709551615",
	"with: colon", "a:b", "trailing:", "# hash", "a #b", "a#b", "- dash", "-dash", "?q", ":c", "!tag", "&anchor", "*alias",
	"@at", "`tick", "%pct", "{}", "[]", "{a: b}", "[a]", ",comma", "|pipe", ">gt", "'single'", "\"double\"", "it's", "back\\slash",
	" leading", "trailing ", "  ", "tab\there", "multi\nline\n", "multi\nline", "\n\nleading newlines", "trailing newlines\n\n\n",
	"  indented\nblock\n", "héllo ✓ 😀 日本語", "ls\u2028x", "bom\ufeffx",
	"<<", "=", "a=b\nc=d\n", strings.Repeat("long words ", 12), strings.Repeat("x", 200), `{"apiVersion":"v1"}` + "\n",
	"a:\n  b", "- a\n- b\n", "key: value\nother: 1\n",
}

// trickyList is a List of every table kind, each holding the tricky
// values in the fields podlint keeps (and in some it drops), written as
// kubectl writes YAML.
func trickyList(t *testing.T) []byte {
	t.Helper()
	labels := map[string]any{}
	data := map[string]any{}
	for i, v := range trickyValues {
		labels[fmt.Sprintf("k%d", i)] = v
		data[v+"-key"] = v
	}
	for _, k := range []string{"8080", "true", "null", "", "a b", "ü", "-x", "1.5", "<<x"} {
		labels[k] = "v"
	}
	objs := []map[string]any{
		{"apiVersion": "v1", "kind": "Node", "metadata": map[string]any{"name": "n1", "labels": labels, "annotations": map[string]any{}},
			"spec": map[string]any{"taints": []any{map[string]any{"key": "a", "effect": "NoSchedule", "value": "true"}}, "podCIDRs": []any{}, "unschedulable": false},
			"status": map[string]any{"capacity": map[string]any{"cpu": 8, "pods": "110", "memory": "32Gi"}, "allocatable": map[string]any{"cpu": "7910m", "pods": 110},
				"images": []any{map[string]any{"names": []any{"a", "b"}, "sizeBytes": 1}},
				"extra":  []any{1.5, -0.0, 1e-7, 1e21, 1.2345678901234567e20, 0.1, 100, -3.25e-9, 9007199254740993, uint64(18446744073709551615)}, "conditions": []any{map[string]any{"type": "Ready", "message": strings.Repeat("kubelet is posting ready status ", 4)}}}},
		{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "ns", "labels": labels}},
		{"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": map[string]any{"name": "ds", "namespace": "ns", "annotations": labels},
			"spec": map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"app": "x"}}, "template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "x"}},
				"spec": map[string]any{"hostNetwork": true, "containers": []any{map[string]any{"name": "c", "image": "i", "args": trickyValues,
					"ports": []any{map[string]any{"containerPort": 9100, "hostPort": 9100}}}}}}},
			"status": map[string]any{"numberReady": 3}},
		{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": "sa", "namespace": "ns"}, "imagePullSecrets": []any{map[string]any{"name": "reg"}}, "automountServiceAccountToken": false},
		{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "s", "namespace": "ns", "labels": labels}, "type": "kubernetes.io/dockerconfigjson", "data": map[string]any{".dockerconfigjson": "eyJhdXRocyI6e319", "0": "MA=="}, "stringData": data},
		{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "s2", "namespace": "ns"}, "type": "true"},
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "cm", "namespace": "ns"}, "data": data, "binaryData": map[string]any{"b": "AAE="}},
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "cm-empty", "namespace": "ns"}, "data": map[string]any{}},
		{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": map[string]any{"name": "pvc", "namespace": "ns"}, "spec": map[string]any{"accessModes": []any{"ReadWriteOnce", "ReadOnlyMany"}, "resources": map[string]any{"requests": map[string]any{"storage": "1Gi"}}}},
		{"apiVersion": "v1", "kind": "LimitRange", "metadata": map[string]any{"name": "lr", "namespace": "ns"}, "spec": map[string]any{"limits": []any{map[string]any{"type": "Container", "max": map[string]any{"cpu": 2, "memory": "1Gi", "ephemeral-storage": 1.5e9}, "min": map[string]any{"cpu": 0.25}, "default": map[string]any{"cpu": "500m"}}}}},
		{"apiVersion": "v1", "kind": "ResourceQuota", "metadata": map[string]any{"name": "rq", "namespace": "ns"}, "spec": map[string]any{"hard": map[string]any{"pods": "10", "requests.cpu": 4}}, "status": map[string]any{"used": map[string]any{"pods": 3}}},
		{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "p", "namespace": "ns", "labels": labels}, "spec": map[string]any{"nodeName": "n1", "containers": []any{map[string]any{"name": "c", "image": "i", "command": trickyValues}}}, "status": map[string]any{"phase": "Running", "message": strings.Repeat("a long status message ", 6)}},
		{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "p2", "labels": map[string]any{}}, "spec": map[string]any{"nodeName": "n1"}, "status": map[string]any{"phase": "Pending"}},
		{"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": map[string]any{"name": "high"}, "value": 1000000, "globalDefault": false, "description": "multi\nline\n"},
		{"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": map[string]any{"name": "fast", "annotations": map[string]any{"storageclass.kubernetes.io/is-default-class": "true", "note": "multi\nline\n"}}, "provisioner": "x", "parameters": map[string]any{"a": "1"}},
		{"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": map[string]any{"name": "gvisor"}, "handler": "runsc"},
		{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "ignored", "namespace": "ns"}, "spec": map[string]any{}},
	}
	// And each value alone, so that one the block reader declines does
	// not hide the others.
	for i, v := range trickyValues {
		objs = append(objs,
			map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": fmt.Sprintf("v%d", i), "namespace": "ns"}, "data": map[string]any{dataKey(v): v}},
			map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": fmt.Sprintf("v%d", i), "labels": map[string]any{"v": v}}, "spec": map[string]any{"nodeName": v}, "status": map[string]any{"phase": v}},
			map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": fmt.Sprintf("v%d", i)}, "type": v, "data": map[string]any{dataKey(v): v}})
	}
	var b bytes.Buffer
	b.WriteString("apiVersion: v1\nitems:\n")
	for _, o := range objs {
		j, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		y, err := yaml.JSONToYAML(j)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(strings.TrimSuffix(string(y), "\n"), "\n") {
			if i == 0 {
				b.WriteString("- " + l + "\n")
			} else if l == "" {
				b.WriteString("\n")
			} else {
				b.WriteString("  " + l + "\n")
			}
		}
	}
	b.WriteString("kind: List\nmetadata:\n  resourceVersion: \"\"\n")
	return b.Bytes()
}

// dataKey is v as a key: a merge key ("<<") fails yaml.v3 (either way).
func dataKey(v string) string {
	if v == "<<" {
		return "<<x"
	}
	return v
}

// handWritten are List items in layouts kubectl does not print but YAML
// allows, which the block reader must decline or read right.
var handWritten = []string{
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n    labels: {x: y}\n",
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: &n a\n    labels:\n      x: *n\n",
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: !!str 1\n",
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a # comment\n",
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    # comment\n    name: a\n",
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n    name: b\n",
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n    \"name\": b\n",
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n    labels:\n      1: x\n",
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n    labels:\n        deep: x\n",
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n    labels:\n     odd: x\n",
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n    labels:\n      a: multi\n        line\n",
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n    labels:\n      a: \"multi\n        line\"\n",
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n    labels:\n      a: 'it''s'\n      b: \"\\u00e9\\x41\\t\\\"\"\n      \"c d\": \"\"\n      'e': ''\n",
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n    labels:\n      a:\n      b: ~\n",
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n    labels:\n      a: x\n\n\n      b: y\n",
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n    labels:\n      a: x\n\tb: y\n",
	"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name:\ta\n",
	"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n  data:\n    f: >\n      folded\n      text\n\n      para\n    g: |+\n      keep\n\n    h: |-\n      strip\n    i: |2\n        indented\n",
	"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n  data:\n    f: |\n\n      after blank\n    g: |\n      x\n     y\n",
	"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n  data:\n    f: |\n      x\n    \n      y\n      \n",
	"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n  data:\n    f: |\n      x",
	"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n  data:\n    f: |\n",
	"- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    containers:\n      - name: c\n        image: i\n    nodeName: n\n",
	"- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    containers:\n    -   name: c\n        image: i\n    - - nested\n    -\n      name: d\n    -\n    nodeName: n\n",
	"- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    nodeName: n\n  status:\n    phase: Running\n    x: [a, b]\n",
	"- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    nodeName: n\n  status:\n    phase: Running\n    x: .nan\n",
	"- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    nodeName: 7\n",
	"- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n    labels:\n      a: 2001-02-03\n  spec:\n    nodeName: n\n",
	"- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  status:\n    phase: Running\n    startTime: 2001-02-03\n",
	"- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s\n  type: Opaque\n  data:\n    a: [\n",
	"- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s\n  type: Opaque\n  data:\n    <<: {a: b}\n",
	"- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s\n  type: Opaque\n  data:\n    a: b\n    a: c\n",
	"- kind: Secret\n  apiVersion: v1\n  metadata: {name: s}\n",
	"- apiVersion: v1\n  kind: Node\n  metadata:\n    name: n\n  status:\n    capacity:\n      pods: 0x6E\n      cpu: 1_0\n",
	"- apiVersion: v1\n  kind: Node\n  metadata:\n    name: n\n  status:\n    capacity:\n      pods: 1e2\n",
	"- apiVersion: v1\n  kind: Node\n  metadata:\n    name: n\n  status:\n    capacity:\n      pods: \"110\"\n      cpu: '4'\n",
	"- apiVersion: v1\n  kind: Node\n  metadata:\n    name: n\n  spec:\n    unschedulable: yes\n",
	"- apiVersion: v1\n  kind: Node\n  metadata:\n    name: n\n  spec:\n    unschedulable: True\n",
}

// TestBlockReaderMatchesYAMLv3 loads every YAML snapshot in testdata, a
// List of every kind full of values kubectl quotes or escapes, hand-made
// layouts, and a generated cluster, through the block reader and through
// yaml.v3 alone: the stores must write the same snapshot (or fail the
// same way), also with CRLF line ends.
func TestBlockReaderMatchesYAMLv3(t *testing.T) {
	inputs := map[string][]byte{"tricky": trickyList(t), "generated": generatedList(t)}
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = b
	}
	for i, h := range handWritten {
		inputs[fmt.Sprintf("hand-%d", i)] = []byte("apiVersion: v1\nkind: List\nitems:\n" + h)
	}
	for name, data := range inputs {
		for _, crlf := range []bool{false, true} {
			if crlf {
				data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
				name += " (CRLF)"
			}
			t.Run(name, func(t *testing.T) {
				fast, ref := loadBothWays(t, data)
				if fast != ref {
					t.Errorf("block reader and yaml.v3 load differently:\nblock:  %s\nyaml.v3: %s", fast, ref)
				}
				if strings.HasPrefix(ref, "error") && !strings.HasPrefix(name, "hand-") {
					t.Errorf("fixture does not load: %s", ref)
				}
			})
		}
	}
}

func generatedList(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gen.yaml")
	writeScaleSnapshot(t, path, scale{nodes: 30, daemonSets: 10, others: 500}, YAML)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBlockReaderReadsKubectlLayout guards the speed of YAML snapshots:
// the items kubectl prints (the fixtures, the generated cluster, the
// tricky values but for the few yaml.v3 must decide) are read by the
// block reader, not handed back to yaml.v3.
func TestBlockReaderReadsKubectlLayout(t *testing.T) {
	for name, data := range map[string][]byte{"fixture": readFixture(t), "generated": generatedList(t), "tricky": trickyList(t)} {
		d := decoder{listed: map[cluster.Kind]bool{}}
		if err := d.yamlStream(data); err != nil {
			t.Fatal(err)
		}
		k := newKinds()
		var r blockReader
		read, table := 0, 0
		for _, u := range d.units {
			f := k.lookup(itemType(u.src))
			if f == nil {
				continue
			}
			table++
			if _, ok := r.convert(nil, u.src, f.tree, f.keep); ok {
				read++
				continue
			}
			// kubectl prints these only for values no Kubernetes key
			// or label holds: a complex key (a key with a line
			// break), plain scalars starting "?" or ":", a Unicode
			// line separator, a merge key.
			if !slices.ContainsFunc([]string{"? ", "?q", ":c", "\u2028", "<<"}, func(m string) bool { return bytes.Contains(u.src, []byte(m)) }) {
				t.Errorf("%s: block reader declined the item at line %d (%s %s):\n%s", name, u.line, f.row.Kind, itemName(u.src), u.src)
			}
		}
		t.Logf("%s: block reader read %d of %d items", name, read, table)
		if table == 0 || name != "tricky" && read != table {
			t.Errorf("%s: block reader read %d of %d items", name, read, table)
		}
	}
}

// itemName is the first "name:" of an item, for messages.
func itemName(item []byte) string {
	for l := range bytes.Lines(item) {
		if _, v, ok := bytes.Cut(l, []byte("    name: ")); ok {
			return string(bytes.TrimSpace(v))
		}
	}
	return ""
}

// TestBlockReaderNeverCopiesSecretData: a Secret's data is checked for
// its layout, never decoded into the output.
func TestBlockReaderNeverCopiesSecretData(t *testing.T) {
	item := []byte("- apiVersion: v1\n  data:\n    password: \"aHVudGVyMg==\"\n    token: aHVudGVyMg==\n    plus: +aHVudGVyMg==\n    minus: -aHVudGVyMg\n    long: 'aHVudGVyMg aHVudGVyMg\n      aHVudGVyMg'\n    block: |\n      aHVudGVyMg\n  kind: Secret\n  metadata:\n    name: s\n  type: Opaque\n")
	f := newKinds().lookup("v1", "Secret")
	var r blockReader
	out, ok := r.convert(nil, item, f.tree, f.keep)
	if !ok {
		t.Fatal("declined a kubectl Secret")
	}
	if bytes.Contains(out, []byte("aHVudGVy")) || bytes.Contains(r.tmp, []byte("aHVudGVy")) || bytes.Contains(r.arena, []byte("aHVudGVy")) {
		t.Errorf("secret data was decoded: %s", out)
	}
	// Reading a Secret allocates nothing: its values are scanned, not
	// copied.
	buf := make([]byte, 0, 1024)
	if n := testing.AllocsPerRun(20, func() {
		if _, ok := r.convert(buf[:0], item, f.tree, f.keep); !ok {
			t.Fatal("declined")
		}
	}); n != 0 {
		t.Errorf("reading a Secret allocated %v times", n)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "s"}, "type": "Opaque"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// blockMatchesYAMLv3 checks one item under each field tree: when the
// block reader accepts it, yaml.v3 accepts it too and the fields kept are
// the same JSON values. It returns how many trees the reader accepted.
func blockMatchesYAMLv3(t *testing.T, r *blockReader, item []byte, trees ...*fields) int {
	t.Helper()
	var j []byte
	parsed := false
	read := 0
	checked := map[string]bool{} // trees that keep the same fields
	for _, f := range trees {
		fast, ok := r.convert(nil, item, f.tree, f.keep)
		if !ok {
			continue
		}
		read++
		if !parsed {
			parsed = true
			doc := append([]byte("  "), item[2:]...)
			var err error
			if j, err = yamlToJSON(doc); err != nil {
				t.Fatalf("block reader accepted what yaml.v3 refuses (%v):\n%q", err, item)
			}
			if j == nil || j[0] != '{' {
				t.Fatalf("block reader accepted a non-mapping:\n%q", item)
			}
		}
		ref, err := f.prune(nil, j)
		if err != nil {
			t.Fatal(err)
		}
		if pair := string(fast) + "\x00" + string(ref); checked[pair] {
			continue
		} else {
			checked[pair] = true
		}
		if !jsonEqual(t, fast, ref) {
			t.Fatalf("block reader and yaml.v3 differ on\n%q\nblock:   %s\nyaml.v3: %s", item, fast, ref)
		}
	}
	return read
}

// allTrees is every row's field tree.
func allTrees() []*fields {
	k := newKinds()
	var out []*fields
	for _, r := range cluster.Kinds() {
		out = append(out, k.byKind[r.Kind])
	}
	return out
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	decode := func(b []byte) any {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("invalid JSON %s: %v", b, err)
		}
		return v
	}
	return reflect.DeepEqual(decode(a), decode(b))
}

// TestBlockReaderItems runs the per-item check over every item of the
// inputs, for every kind's field tree (an item's fields are checked under
// trees of other kinds too).
func TestBlockReaderItems(t *testing.T) {
	var r blockReader
	items := [][]byte{}
	for _, h := range handWritten {
		items = append(items, []byte(h))
	}
	for _, data := range [][]byte{readFixture(t), trickyList(t)} {
		d := decoder{listed: map[cluster.Kind]bool{}}
		if err := d.yamlStream(data); err != nil {
			t.Fatal(err)
		}
		for _, u := range d.units {
			items = append(items, u.src)
		}
	}
	for _, item := range items {
		blockMatchesYAMLv3(t, &r, item, allTrees()...)
	}
}

// fuzzSeedItems are the items of the fixtures, for the fuzz target.
func fuzzSeedItems(f *testing.F) [][]byte {
	var items [][]byte
	d := decoder{listed: map[cluster.Kind]bool{}}
	if err := d.yamlStream(mustRead(f, "testdata/kubectl-list.yaml")); err != nil {
		f.Fatal(err)
	}
	for _, u := range d.units {
		items = append(items, u.src)
	}
	for _, h := range handWritten {
		items = append(items, []byte(h))
	}
	return items
}

func mustRead(tb testing.TB, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestBlockReaderRandomItems builds items from random lines of the shapes
// the block reader handles and the ones it must decline (odd indents,
// continuations, block scalars, quoted and special keys, nesting in
// sequences) and holds each to yaml.v3. The seed is fixed; enough of the
// items must be read (not declined) for the test to mean something.
func TestBlockReaderRandomItems(t *testing.T) {
	keys := []string{"a", "b", "name", "labels", "metadata", "spec", "status", "phase", "nodeName", "data", "type", "namespace",
		"accessModes", "annotations", `"q k"`, "'s'", `"name"`, "1", "true", "x y", "a:b", "-k", "~", "null", "é", `""`}
	values := []string{"v", "x y", "110", "-5", "0", "007", "1.5", "true", "no", "null", "~", "''", `""`, "'a''b'", `"a\tb\u00e9\x41\\"`,
		"{}", "[]", "|", "|-", "|+", ">", ">-", "|2", "'multi", `"multi`, "end'", `end"`, "2001-02-03", "0x1F", "1_000", "a: b",
		"a #c", "#c", "&a x", "*a", "!t x", "[a]", "10.0.0.1", "v1.2", "😀", "a\\", ".inf", "<<", "?x", "-x", "- x",
		"1e3", "-0.0", ".5", ".5e3", "1e-7", "1e21", "123456789012345678901", "0.1e-06", "+1.5", "1_0.5", "1.5_0", ".5_0", "0x1p-2", "1e400", "-.5"}
	rng := rand.New(rand.NewPCG(1, 2))
	trees := allTrees()
	var r blockReader
	read, total := 0, 0
	for range 10000 {
		var b strings.Builder
		b.WriteString("- apiVersion: v1\n  kind: Pod\n")
		indent := 2
		for range 1 + rng.IntN(12) {
			pad := strings.Repeat(" ", indent)
			switch rng.IntN(10) {
			case 0:
				b.WriteString(pad + keys[rng.IntN(len(keys))] + ":\n")
				indent += 2 * rng.IntN(2)
			case 1:
				b.WriteString(pad + "- " + values[rng.IntN(len(values))] + "\n")
			case 2:
				b.WriteString(pad + "- " + keys[rng.IntN(len(keys))] + ": " + values[rng.IntN(len(values))] + "\n")
				indent += 2
			case 3:
				b.WriteString("\n")
			case 4:
				b.WriteString(pad + "  " + values[rng.IntN(len(values))] + "\n")
			case 5:
				indent = max(2, indent-2*rng.IntN(3))
			case 6:
				b.WriteString(pad + strings.Repeat(" ", rng.IntN(2)) + keys[rng.IntN(len(keys))] + ": " + values[rng.IntN(len(values))] + "\n")
			case 7:
				b.WriteString(pad + "-\n")
				indent += 2
			default:
				b.WriteString(pad + keys[rng.IntN(len(keys))] + ": " + values[rng.IntN(len(values))] + "\n")
			}
		}
		item := []byte(b.String())
		if rng.IntN(4) == 0 {
			item = bytes.ReplaceAll(item, []byte("\n"), []byte("\r\n"))
		}
		total++
		if blockMatchesYAMLv3(t, &r, item, trees...) > 0 {
			read++
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("block reader read %d of %d random items", read, total)
	if read < total/20 {
		t.Errorf("block reader read only %d of %d random items: the generator no longer tests reading", read, total)
	}
}

func TestPrintableASCII(t *testing.T) {
	for pos := range 8 {
		for b := range 256 {
			w := []byte("abcdefgh")
			w[pos] = byte(b)
			want := b >= 0x20 && b <= 0x7e
			if got := printableASCII(binary.LittleEndian.Uint64(w)); got != want {
				t.Errorf("byte %#x at %d: printable = %v, want %v", b, pos, got, want)
			}
		}
	}
}

// TestBlockReaderCorpus holds the block reader to yaml.v3 on the shared
// corpus of real manifests: every document as written (comments, indented
// sequences, flow collections, anchors: mostly declined) and as kubectl
// would print it (which it must read).
func TestBlockReaderCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the whole corpus; skipped with -short")
	}
	dir := need.Corpus(t)
	trees := allTrees()
	var r blockReader
	asWritten, kubectl, kubectlRead := 0, 0, 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") && !strings.HasSuffix(path, ".yml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, doc := range splitDocs(data) {
			if len(bytes.TrimSpace(doc)) == 0 {
				continue
			}
			// As written, each line indented to be an item.
			item := append([]byte("- "), bytes.ReplaceAll(doc, []byte("\n"), []byte("\n  "))...)
			if blockMatchesYAMLv3(t, &r, item, trees...) > 0 {
				asWritten++
			}
			// As kubectl prints it.
			j, err := yamlToJSON(doc)
			if err != nil || j == nil || j[0] != '{' {
				continue
			}
			y, err := yaml.JSONToYAML(j)
			if err != nil {
				continue
			}
			kubectl++
			item = append([]byte("- "), bytes.ReplaceAll(bytes.TrimSuffix(y, []byte("\n")), []byte("\n"), []byte("\n  "))...)
			item = append(item, '\n')
			if blockMatchesYAMLv3(t, &r, item, trees...) == len(trees) {
				kubectlRead++
			}
			if t.Failed() {
				return fmt.Errorf("in %s", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("block reader: %d corpus documents read as written; %d of %d read as kubectl prints them", asWritten, kubectlRead, kubectl)
	if kubectl < 1000 || kubectlRead < kubectl*99/100 {
		t.Errorf("block reader read %d of %d corpus objects in kubectl's layout, want at least 99%%", kubectlRead, kubectl)
	}
}

// splitDocs splits a YAML stream at its document separators.
func splitDocs(data []byte) [][]byte {
	var docs [][]byte
	start := 0
	for off := 0; off < len(data); {
		next := len(data)
		if e := bytes.IndexByte(data[off:], '\n'); e >= 0 {
			next = off + e + 1
		}
		if isDocSeparator(data[off:next]) {
			docs = append(docs, data[start:off])
			start = next
		}
		off = next
	}
	return append(docs, data[start:])
}
