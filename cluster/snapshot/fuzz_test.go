package snapshot

import (
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
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		snap := New()
		if _, err := Decode("fuzz.yaml", data, Tee(cluster.New(), snap)); err != nil {
			return
		}
		if err := snap.Write(io.Discard, JSON); err != nil {
			t.Fatalf("accepted, but cannot be written: %v", err)
		}
	})
}
