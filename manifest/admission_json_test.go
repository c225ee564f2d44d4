package manifest

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/kubernetes/scheme"
	kjson "sigs.k8s.io/json"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/podlint/podlint/checks"
)

// admissionCases are JSON objects as a webhook may receive them, each with
// whether the fast path takes it. The ones it refuses are where a
// difference from the CLI could hide; TestParseAdmissionJSONAgrees holds
// every one to the YAML path's answer.
var admissionCases = []struct {
	name, data string
	fast       bool
}{
	{"clean deployment", `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"n","labels":{"app":"d"},"creationTimestamp":null},` +
		`"spec":{"replicas":3,"selector":{"matchLabels":{"app":"d"}},"template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[` +
		`{"name":"a","image":"x:1","ports":[{"containerPort":8080,"name":"http"}],"resources":{"limits":{"memory":"1024m","cpu":1.5},"requests":{"memory":4}},` +
		`"readinessProbe":{"httpGet":{"path":"/","port":"http"}},"livenessProbe":{"tcpSocket":{"port":8080}}}]}}},"status":{}}`, true},
	{"pretty printed with CRLF and tabs", "{\r\n\t\"apiVersion\": \"v1\",\r\n\t\"kind\": \"Pod\",\r\n\t\"metadata\": {\"name\": \"p\"},\r\n\t\"spec\": {\"containers\": [\r\n\t\t{\"name\": \"a\", \"image\": \"\"}\r\n\t]}\r\n}\r\n", true},
	{"non-ASCII values", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{"note":"größe ✓ 日本"}},"spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"memory":"1Gi"}}}]}}`, true},
	{"escapes", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{"a\u0062":"\u003chtml\u003e \"q\" \\ \b\f \n\t \u2028 \u0000"}},"spec":{"containers":[{"name":"a","image":"x"}]}}`, true},
	{"managed fields and timestamps", `{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"d","creationTimestamp":"2024-05-01T10:00:00Z","managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"apps/v1","time":"2024-05-01T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:template":{}}}}]},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"spec":{"containers":[{"name":"a","image":"x","ports":[{"containerPort":80,"hostPort":80}]}]}}}}`, true},
	{"nulls", `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j","labels":null},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"memory":null}},"env":null}],"restartPolicy":"Never"}}}}`, true},
	{"cron job", `{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"c"},"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x"}],"restartPolicy":"OnFailure"}}}}}}`, true},
	{"config map", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}}`, true},

	{"unknown field", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","imagePullSecret":"s"}]}}`, false},
	{"case-mismatched field", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","Image":"x"}]}}`, false},
	{"case-mismatched top-level kind", `{"apiVersion":"v1","Kind":"Pod","metadata":{"name":"p"}}`, false},
	{"duplicate field", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","image":"y"}]}}`, false},
	{"duplicate field, same value", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","image":"x"}]}}`, false},
	{"duplicate map key", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"1","a":"2"}},"spec":{"containers":[{"name":"a","image":"x"}]}}`, false},
	{"duplicate map key through an escape", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"1","\u0061":"1"}},"spec":{"containers":[{"name":"a","image":"x"}]}}`, false},
	{"duplicate kind", `{"apiVersion":"v1","kind":"Pod","kind":"Pod","metadata":{"name":"p"}}`, false},
	{"bad quantity", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"memory":"1 Gi"}}}]}}`, false},
	{"placeholder quantity", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"memory":"{{ .Values.mem }}"}}}]}}`, false},
	{"boolean quantity", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"memory":true}}}]}}`, false},
	{"escaped quantity", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"memory":"1\u0030Mi"}}}]}}`, false},
	{"integral float replicas", `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":1.0,"template":{"spec":{"containers":[{"name":"a","image":"x"}]}}}}`, false},
	{"exponent replicas", `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":1e1,"template":{"spec":{"containers":[{"name":"a","image":"x"}]}}}}`, false},
	{"string replicas", `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":"3","template":{"spec":{"containers":[{"name":"a","image":"x"}]}}}}`, false},
	{"overflowing port", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","ports":[{"containerPort":4294967296}]}]}}`, false},
	{"float port name", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","readinessProbe":{"httpGet":{"port":80.5}}}]}}`, false},
	{"number image", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":5}]}}`, false},
	{"number kind", `{"apiVersion":"v1","kind":5,"metadata":{"name":"p"}}`, false},
	{"bad timestamp", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","creationTimestamp":"yesterday"},"spec":{"containers":[{"name":"a","image":"x"}]}}`, false},
	{"patch directive", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"$patch":"delete"}},"spec":{"containers":[{"name":"a","image":"x"}]}}`, false},
	{"list", `{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}]}`, false},
	{"custom resource", `{"apiVersion":"example.com/v1","kind":"Widget","spec":{}}`, false},
	{"pre-release version", `{"apiVersion":"extensions/v1beta1","kind":"Deployment","metadata":{"name":"d"}}`, false},
	{"no kind", `{"apiVersion":"v1","metadata":{"name":"p"}}`, false},
	{"trailing comma", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p",}}`, false},
	{"syntax error", `{"apiVersion":"v1","kind":[`, false},
	{"trailing garbage", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}} x`, false},
	{"two values", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}} {}`, false},
	{"not an object", `["x"]`, false},
	{"YAML", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n", false},
	{"NEL in a string", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"x\u0085y\"}}", false},
	{"line separator in a string", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"x\u2028y\"}}", false},
	{"escaped slash", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"x\/y"}}`, false},
	{"lone surrogate escape", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"\ud800"}}`, false},
	{"surrogate pair escape", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"\ud83d\ude00"}}`, false},
	{"invalid UTF-8", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"\xff\"}}", false},
	{"DEL in a string", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"\x7f\"}}", false},
	{"BOM", "\xef\xbb\xbf{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}", false},
	{"key on another line than its colon", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\"\n:\"c\"}}", false},
	{"long key", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"` + strings.Repeat("k", 1100) + `":"v"}}`, false},
	{"deep nesting", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","annotations":{}},"data":{"a":"b"},"x":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`, false},
}

