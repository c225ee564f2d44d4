package snapshot

import (
	"encoding/json"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podlint/podlint/cluster"
	"github.com/podlint/podlint/manifest/jsonscan"
)

// ListedKindsAnnotation, on a snapshot's top-level List, names the kinds
// that were listed completely (comma-separated kind names), including the
// ones that came back empty. podlint --write-snapshot sets it; plain kubectl
// output has no such annotation, and then a kind counts as listed only when
// at least one object of it appears.
const ListedKindsAnnotation = "podlint.io/listed-kinds"

// Sink receives what a source read: objects of table kinds, then the kinds
// that were listed completely (always in AllNamespaces). A *cluster.Store
// is one; a *Snapshot is one when what was read is to be written.
type Sink interface {
	Add(k cluster.Kind, o cluster.Object)
	MarkKnown(k cluster.Kind, namespace string)
}

// Tee returns a Sink that feeds every sink, in order.
func Tee(sinks ...Sink) Sink { return tee(sinks) }

type tee []Sink

func (t tee) Add(k cluster.Kind, o cluster.Object) {
	for _, s := range t {
		s.Add(k, o)
	}
}

func (t tee) MarkKnown(k cluster.Kind, namespace string) {
	for _, s := range t {
		s.MarkKnown(k, namespace)
	}
}

// Snapshot holds cluster knowledge for writing (podlint --live
// --write-snapshot): each object encoded as podlint keeps it, and the kinds
// listed completely. It holds no Secret data: a Secret is kept as its name
// and type.
type Snapshot struct {
	kinds  *kinds
	listed map[cluster.Kind]bool
	items  map[cluster.Kind][]item
	// err is the first object that could not be encoded; Write returns it.
	err error
}

type item struct {
	namespace, name string
	json            []byte
}

// New returns an empty snapshot with no kind listed.
func New() *Snapshot {
	return &Snapshot{kinds: newKinds(), listed: map[cluster.Kind]bool{}, items: map[cluster.Kind][]item{}}
}

// Add encodes o as podlint keeps objects of kind k. Objects of kinds
// outside the table are ignored.
func (s *Snapshot) Add(k cluster.Kind, o cluster.Object) {
	f := s.kinds.byKind[k]
	if f == nil {
		return
	}
	if f.row.KeysOnly != nil {
		// Values never reach a snapshot file, whatever the source kept.
		c, ok := o.DeepCopyObject().(cluster.Object)
		if ok {
			f.row.Strip(c)
			o = c
		}
	}
	o.GetObjectKind().SetGroupVersionKind(f.row.GroupVersionKind())
	b, err := json.Marshal(o)
	if err == nil {
		b, err = f.prune(nil, b)
	}
	if err != nil {
		if s.err == nil {
			s.err = err
		}
		return
	}
	s.items[k] = append(s.items[k], item{o.GetNamespace(), o.GetName(), b})
}

// MarkKnown records that kind k was listed completely. Snapshots are
// cluster-wide lists, so the namespace is not recorded.
func (s *Snapshot) MarkKnown(k cluster.Kind, _ string) {
	s.listed[k] = true
}

// Listed returns the kinds listed completely, in table order.
func (s *Snapshot) Listed() []cluster.Kind {
	var out []cluster.Kind
	for _, r := range cluster.Kinds() {
		if s.listed[r.Kind] {
			out = append(out, r.Kind)
		}
	}
	return out
}

// Len counts the objects the snapshot holds.
func (s *Snapshot) Len() int {
	n := 0
	for _, items := range s.items {
		n += len(items)
	}
	return n
}

// fields is what podlint keeps of one kind of the table, as a tree of
// JSON field names: the fields kept (keep) or the fields dropped.
type fields struct {
	row  cluster.Row
	tree fieldTree
	keep bool
}

// fieldTree maps a field name to the tree below it; nil for a leaf (the
// whole value is kept or dropped).
type fieldTree map[string]fieldTree

func (t fieldTree) add(path []string) {
	sub, ok := t[path[0]]
	switch {
	case len(path) == 1:
		t[path[0]] = nil
	case ok && sub == nil:
		// The whole value is already kept or dropped.
	default:
		if sub == nil {
			sub = fieldTree{}
			t[path[0]] = sub
		}
		sub.add(path[1:])
	}
}

func fieldsOf(r cluster.Row) *fields {
	f := &fields{row: r, tree: fieldTree{}, keep: r.Keep != nil}
	paths := append([]string{"metadata.managedFields"}, r.Drop...)
	if f.keep {
		paths = append([]string{"apiVersion", "kind"}, r.Keep...)
	}
	for _, p := range paths {
		f.tree.add(strings.Split(p, "."))
	}
	return f
}

// prune appends to dst the JSON object src with only what podlint keeps.
func (f *fields) prune(dst, src []byte) ([]byte, error) {
	return prune(jsonscan.New(src), dst, f.tree, f.keep)
}

// kinds indexes the table's rows, with their fields, for the decoder and
// the writer.
type kinds struct {
	byKind map[cluster.Kind]*fields
	byGK   map[schema.GroupKind]*fields
}

func newKinds() *kinds {
	k := &kinds{byKind: map[cluster.Kind]*fields{}, byGK: map[schema.GroupKind]*fields{}}
	for _, r := range cluster.Kinds() {
		f := fieldsOf(r)
		k.byKind[r.Kind] = f
		k.byGK[r.GroupVersionKind().GroupKind()] = f
	}
	return k
}

// lookup finds the row of an apiVersion and kind; any version of the
// row's group is read.
func (k *kinds) lookup(apiVersion, kind string) *fields {
	g, _, ok := strings.Cut(apiVersion, "/")
	if !ok {
		g = ""
	}
	return k.byGK[schema.GroupKind{Group: g, Kind: kind}]
}

func kindList() string {
	var names []string
	for _, r := range cluster.Kinds() {
		names = append(names, string(r.Kind))
	}
	return strings.Join(names, ", ")
}
