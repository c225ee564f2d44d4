package helm

import (
	"testing"
)

// FuzzValues feeds the parsers of user input — a values file (-f, a ci/
// file, values.yaml) and a --set flag — arbitrary bytes: no panic, no
// hang, and every leaf recorded for positions is a path of its file.
func FuzzValues(f *testing.F) {
	f.Add([]byte("mem: 1024m\nresources:\n  limits: {memory: 4}\nlist: [1, 2]\n"), "a.b=1,c[0]=x")
	f.Add([]byte("a: &x {b: *x}\n"), "a[65537]=1")
	f.Add([]byte("- 1\n- 2\n"), "a=b=c")
	f.Add([]byte("{\"a\": {\"b\": null}}"), `name={a,b},x\,y=1`)
	f.Add([]byte("<<: {a: 1}\nb: !!binary aGk=\n"), "a.b.c")
	f.Add([]byte("\xef\xbb\xbfkey: \"\\u00e9\"\n---\nsecond: doc\n"), "")
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		vals, err := ParseValues(data)
		if err == nil && vals == nil {
			t.Fatal("no error and no values")
		}
		src := fileSource("values.yaml", data, []string{"sub"})
		for p, n := range src.leaves {
			if n == nil || !src.paths[p] {
				t.Fatalf("leaf %q without its node or path", p)
			}
		}
		m := map[string]any{}
		if err := ParseSet(set, m); err == nil && vals != nil {
			_ = mergeMaps(vals, m)
		}
		one := &valueSource{set: map[string]string{}, paths: map[string]bool{}}
		flattenAny(nil, m, one)
		for p := range one.set {
			if !one.paths[p] {
				t.Fatalf("--set leaf %q without its path", p)
			}
		}
	})
}