// TestParseAdmissionJSONAgrees: whatever path ParseAdmission takes, it
// returns what the YAML path (the CLI's decoder) returns: the same error,
// or the same typed object, issues, replicas and scalars as written. It
// also pins which objects take the fast path, so a change that sends
// clean objects back to the slow path fails too.
func TestParseAdmissionJSONAgrees(t *testing.T) {
	for _, tc := range admissionCases {
		t.Run(tc.name, func(t *testing.T) {
			_, fast := parseAdmissionJSON([]byte(tc.data))
			if fast != tc.fast {
				t.Errorf("fast path took it: %v, want %v", fast, tc.fast)
			}
			assertAgrees(t, []byte(tc.data))
		})
	}
}

// TestParseAdmissionJSONFixtures runs every fixture and example object,
// converted to JSON the way kubectl sends it, through both paths.
func TestParseAdmissionJSONFixtures(t *testing.T) {
	files, _ := filepath.Glob("../checks/testdata/*/*.yaml")
	ex, _ := filepath.Glob("../examples/*.yaml")
	files = append(files, ex...)
	if len(files) == 0 {
		t.Fatal("no fixtures found")
	}
	objects, fast := 0, 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range jsonObjects(t, data) {
			objects++
			if _, ok := parseAdmissionJSON(doc); ok {
				fast++
			}
			t.Run(fmt.Sprintf("%s#%d", strings.TrimPrefix(file, "../"), i), func(t *testing.T) { assertAgrees(t, doc) })
		}
	}
	// Most fixtures are clean objects; the rest carry schema problems on
	// purpose. If the fast path took almost none, it would be broken.
	if fast < objects/2 {
		t.Errorf("the fast path took %d of %d fixture objects", fast, objects)
	}
	t.Logf("fast path: %d of %d objects", fast, objects)
}

