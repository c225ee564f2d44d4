package manifest

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// FuzzParse feeds arbitrary bytes to the loader: it must never panic, and
// everything it returns must be located.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		deployment,
		"apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: x}]}}\n",
		"---\n# Source: c/t.yaml\napiVersion: v1\nkind: Secret\ndata: {a: b}\n---\n...\n",
		"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"ports\":[{\"containerPort\":\"x\"}]}]}}",
		"a: &a [*a]\n",
		"apiVersion: v1\nkind: Pod\nspec: &s\n  <<: *s\n",
		"\xef\xbb\xbfapiVersion: v1\r\nkind: ConfigMap\r\n",
		"%YAML 1.2\n---\n!!binary x\n",
		"apiVersion: example.com/v1\nkind: Widget\nspec:\n  a: 1\n  a: 2\n",
		// Duplicate keys in an object of unknown kind: a Target that
		// carries only the issue (this input broke the old harness).
		"0:\n        e:\n        e:",
		mergeBomb(9, 9),
		mergeBomb(3, 4),
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\x00b\n",
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\xffb\n",
		"---\n# Source: c/t.yaml\n\x00\n",
		"---\n# Source: c/t.yaml\nkind: [\n",
		`{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p",}, "spec": {"containers": [{"name": "c"},]}}`,
		"{'apiVersion': 'v1', 'kind': 'ConfigMap', 'data': {'a': ',}'}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, errs := Parse("f.yaml", data)
		for _, e := range errs {
			if e.Message == "" {
				t.Errorf("error without message: %+v", e)
			}
			if e.Line < 1 {
				t.Errorf("error at line %d: %+v", e.Line, e)
			}
		}
		for _, o := range objs {
			// A known kind always has a Target; an unknown one has one
			// only to carry its duplicate-key issues.
			if o.Known && o.Target == nil || !o.Known && o.Target != nil && len(o.Target.Issues) == 0 {
				t.Fatalf("Known=%v but Target=%+v", o.Known, o.Target)
			}
			o.Position("")
			o.Position("spec.template.spec.containers[0].image")
			if o.Target != nil {
				if o.Target.Raw != nil {
					o.Target.Raw.Scalar(field.NewPath("metadata", "name"))
				}
				for _, is := range o.Target.Issues {
					o.Position(is.Field)
					if is.Line < 1 {
						t.Errorf("issue at line %d: %+v", is.Line, is)
					}
				}
			}
		}
	})
}

// FuzzPosition maps arbitrary path strings against a fixed document: no
// panic, and the answer is always a real line of the document.
func FuzzPosition(f *testing.F) {
	objs, _ := Parse("d.yaml", []byte(deployment))
	o := objs[0]
	for _, s := range []string{
		"", "spec", "spec.template.spec.containers[0].resources.limits[memory]",
		"[0]", "a[", "]]", "..", "spec[", "spec.template.spec.containers[-1]",
		"spec.template.spec.containers[99999999999999999999]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		l, c := o.Position(path)
		if l < 1 || l > 18 || c < 1 {
			t.Fatalf("Position(%q) = %d:%d, outside the document", path, l, c)
		}
	})
}

// FuzzParseAdmission feeds arbitrary bytes as the object of an admission
// request: no panic, and either a target the checks can run on or an
// error that says why not.
func FuzzParseAdmission(f *testing.F) {
	for _, s := range []string{
		``, `null`, `[`, `"x"`, `{}`,
		`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"memory":"1024m"}}}]}}`,
		`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod"},{"apiVersion":"v1","kind":"Pod"}]}`,
		`{"apiVersion":"example.com/v1","kind":"Widget","spec":{"a":1,"a":2}}`,
		`{"apiVersion":"apps/v1","kind":"Deployment","spec":7}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tg, err := ParseAdmission(data)
		if (tg == nil) == (err == nil) {
			t.Fatalf("target %v and error %v", tg, err)
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error without message")
			}
			return
		}
		if tg.Meta == nil || tg.Raw == nil || tg.Ref.Kind == "" {
			t.Fatalf("incomplete target %+v", tg)
		}
		tg.Containers()
	})
}
