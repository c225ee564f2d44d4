package webhook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
	"github.com/podlint/podlint/cluster/snapshot"
	"github.com/podlint/podlint/lint"
	"github.com/podlint/podlint/manifest"
)

// TestDifferential runs every fixture (checks/testdata/<id>/fail.yaml and
// pass.yaml, with cluster.yaml as cluster knowledge when present) and every
// example through both the CLI path (lint.Run) and the admission handler,
// and requires the same findings: check, severity before mode and owner
// adjustments, field and message, per object.
//
// The handler sees each workload the way the API server sends it: the
// document converted to JSON the way kubectl converts it, one object per
// request, with the run's other objects (and the snapshot) already in the
// inventory, as if they had been applied before. The CLI is told the
// namespace the way kubectl apply -n would (the webhook always knows it),
// and the handler's inventory names the file positions of those objects
// the way the CLI's does, so that messages compare.
//
// Two differences are intended and encoded here:
//   - A missing ConfigMap, Secret, PVC or ServiceAccount (checks with
//     MissingReference) is an error in both, but the webhook only warns:
//     the object may be created later in the same kubectl apply. The CLI
//     sees the whole apply and fails the run.
//   - A conflict between two objects (Finding.Pair) is reported once by
//     the CLI, on the later object; the webhook judges one object at a
//     time and reports it for each. The test keeps the later one too.
func TestDifferential(t *testing.T) {
	files, _ := filepath.Glob("../checks/testdata/*/*.yaml")
	ex, _ := filepath.Glob("../examples/*.yaml")
	files = append(files, ex...)
	// The examples of the cluster checks go with examples/cluster.snapshot.
	clusterEx, _ := filepath.Glob("../examples/cluster/*.yaml")
	files = append(files, clusterEx...)
	n := 0
	for _, file := range files {
		if filepath.Base(file) == "cluster.yaml" {
			continue
		}
		n++
		t.Run(strings.TrimPrefix(file, "../"), func(t *testing.T) {
			clusterFile := filepath.Join(filepath.Dir(file), "cluster.yaml")
			if filepath.Base(filepath.Dir(file)) == "cluster" {
				// The examples of the cluster checks share one snapshot.
				clusterFile = filepath.Join("..", "examples", "cluster.snapshot")
			}
			withSnapshot := fileExists(clusterFile) && (strings.Contains(file, "checks/testdata") || strings.Contains(file, "examples/cluster/"))
			newStore := func() *cluster.Store {
				st := cluster.New()
				if withSnapshot {
					if _, err := snapshot.LoadFile(clusterFile, st); err != nil {
						t.Fatalf("snapshot %s: %v", clusterFile, err)
					}
				}
				return st
			}

			differential(t, file, newStore)
		})
	}
	if n == 0 {
		t.Fatal("no fixtures found")
	}
}