// FuzzParseAdmissionJSON: ParseAdmission never panics, and whenever the
// fast path takes an object, the YAML path agrees with it.
func FuzzParseAdmissionJSON(f *testing.F) {
	for _, tc := range admissionCases {
		f.Add([]byte(tc.data))
	}
	for _, file := range []string{"../examples/memory-unit-milli.yaml", "../examples/schema-invalid.yaml", "../examples/host-port-conflict.yaml"} {
		if data, err := os.ReadFile(file); err == nil {
			for _, doc := range jsonObjects(f, data) {
				f.Add(doc)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, ok := parseAdmissionJSON(data); ok {
			assertAgrees(t, data)
			return
		}
		_, _ = ParseAdmission(data)
	})
}

// assertAgrees compares ParseAdmission with the YAML path on data.
func assertAgrees(t *testing.T, data []byte) {
	t.Helper()
	got, gotErr := ParseAdmission(data)
	want, wantErr := parseAdmissionYAML(data)
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Fatalf("error %v, the YAML path's %v", gotErr, wantErr)
	}
	if gotErr != nil {
		return
	}
	if got.Ref != want.Ref || got.Replicas != want.Replicas || got.SpecPath.String() != want.SpecPath.String() {
		t.Errorf("target %v replicas %d spec %s, the YAML path's %v %d %s", got.Ref, got.Replicas, got.SpecPath, want.Ref, want.Replicas, want.SpecPath)
	}
	if !reflect.DeepEqual(got.Issues, want.Issues) {
		t.Errorf("issues %+v, the YAML path's %+v", got.Issues, want.Issues)
	}
	if !apiequality.Semantic.DeepEqual(got.Object, want.Object) {
		g, _ := json.Marshal(got.Object)
		w, _ := json.Marshal(want.Object)
		t.Errorf("objects differ\n got %s\nwant %s", g, w)
	}
	for _, p := range scalarPaths(data) {
		gs, gok := got.Raw.Scalar(p)
		ws, wok := want.Raw.Scalar(p)
		if gok != wok || gs != ws {
			t.Errorf("Raw.Scalar(%s) = %+v, %v; the YAML path's %+v, %v", p, gs, gok, ws, wok)
		}
	}
	for _, p := range []*field.Path{nil, field.NewPath("nope"), field.NewPath("spec", "containers").Index(7), field.NewPath("metadata", "name").Key("x")} {
		gs, gok := got.Raw.Scalar(p)
		ws, wok := want.Raw.Scalar(p)
		if gok != wok || gs != ws {
			t.Errorf("Raw.Scalar(%s) = %+v, %v; the YAML path's %+v, %v", p, gs, gok, ws, wok)
		}
	}
}

// scalarPaths lists the field paths of every scalar in a JSON object
// (none when data is not JSON).
func scalarPaths(data []byte) []*field.Path {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil
	}
	var out []*field.Path
	var walk func(v any, p *field.Path, n int)
	walk = func(v any, p *field.Path, n int) {
		if n > 50 || len(out) > 5000 {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if p == nil {
					walk(e, field.NewPath(k), n+1)
				} else if strings.ContainsAny(k, ".[]") {
					walk(e, p.Key(k), n+1)
				} else {
					walk(e, p.Child(k), n+1)
					walk(e, p.Key(k), n+1)
				}
			}
		case []any:
			for i, e := range x {
				if p != nil {
					walk(e, p.Index(i), n+1)
				}
			}
		default:
			if p != nil {
				out = append(out, p)
			}
		}
	}
	walk(v, nil, 0)
	return out
}

// jsonObjects converts each object of a YAML stream to JSON the way
// kubectl does (sigs.k8s.io/yaml), expanding List kinds.
func jsonObjects(t testing.TB, data []byte) [][]byte {
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
			return out
		}
		if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			continue
		}
		y, err := yaml.Marshal(doc.Content[0])
		if err != nil {
			continue
		}
		j, err := sigsyaml.YAMLToJSON(y)
		if err != nil {
			continue
		}
		out = append(out, j)
	}
}

