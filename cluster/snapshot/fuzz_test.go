package snapshot

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/podlint/podlint/cluster"
)

// FuzzDecodeSnapshot feeds arbitrary bytes to the snapshot parser: it may
// refuse them, but it must not panic, and what it accepts must feed a
// store and a snapshot that can be written.
func FuzzDecodeSnapshot(f *testing.F) {
	seeds := []string{
		"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata: {name: n1, labels: {a: b}}\n",
		`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"x"},"type":"Opaque","data":{"k":"dg=="}}]}`,
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\n",
		"\xef\xbb\xbf[{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"c\"}}]",
		"items: [",
		`{"kind":"List","items":[{"apiVersion":"v1","kind":"Node","metadata":{"name":"n",}},]}`,
		"{\"kind\":\"List\",\n\"items\":[{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n\"},\"spec\":{\"unschedulable\":1}}]}",
		"apiVersion: v1\nkind: List\nitems:\n- kind: Node\n  metadata: {name: [n}\n",
		"a: &a {<<: [*a]}\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		snap := New()
		if _, err := Decode("fuzz.yaml", data, Tee(cluster.New(), snap)); err != nil {
			// A position, when there is one, is inside the input.
			var pe *PositionError
			if errors.As(err, &pe) && (pe.Offset > int64(len(data)) || pe.Line < 0 || pe.Line > bytes.Count(data, []byte("\n"))+1) {
				t.Fatalf("error outside the input (%d bytes, %d lines): %v", len(data), bytes.Count(data, []byte("\n"))+1, err)
			}
			return
		}
		if err := snap.Write(io.Discard, JSON); err != nil {
			t.Fatalf("accepted, but cannot be written: %v", err)
		}
	})
}
