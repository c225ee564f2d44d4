package snapshot

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/podlint/podlint/cluster"
)

// FuzzDecodeSnapshot feeds arbitrary bytes to the snapshot parser: it may
// refuse them, but it must not panic, what it accepts must feed a store
// and a snapshot that can be written, and the YAML block reader must not
// change the outcome (the same snapshot, or the same error).
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
	f.Add(mustRead(f, "testdata/kubectl-list.yaml"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if fast, ref := loadBothWays(t, data); fast != ref {
			t.Fatalf("block reader and yaml.v3 load differently:\nblock:   %s\nyaml.v3: %s", fast, ref)
		}
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

// FuzzBlockYAML holds the block reader to yaml.v3 on arbitrary List items:
// it may decline any item, but an item it reads must be one yaml.v3
// reads, with the same fields kept, under every kind's field tree.
func FuzzBlockYAML(f *testing.F) {
	for _, item := range fuzzSeedItems(f) {
		f.Add(item)
	}
	f.Add([]byte("- apiVersion: v1\r\n  kind: Pod\r\n  metadata:\r\n    name: \"p\\u00e9\"\r\n    labels: {}\r\n"))
	f.Add([]byte("- a: |\n    x\n\n    y\n  b: >-\n    p\n    q\n  c:\n  - - 1\n    - '2'\n  -\n    d: ~\n"))
	trees := allTrees()
	f.Fuzz(func(t *testing.T, item []byte) {
		if !bytes.HasPrefix(item, []byte("- ")) {
			return
		}
		var r blockReader
		blockMatchesYAMLv3(t, &r, item, trees...)
	})
}