// TestFastPathTypes checks what the fast path assumes of the API types it
// decodes with encoding/json rules: no field is decoded through
// encoding.TextUnmarshaler (the YAML path does not call it) and no field
// carries the ",string" option (the YAML path ignores it). A new API
// version that breaks either would make the two paths disagree.
func TestFastPathTypes(t *testing.T) {
	textUnmarshaler := reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonUnmarshaler := reflect.TypeFor[json.Unmarshaler]()
	seen := map[reflect.Type]bool{}
	var visit func(rt reflect.Type, where string)
	visit = func(rt reflect.Type, where string) {
		if seen[rt] {
			return
		}
		seen[rt] = true
		pt := reflect.PointerTo(rt)
		if pt.Implements(textUnmarshaler) && !pt.Implements(jsonUnmarshaler) {
			t.Errorf("%s (%s) decodes through UnmarshalText in encoding/json", where, rt)
		}
		if pt.Implements(jsonUnmarshaler) {
			return
		}
		switch rt.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			visit(rt.Elem(), where+"[]")
		case reflect.Map:
			visit(rt.Key(), where+"{key}")
			visit(rt.Elem(), where+"{}")
		case reflect.Struct:
			for i := range rt.NumField() {
				f := rt.Field(i)
				if _, opts, _ := strings.Cut(f.Tag.Get("json"), ","); strings.Contains(","+opts+",", ",string,") {
					t.Errorf("%s.%s has the ,string option", where, f.Name)
				}
				if f.IsExported() || f.Anonymous {
					visit(f.Type, where+"."+f.Name)
				}
			}
		}
	}
	for gvk, rt := range scheme.Scheme.AllKnownTypes() {
		if obj := newObject(gvk.GroupVersion().String(), gvk.Kind); obj != nil {
			visit(rt, gvk.Kind)
		}
	}
	if len(seen) < 100 {
		t.Fatalf("visited only %d types", len(seen))
	}
}

var _ checks.ScalarSource = rawSource{}

// TestNextPathElem: the allocation-free walk splits paths as parsePath does.
func TestNextPathElem(t *testing.T) {
	for _, p := range []string{"", "a", "a.b", "spec.containers[0].resources.limits[memory]", "m[a.b][0]", "x[unclosed", "[3]", "a..b", ".a", "a[-1]", "a[]"} {
		var got []pathElem
		for at := 0; ; {
			e, next, ok := nextPathElem(p, at)
			if !ok {
				break
			}
			got, at = append(got, e), next
		}
		if want := parsePath(p); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %+v, parsePath %+v", p, got, want)
		}
	}
}

// strictAgrees holds knownFieldsOnly plus the plain case-sensitive decode
// to sigs.k8s.io/json's strict decode, which it replaced: it may refuse
// what the strict decode takes only for a key repeated in one object, and
// never takes what it refuses. It reports whether the two agreed.
func strictAgrees(t *testing.T, data []byte) bool {
	t.Helper()
	toks, ok := scanJSON(data)
	if !ok || len(toks) == 0 || toks[0].kind != '{' {
		return true
	}
	raw := &jsonRaw{data: data, toks: toks}
	apiVersion, ok1 := raw.topString("apiVersion")
	kind, ok2 := raw.topString("kind")
	if !ok1 || !ok2 {
		return true
	}
	obj, ref := newObject(apiVersion, kind), newObject(apiVersion, kind)
	if obj == nil {
		return true
	}
	strict, err := kjson.UnmarshalStrict(data, ref)
	strictOK := err == nil && len(strict) == 0
	fastOK := raw.knownFieldsOnly(0, jsonTypeOf(reflect.TypeOf(obj))) && kjson.UnmarshalCaseSensitivePreserveInts(data, obj) == nil
	switch {
	case fastOK && !strictOK:
		t.Fatalf("taken by knownFieldsOnly, refused by the strict decode: %v %v\n%s", err, strict, data)
	case fastOK && !reflect.DeepEqual(obj, ref):
		t.Fatalf("the plain decode differs from the strict one\n%s", data)
	}
	return fastOK == strictOK
}

