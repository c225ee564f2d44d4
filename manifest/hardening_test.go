package manifest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// mergeBomb is a ConfigMap whose labels merge an anchor that merges the
// previous one width times, levels deep: width^levels pairs from a few
// hundred bytes. The anchors sit in an unknown field, so only the merge
// under metadata.labels (the last line) expands them.
func mergeBomb(levels, width int) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nanchors:\n")
	b.WriteString("  m0: &m0 {a: v, b: v, c: v, d: v, e: v, f: v, g: v, h: v, i: v}\n")
	for i := 1; i <= levels; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*m%d,", i-1), width), ",")
		fmt.Fprintf(&b, "  m%d: &m%d\n    <<: [%s]\n    k%d: v\n", i, i, refs, i)
	}
	fmt.Fprintf(&b, "metadata:\n  name: bomb\n  labels:\n    <<: *m%d\n", levels)
	return b.String()
}

// parseWithin parses src, failing the test if that takes longer than d
// (the parse is left running: a bomb cannot be interrupted).
// hangGuard only tells a hang (the old minute-long runs and out-of-memory
// deaths) from a finish: wall time under -race on a busy 2-core CI machine
// is 10x or more of a quiet run. The speed target (under 1 s of CPU, under
// 100 MB) is asserted on the built binary by its CPU time and max RSS, in
// cmd/podlint's TestMergeKeyBomb.
const hangGuard = 60 * time.Second

func parseWithin(t *testing.T, d time.Duration, name, src string) ([]*Object, []Error) {
	t.Helper()
	type result struct {
		objs []*Object
		errs []Error
	}
	done := make(chan result, 1)
	go func() {
		objs, errs := Parse(name, []byte(src))
		done <- result{objs, errs}
	}()
	select {
	case r := <-done:
		return r.objs, r.errs
	case <-time.After(d):
		t.Fatalf("Parse(%s) still running after %s", name, d)
		return nil, nil
	}
}

// TestMergeKeyBomb: merged pairs count against the object's expansion
// budget like aliases, so nine levels of <<: [*m8, *m8, ...] end at once
// with one issue at the merge key, instead of running for a minute and
// dying out of memory (issue 8, item 1).
func TestMergeKeyBomb(t *testing.T) {
	src := mergeBomb(9, 9)
	objs, errs := parseWithin(t, hangGuard, "bomb.yaml", src)
	if len(errs) > 0 || len(objs) != 1 || objs[0].Target == nil {
		t.Fatalf("objs %d, errs %v", len(objs), errs)
	}
	mergeLine := strings.Count(src, "\n") // the last line: "    <<: *m9"
	var tooBig []string
	for _, is := range objs[0].Target.Issues {
		if strings.Contains(is.Message, "too large") {
			tooBig = append(tooBig, fmt.Sprintf("%s %d:%d", is.Field, is.Line, is.Column))
		}
	}
	if want := fmt.Sprintf("metadata.labels %d:5", mergeLine); len(tooBig) != 1 || tooBig[0] != want {
		t.Errorf("too-large issues %q, want one at %q", tooBig, want)
	}
	// Locating a key the bomb does not have must not walk the expansion.
	start := time.Now()
	objs[0].Position("metadata.labels[absent]")
	if d := time.Since(start); d > time.Second {
		t.Errorf("Position took %s", d)
	}
}

// TestMergeKeysWithinBudget: merges that expand to a sane size still
// decode, with the budget spent on them.
func TestMergeKeysWithinBudget(t *testing.T) {
	objs, errs := Parse("m.yaml", []byte(mergeBomb(3, 4)))
	if len(errs) > 0 || len(objs) != 1 {
		t.Fatalf("objs %d, errs %v", len(objs), errs)
	}
	for _, is := range objs[0].Target.Issues {
		if strings.Contains(is.Message, "too large") {
			t.Errorf("unexpected issue %+v", is)
		}
	}
	labels := objs[0].Target.Meta.Labels
	for _, k := range []string{"a", "i", "k1", "k2", "k3"} {
		if _, ok := labels[k]; !ok {
			t.Errorf("merged label %q missing: %v", k, labels)
		}
	}
}