// differential lints file with lint.Run and runs each of its admitted
// objects through the handler, with the file's other objects and
// newStore's cluster knowledge in the inventory, and requires the same
// findings (see TestDifferential).
func differential(t *testing.T, file string, newStore func() *cluster.Store) {
	rep := lint.Run(t.Context(), lint.Options{Paths: []string{file}, Store: newStore(), Namespace: "default"})
	if len(rep.Errors) > 0 {
		t.Fatalf("lint errors: %v", rep.Errors)
	}
	var want []string
	for _, f := range rep.Findings {
		if admits(schema.GroupKind{Group: group(f.Object.APIVersion), Kind: f.Object.Kind}) {
			want = append(want, key(f.Finding))
		}
	}

	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	objs, errs := manifest.Parse(file, data)
	if len(errs) > 0 {
		t.Fatalf("decode errors: %v", errs)
	}
	docs := jsonDocuments(t, data)
	if len(docs) != len(objs) {
		t.Fatalf("%d JSON documents for %d decoded objects", len(docs), len(objs))
	}
	store := newStore()
	origins := fileOrigins{}
	for _, o := range objs {
		if o.Known {
			store.AddTarget(o.Target)
			origins[o.Target.Object] = o
			if o.Ref.Kind == "Secret" {
				// Lookups hand out a Secret's metadata only; checks
				// ask for its origin by reference.
				origins[checks.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: o.Target.Namespace(), Name: o.Ref.Name}] = o
			}
		}
	}
	inv := func() checks.Inventory {
		i := store.Inventory()
		i.Origins = origins
		return i
	}
	var all []checks.Finding
	for i, o := range objs {
		gk := schema.GroupKind{Group: group(o.Ref.APIVersion), Kind: o.Ref.Kind}
		if !o.Known || !admits(gk) {
			continue
		}
		all = append(all, handlerFindings(t, inv, o, docs[i])...)
	}
	var got []string
	for _, f := range oncePerPair(all) {
		got = append(got, key(f))
	}
	if filepath.Base(file) == "fail.yaml" && len(want) == 0 {
		t.Errorf("%s produces no finding on an admitted kind; the comparison would prove nothing", file)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		t.Errorf("findings differ\nlint.Run:\n  %s\nwebhook:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	}
}

// fileOrigins names input objects the way the CLI does for objects in the
// same file.
type fileOrigins map[any]*manifest.Object

func (f fileOrigins) Origin(obj any, path *field.Path) string {
	o := f[obj]
	if o == nil {
		return ""
	}
	p := ""
	if path != nil {
		p = path.String()
	}
	line, _ := o.Position(p)
	return fmt.Sprintf("line %d", line)
}

// oncePerPair keeps, of the findings that share a Pair key, the last one,
// as lint.Run does.
func oncePerPair(fs []checks.Finding) []checks.Finding {
	last := map[string]int{}
	for i, f := range fs {
		if f.Pair != "" {
			last[f.Pair] = i
		}
	}
	var out []checks.Finding
	for i, f := range fs {
		if f.Pair == "" || last[f.Pair] == i {
			out = append(out, f)
		}
	}
	return out
}

// handlerFindings runs one object through evaluate with enforce mode and
// returns its findings at their original severity.
func handlerFindings(t *testing.T, inv func() checks.Inventory, o *manifest.Object, raw []byte) []checks.Finding {
	t.Helper()
	eng := checks.NewEngine(nil)
	h := NewHandler(HandlerOptions{Inventory: inv, Engine: func() *checks.Engine { return eng }})
	gv, _ := schema.ParseGroupVersion(o.Ref.APIVersion)
	req := admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID: "u", Operation: admissionv1.Create, Name: o.Ref.Name, Namespace: o.Target.Namespace(),
		Kind: metav1.GroupVersionKind{Group: gv.Group, Version: gv.Version, Kind: o.Ref.Kind},
	}}
	req.Object.Raw = raw
	out := h.evaluate(req, Enforce)
	if out.err != nil {
		t.Fatalf("%s: %v", o.Ref, out.err)
	}
	var found []checks.Finding
	for _, v := range out.verdicts {
		wantDeny := v.Severity == checks.Error
		if c := checks.Lookup(v.Check); c != nil && c.MissingReference {
			// The one intended difference in verdicts: see
			// TestDifferential and TestMissingReferenceWarns.
			wantDeny = false
		}
		if wantDeny != v.deny {
			t.Errorf("%s: %s %s finding deny=%v in enforce mode", o.Ref, v.Severity, v.Check, v.deny)
		}
		found = append(found, v.Finding)
	}
	// The full response path must agree with the verdicts, and so must
	// Handle, the entry point the API server reaches: a kind filtered out
	// there (or any other step that bypasses evaluate) is allowed without
	// a check, and the fixtures with errors catch it.
	resp, _ := h.respond(out)
	denied := slices.ContainsFunc(out.verdicts, func(v verdict) bool { return v.deny })
	if denied == resp.Allowed {
		t.Errorf("%s: allowed=%v with deny verdicts=%v", o.Ref, resp.Allowed, denied)
	}
	h.mode = Enforce
	if handled := h.Handle(t.Context(), req); handled.Allowed == denied {
		t.Errorf("%s: Handle allowed=%v (%+v), evaluate found deny verdicts=%v", o.Ref, handled.Allowed, handled.Result, denied)
	}
	return found
}

// key identifies a finding across the two paths; the namespace is left out
// because the API server always fills it while a manifest may leave it to
// kubectl.
func key(f checks.Finding) string {
	return fmt.Sprintf("%s/%s %s %s %s: %s", f.Object.Kind, f.Object.Name, f.Check, f.Severity, f.Field, f.Message)
}

func group(apiVersion string) string {
	gv, _ := schema.ParseGroupVersion(apiVersion)
	return gv.Group
}

// jsonDocuments converts each object of a YAML stream to JSON the way
// kubectl does (sigs.k8s.io/yaml), expanding List kinds, in the order
// manifest.Parse returns objects.
func jsonDocuments(t *testing.T, data []byte) [][]byte {
	t.Helper()
	var out [][]byte
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			continue
		}
		root := doc.Content[0]
		if items := listItems(root); items != nil {
			for _, it := range items {
				out = append(out, toJSON(t, it))
			}
			continue
		}
		out = append(out, toJSON(t, root))
	}
}

func listItems(m *yaml.Node) []*yaml.Node {
	var kind string
	var items *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		switch m.Content[i].Value {
		case "kind":
			kind = m.Content[i+1].Value
		case "items":
			items = m.Content[i+1]
		}
	}
	if !strings.HasSuffix(kind, "List") || items == nil {
		return nil
	}
	return items.Content
}