func TestKnownFieldsOnly(t *testing.T) {
	files, _ := filepath.Glob("../checks/testdata/*/*.yaml")
	ex, _ := filepath.Glob("../examples/*.yaml")
	agree, all := 0, 0
	for _, file := range append(files, ex...) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range jsonObjects(t, data) {
			all++
			if strictAgrees(t, doc) {
				agree++
			}
		}
	}
	for _, tc := range []struct {
		name, data string
		fast       bool
	}{
		{"clean", `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","labels":{"a":"b"}},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x"}]}}}}`, true},
		{"inline TypeMeta and ProbeHandler", `{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"a","image":"x","livenessProbe":{"httpGet":{"port":80},"periodSeconds":3}}]}}`, true},
		{"inline VolumeSource", `{"apiVersion":"v1","kind":"Pod","spec":{"volumes":[{"name":"v","configMap":{"name":"c"}}],"containers":[{"name":"a","image":"x"}]}}`, true},
		{"ephemeral container", `{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"a","image":"x"}],"ephemeralContainers":[{"name":"e","image":"x","targetContainerName":"a"}]}}`, true},
		{"unmarshalers", `{"apiVersion":"v1","kind":"Pod","metadata":{"creationTimestamp":"2024-01-01T00:00:00Z","managedFields":[{"fieldsV1":{"f:a":{},"f:a":{}}}]},"spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"memory":"1Gi"}},"ports":[{"containerPort":1}],"readinessProbe":{"tcpSocket":{"port":"http"}}}]}}`, true},
		{"unknown field", `{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"a","image":"x","imagePullSecret":"s"}]}}`, false},
		{"wrong case", `{"apiVersion":"v1","kind":"Pod","spec":{"Containers":[{"name":"a","image":"x"}]}}`, false},
		{"repeated field", `{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"a","name":"b","image":"x"}]}}`, false},
		{"repeated map key", `{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"a":"1","a":"2"}},"spec":{"containers":[{"name":"a","image":"x"}]}}`, false},
		{"escaped repeat", `{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"a":"1","\u0061":"2"}},"spec":{"containers":[{"name":"a","image":"x"}]}}`, false},
		{"json tag dash", `{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"a","image":"x"}]},"-":1}`, false},
		{"wrong type", `{"apiVersion":"v1","kind":"Pod","spec":{"containers":{"name":"a"}}}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			strictAgrees(t, []byte(tc.data))
			raw := &jsonRaw{data: []byte(tc.data)}
			raw.toks, _ = scanJSON(raw.data)
			obj := newObject("v1", "Pod")
			if strings.Contains(tc.data, "apps/v1") {
				obj = newObject("apps/v1", "Deployment")
			}
			got := raw.knownFieldsOnly(0, jsonTypeOf(reflect.TypeOf(obj))) && kjson.UnmarshalCaseSensitivePreserveInts(raw.data, obj) == nil
			if got != tc.fast {
				t.Errorf("taken = %v, want %v", got, tc.fast)
			}
		})
	}
	// Fixtures with a repeated key on purpose are the only disagreement.
	if agree < all-3 {
		t.Errorf("knownFieldsOnly agreed with the strict decode on %d of %d fixture objects", agree, all)
	}
	t.Logf("agreed on %d of %d fixture objects", agree, all)
}

func FuzzKnownFieldsOnly(f *testing.F) {
	for _, tc := range admissionCases {
		f.Add([]byte(tc.data))
	}
	f.Add([]byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"a":"1","\u0061":"2"}},"spec":{"containers":[{"name":"a","image":"x","livenessProbe":{"exec":{"command":["x"]}}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) { strictAgrees(t, data) })
}