// TestDuplicateBombValues: each duplicate key renders both values to
// compare them; the rendering counts against the same budget, so many
// duplicates of an alias to a huge value stay cheap.
func TestDuplicateBombValues(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: example.com/v1\nkind: Widget\nx: &x [")
	b.WriteString(strings.TrimSuffix(strings.Repeat("big,", 200), ","))
	b.WriteString("]\ny: &y [*x,*x,*x,*x,*x,*x,*x,*x,*x,*x]\nz: &z [*y,*y,*y,*y,*y,*y,*y,*y,*y,*y]\nspec:\n")
	for range 2000 {
		b.WriteString("  k: *z\n")
	}
	objs, _ := parseWithin(t, hangGuard, "dup.yaml", b.String())
	if len(objs) != 1 || objs[0].Target == nil || len(objs[0].Target.Issues) == 0 {
		t.Fatalf("want the duplicate keys reported, got %d objects", len(objs))
	}
}

// TestReaderErrorLines: yaml.v3 rejects a NUL byte or invalid UTF-8
// without a line; podlint finds it (issue 8, item 5), and an error in a
// Helm "# Source:" chunk is placed in the stream, never at line 0 or -1.
func TestReaderErrorLines(t *testing.T) {
	tests := []struct {
		name, src string
		file      string
		line      int
		msg       string
	}{
		{"NUL on line 4", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\x00b\n", "in.yaml", 4, "control character U+0000 at column 10"},
		{"invalid UTF-8 on line 3", "apiVersion: v1\nkind: Pod\nmetadata: {name: \xff}\n", "in.yaml", 3, "invalid UTF-8 (byte 0xFF) at column 18"},
		{"ESC in a later document", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: \x1b[31m}\n", "in.yaml", 7, "U+001B"},
		// Errors in a Helm render stay in the stream that was read: the
		// "# Source:" template is a hint, never a position.
		{"bad byte in a Source chunk", "---\n# Source: chart/templates/a.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: \xfe\n", "in.yaml", 6, "byte 0xFE"},
		{"NUL right after the Source comment", "---\n# Source: chart/templates/a.yaml\n\x00\n", "in.yaml", 3, "U+0000"},
		{"error on the marker of a Source chunk", "---\n# Source: chart/templates/a.yaml\nkind: [\n", "in.yaml", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := Parse("in.yaml", []byte(tt.src))
			if len(errs) != 1 {
				t.Fatalf("errors %v, want one", errs)
			}
			e := errs[0]
			if e.Line < 1 {
				t.Fatalf("error at line %d: %v", e.Line, e)
			}
			if tt.msg == "" {
				return // only the line bound matters
			}
			if e.File != tt.file || e.Line != tt.line || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("error %s:%d: %s, want %s:%d: ...%s...", e.File, e.Line, e.Message, tt.file, tt.line, tt.msg)
			}
		})
	}
}

// TestJSONTrailingCommas: yaml.v3 reads JSON as flow YAML and accepts a
// trailing comma; kubectl's JSON decoder does not (issue 8, item 6). The
// object is still linted.
func TestJSONTrailingCommas(t *testing.T) {
	src := "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"p,}\", \"labels\": {\"a\": \"b\",}},\n  \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"nginx:1.27\"} , ]}\n}\n"
	objs, errs := Parse("p.json", []byte(src))
	if len(objs) != 1 || !objs[0].Known {
		t.Fatalf("the object must still be read: %d objects", len(objs))
	}
	if len(errs) != 1 {
		t.Fatalf("errors %v, want one", errs)
	}
	if e := errs[0]; e.Line != 4 || !strings.Contains(e.Message, "trailing comma at column 50 before '}'") || !strings.Contains(e.Message, "(1 more follows)") {
		t.Errorf("error %d: %s", e.Line, e.Message)
	}
	for _, ok := range []string{
		`{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": ",}", "b": "\",]"}}`,
		"{'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'c'}, 'data': {'a': ',}'}}",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b,}\n", // YAML flow style allows it
	} {
		if _, errs := Parse("ok.json", []byte(ok)); len(errs) > 0 {
			t.Errorf("%s: %v", ok, errs)
		}
	}
}