func toJSON(t *testing.T, n *yaml.Node) []byte {
	t.Helper()
	y, err := yaml.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	j, err := sigsyaml.YAMLToJSON(y)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestDifferentialJSON sends JSON objects both ways: as a .json file to
// lint.Run and, byte for byte, as the admission object to the handler.
// The handler decodes clean JSON on a fast path of its own and everything
// else like the CLI (manifest.ParseAdmission); these are the objects where
// a difference between the two could hide: unknown, case-mismatched and
// duplicate fields, duplicate keys, quantities that do not parse or that
// parse to the wrong thing, numbers JSON and YAML read differently.
func TestDifferentialJSON(t *testing.T) {
	pod := func(container string) string {
		return `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"},"spec":{"containers":[` + container + `]}}`
	}
	deploy := func(spec string) string {
		return `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"default"},"spec":{` + spec +
			`"selector":{"matchLabels":{"app":"d"}},"template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"a","image":"registry.example.com/a:1"}]}}}}`
	}
	cases := map[string]string{
		"clean":                 pod(`{"name":"a","image":"registry.example.com/a:1","resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"memory":"64Mi"}}}`),
		"milli memory":          pod(`{"name":"a","image":"registry.example.com/a:1","resources":{"limits":{"memory":"1024m"}}}`),
		"bare memory number":    pod(`{"name":"a","image":"registry.example.com/a:1","resources":{"limits":{"memory":4}}}`),
		"bad quantity":          pod(`{"name":"a","image":"registry.example.com/a:1","resources":{"limits":{"memory":"1 Gi"}}}`),
		"boolean quantity":      pod(`{"name":"a","image":"registry.example.com/a:1","resources":{"limits":{"cpu":true}}}`),
		"unknown field":         pod(`{"name":"a","image":"registry.example.com/a:1","imagePullSecret":"s"}`),
		"case-mismatched field": pod(`{"name":"a","Image":"registry.example.com/a:1"}`),
		"duplicate field":       pod(`{"name":"a","image":"registry.example.com/a:1","image":"registry.example.com/a:2"}`),
		"duplicate same value":  pod(`{"name":"a","image":"registry.example.com/a:1","image":"registry.example.com/a:1"}`),
		"duplicate limit key":   pod(`{"name":"a","image":"registry.example.com/a:1","resources":{"limits":{"memory":"1Gi","memory":"1024m"}}}`),
		"wrong type":            pod(`{"name":"a","image":"registry.example.com/a:1","ports":[{"containerPort":"80"}]}`),
		"integral float":        deploy(`"replicas":2.0,`),
		"exponent":              deploy(`"replicas":1e1,`),
		"string replicas":       deploy(`"replicas":"2",`),
		"pretty printed": strings.ReplaceAll(pod(`{"name":"a","image":"registry.example.com/a:1","resources":{"limits":{"memory":"1024m"}},"imagePullSecret":"s"}`),
			",", ",\n  "),
	}
	dir := t.TempDir()
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
			if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
				t.Fatal(err)
			}
			rep := lint.Run(t.Context(), lint.Options{Paths: []string{file}, Store: cluster.New(), Namespace: "default"})
			if len(rep.Errors) > 0 {
				t.Fatalf("lint errors: %v", rep.Errors)
			}
			var want []string
			for _, f := range rep.Findings {
				want = append(want, key(f.Finding))
			}
			objs, errs := manifest.Parse(file, []byte(data))
			if len(errs) > 0 || len(objs) != 1 {
				t.Fatalf("decode: %d objects, errors %v", len(objs), errs)
			}
			st := cluster.New()
			var got []string
			for _, f := range handlerFindings(t, st.Inventory, objs[0], []byte(data)) {
				got = append(got, key(f))
			}
			slices.Sort(want)
			slices.Sort(got)
			// 2.0 and 1e1 are integers to the API server; the point there is
			// that the webhook reports nothing either.
			if name != "clean" && name != "integral float" && name != "exponent" && len(want) == 0 {
				t.Errorf("no finding from lint.Run; the comparison would prove nothing")
			}
			if !slices.Equal(want, got) {
				t.Errorf("findings differ\nlint.Run:\n  %s\nwebhook:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
			}
		})
	}
}

// TestDifferentialSecretKeys: under the secret-keys opt-in, the cluster's
// Secrets reach the store as --live and the webhook's informers hand them
// over (stripped by cluster.SecretKeysRow to names, types and key names),
// and both paths report the same missing keys.
func TestDifferentialSecretKeys(t *testing.T) {
	newStore := func() *cluster.Store {
		st := cluster.New()
		st.KeepSecretKeys()
		sec := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "db"},
			Type:       corev1.SecretTypeOpaque,
			Data:       map[string][]byte{"user": []byte("orders"), "host": []byte("db.shop")},
		}
		cluster.SecretKeysRow().Strip(sec)
		st.Add(cluster.Secrets, sec)
		st.MarkKnown(cluster.Secrets, cluster.AllNamespaces)
		return st
	}
	// The comparison must not be empty: the store answers the keys.
	rep := lint.Run(t.Context(), lint.Options{Paths: []string{"testdata/secret-keys.yaml"}, Store: newStore(), Namespace: "default"})
	var got []string
	for _, f := range rep.Findings {
		if f.Check == "secret-key-not-found" {
			got = append(got, f.Field)
		}
	}
	want := []string{"spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key", "spec.template.spec.volumes[0].secret.items[0].key"}
	if !slices.Equal(got, want) {
		t.Errorf("secret-key-not-found at %q, want %q", got, want)
	}
	differential(t, "testdata/secret-keys.yaml", newStore)
}
