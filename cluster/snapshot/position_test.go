package snapshot

import (
	"errors"
	"strings"
	"testing"

	"github.com/podlint/podlint/cluster"
)

// TestDecodeErrorPositions: a snapshot error names its line and, for JSON,
// its byte offset, so that a 200 MB single-line kubectl -o json output can
// still be fixed (issue 8, item 9). An object's own errors are placed at
// the start of that object: it is decoded from the bytes podlint keeps of
// it, not from the file.
func TestDecodeErrorPositions(t *testing.T) {
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
			1, int64(24 + len(node) + 1), "object 2: json: cannot unmarshal string into Go struct field NodeSpec.spec.unschedulable of type bool"},
		{"syntax error in an item on line 4", "{\"kind\":\"List\",\n\"items\":[\n" + node + ",\n{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n2\",}}]}",
			// At the '}' after the trailing comma.
			4, int64(26 + len(node) + 2 + 57), "object 2: invalid JSON: expected a string"},
		{"scanner error", `{"kind":"List","items":[` + node + ` x]}`, 1, int64(24 + len(node) + 1), "invalid JSON: expected ',' or ']' in array"},
		{"bad list metadata", `{"kind":"List","metadata":{"annotations":7},"items":[]}`, 1, 26, "List metadata"},
		{"YAML item", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata: {name: n1}\n- apiVersion: v1\n  kind: Node\n  metadata: {name: [n2}\n",
			9, -1, "item: invalid YAML: yaml: did not find expected ',' or ']'"},
		{"YAML item of the wrong type", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata: {name: n1}\n  spec: {unschedulable: maybe}\n",
			4, -1, "item: json: cannot unmarshal"},
		{"YAML document", "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n---\napiVersion: v1\nkind: Node\nmetadata:\n  name: [n2\n",
			8, -1, "invalid YAML: yaml: did not find expected ',' or ']'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode("snap", []byte(tt.data), cluster.New())
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
