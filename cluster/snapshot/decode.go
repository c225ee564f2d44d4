package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/podlint/podlint/cluster"
	"github.com/podlint/podlint/manifest/jsonscan"
)

type listMeta struct {
	Annotations map[string]string `json:"annotations" yaml:"annotations"`
}

// unit is one object's source: JSON, or a YAML List item (its lines as in
// the file, the first starting with "- ") converted to JSON by the worker
// that decodes it.
type unit struct {
	src  []byte
	yaml bool
	// line is where a YAML item or document starts, for errors; JSON
	// straight from the file is placed by its byte offset instead.
	line int
}

// LoadFile reads a snapshot file into sink; see Decode.
func LoadFile(path string, sink Sink) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading cluster snapshot: %w", err)
	}
	return Decode(path, data, sink)
}

// Decode reads a snapshot into sink: a v1 List (as kubectl get -o
// yaml|json prints), a stream of YAML documents or JSON values, or single
// objects. Every object of a table kind goes to sink.Add, in file order;
// then the kinds the List annotation names, and the kinds of which at least
// one object appeared, are marked known in all namespaces.
//
// JSON is the fast path: a byte scanner splits the List into items, which
// are decoded on every core straight into the fields podlint keeps of
// their kind (cluster.Row Keep and Drop, applied to the bytes). kubectl's
// YAML Lists are split into items by their layout; on every core, a
// reader of the block YAML kubectl prints (blockReader) converts each
// item to the JSON of the kept fields, and yaml.v3 parses any item outside
// that layout (cut down to the kept lines when it can). YAML in any other
// layout is converted whole.
//
// Objects of kinds podlint does not read are skipped; the warnings say
// which. A malformed object is an error, and then sink receives nothing: a
// half-read snapshot would make present objects look absent.
func Decode(name string, data []byte, sink Sink) ([]string, error) {
	return decode(name, data, sink, true)
}

// decode is Decode; blockYAML false parses every YAML item with yaml.v3,
// the reference the tests hold the block reader to.
func decode(name string, data []byte, sink Sink, blockYAML bool) ([]string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	d := decoder{listed: map[cluster.Kind]bool{}}
	var err error
	if isJSON(data) {
		err = d.jsonStream(data)
	} else {
		err = d.yamlStream(data)
	}
	if err != nil {
		var pe *PositionError
		if errors.As(err, &pe) {
			pe.File = name
			return nil, pe
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	workers, err := decodeUnits(name, data, d.units, blockYAML)
	if err != nil {
		return nil, err
	}
	ignored := map[string]int{}
	for _, w := range workers {
		for _, o := range w.out {
			sink.Add(o.kind, o.obj)
			d.listed[o.kind] = true
		}
		for k, n := range w.ignored {
			ignored[k] += n
		}
	}
	for _, r := range cluster.Kinds() {
		if d.listed[r.Kind] {
			sink.MarkKnown(r.Kind, cluster.AllNamespaces)
		}
	}
	var warnings []string
	for _, k := range slices.Sorted(maps.Keys(ignored)) {
		warnings = append(warnings, fmt.Sprintf("%s: skipped %d object(s) of kind %s: podlint reads only %s from snapshots", name, ignored[k], k, kindList()))
	}
	return warnings, nil
}

func isJSON(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// decoder collects the units of a snapshot and the kinds its Lists declare.
type decoder struct {
	units  []unit
	listed map[cluster.Kind]bool
	// line is the first line of the YAML document being converted, for
	// the units it yields.
	line int
}

// jsonStream splits a JSON stream; an error is placed in data.
func (d *decoder) jsonStream(data []byte) error {
	err := d.jsonValues(data)
	var sc *jsonscan.Error
	var lm *listMetaError
	switch {
	case errors.As(err, &sc):
		return at("", data, sc.Input, 0, err)
	case errors.As(err, &lm):
		return at("", data, lm.meta, 0, err)
	}
	return err
}

func (d *decoder) jsonValues(data []byte) error {
	s := jsonscan.New(data)
	for {
		switch s.Peek() {
		case 0:
			return nil
		case '[':
			err := s.Array(func() error {
				v, err := s.Span()
				if err != nil {
					return err
				}
				return d.jsonValue(v)
			})
			if err != nil {
				return err
			}
		case '{':
			v, err := s.Span()
			if err != nil {
				return err
			}
			if err := d.jsonValue(v); err != nil {
				return err
			}
		default:
			return s.Errorf("expected an object or an array")
		}
	}
}

// jsonValue adds an object, or a List's items.
func (d *decoder) jsonValue(v []byte) error {
	var kind string
	var items [][]byte
	var meta []byte
	s := jsonscan.New(v)
	err := s.Object(func(key []byte) error {
		switch string(key) {
		case "kind":
			if s.Peek() == '"' {
				k, err := s.Raw()
				kind = string(k)
				return err
			}
		case "metadata":
			m, err := s.Span()
			meta = m
			return err
		case "items":
			if s.Peek() == '[' {
				return s.Array(func() error {
					item, err := s.Span()
					items = append(items, item)
					return err
				})
			}
		}
		return s.Skip()
	})
	if err != nil {
		return err
	}
	if !isList(kind) {
		d.units = append(d.units, unit{src: v, line: d.line})
		return nil
	}
	var lm listMeta
	if len(meta) > 0 {
		if err := json.Unmarshal(meta, &lm); err != nil {
			return &listMetaError{meta: meta, err: fmt.Errorf("List metadata: %w", err)}
		}
	}
	if err := d.listedKinds(lm); err != nil {
		return err
	}
	for _, item := range items {
		d.units = append(d.units, unit{src: item, line: d.line})
	}
	return nil
}

func isList(kind string) bool { return kind != "" && strings.HasSuffix(kind, "List") }

func (d *decoder) listedKinds(lm listMeta) error {
	for _, k := range strings.Split(lm.Annotations[ListedKindsAnnotation], ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		if _, ok := cluster.Lookup(cluster.Kind(k)); !ok {
			return fmt.Errorf("metadata.annotations[%s]: unknown kind %q (want %s)", ListedKindsAnnotation, k, kindList())
		}
		d.listed[cluster.Kind(k)] = true
	}
	return nil
}

// yamlStream splits a YAML stream into documents and kubectl-shaped Lists
// into items ("items:" at column 0 followed by "- " entries), so that the
// costly YAML parsing happens per item and in parallel. Items are slices
// of data, not copies.
func (d *decoder) yamlStream(data []byte) error {
	start, startLine, line := 0, 1, 1
	for off := 0; ; line++ {
		next := len(data)
		if e := bytes.IndexByte(data[off:], '\n'); e >= 0 {
			next = off + e + 1
		}
		end := off == len(data)
		if end || isDocSeparator(data[off:next]) {
			if err := d.yamlDoc(data[start:off], startLine); err != nil {
				var pe *PositionError
				if !errors.As(err, &pe) {
					err = &PositionError{Line: startLine, Offset: -1, Err: err}
				}
				return err
			}
			if end {
				return nil
			}
			start, startLine = next, line+1
		}
		off = next
	}
}

func isDocSeparator(l []byte) bool {
	l = bytes.TrimRight(l, " \t\r\n")
	return bytes.Equal(l, []byte("---")) || bytes.HasPrefix(l, []byte("--- ")) || bytes.Equal(l, []byte("..."))
}

func (d *decoder) yamlDoc(doc []byte, firstLine int) error {
	var header []byte
	var items []unit
	itemStart, itemLine := -1, 0
	inItems, sawItems := false, false
	flush := func(end int) {
		if itemStart >= 0 {
			items = append(items, unit{src: doc[itemStart:end:end], yaml: true, line: itemLine})
			itemStart = -1
		}
	}
	line := firstLine
	for off := 0; off < len(doc); line++ {
		next := len(doc)
		if e := bytes.IndexByte(doc[off:], '\n'); e >= 0 {
			next = off + e + 1
		}
		l := doc[off:next]
		switch {
		case inItems && bytes.HasPrefix(l, []byte("- ")):
			flush(off)
			itemStart, itemLine = off, line
		case inItems && (bytes.HasPrefix(l, []byte("  ")) || len(bytes.TrimSpace(l)) == 0):
			if itemStart < 0 {
				return d.yamlWhole(doc, firstLine)
			}
		case bytes.Equal(bytes.TrimRight(l, " \t\r\n"), []byte("items:")):
			flush(off)
			inItems, sawItems = true, true
		default:
			// Top-level keys, and the lines of blocks under them (the
			// List's metadata after its items).
			flush(off)
			inItems = false
			header = append(header, l...)
		}
		off = next
	}
	flush(len(doc))
	if !sawItems {
		return d.yamlWhole(doc, firstLine)
	}
	var h struct {
		Kind     string   `yaml:"kind"`
		Metadata listMeta `yaml:"metadata"`
	}
	if err := yaml.Unmarshal(header, &h); err != nil || !isList(h.Kind) {
		return d.yamlWhole(doc, firstLine)
	}
	if err := d.listedKinds(h.Metadata); err != nil {
		return err
	}
	d.units = append(d.units, items...)
	return nil
}

// yamlWhole converts a document in any layout to JSON at once.
func (d *decoder) yamlWhole(doc []byte, firstLine int) error {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil
	}
	j, err := yamlToJSON(doc)
	if err != nil {
		line, err := yamlPos(err, doc, firstLine)
		return &PositionError{Line: line, Offset: -1, Err: err}
	}
	if j == nil {
		return nil
	}
	d.line = firstLine
	defer func() { d.line = 0 }()
	return d.jsonValue(j)
}

// yamlToJSON converts one YAML document; nil for an empty one.
func yamlToJSON(doc []byte) ([]byte, error) {
	var v any
	if err := yaml.Unmarshal(doc, &v); err != nil {
		return nil, fmt.Errorf("invalid YAML: %w", err)
	}
	if v == nil {
		return nil, nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("converting YAML to JSON: %w", err)
	}
	return j, nil
}

// worker decodes one share of a snapshot's units, in order.
type worker struct {
	kinds   *kinds
	out     []decoded
	ignored map[string]int
	// buf holds the pruned bytes of the object being decoded;
	// json.Unmarshal copies what it keeps, so it is reused.
	buf []byte
	// blockYAML enables the block reader for YAML items; it writes the
	// item's JSON to jbuf.
	blockYAML bool
	block     blockReader
	jbuf      []byte
}

type decoded struct {
	kind cluster.Kind
	obj  cluster.Object
}

// decodeUnits decodes units on every core: decoding is the whole cost of a
// large snapshot, and objects are independent. The workers' shares are in
// file order. An error is placed in the file (name, data) as a
// *PositionError.
func decodeUnits(name string, data []byte, units []unit, blockYAML bool) ([]*worker, error) {
	n := min(runtime.GOMAXPROCS(0), max(1, len(units)/256))
	workers := make([]*worker, n)
	errs := make([]error, n)
	chunk := (len(units) + n - 1) / n
	k := newKinds()
	var wg sync.WaitGroup
	for i := range n {
		w := &worker{kinds: k, ignored: map[string]int{}, blockYAML: blockYAML}
		workers[i] = w
		lo, hi := min(i*chunk, len(units)), min((i+1)*chunk, len(units))
		wg.Go(func() {
			for j := lo; j < hi; j++ {
				if err := w.unit(units[j]); err != nil {
					u := units[j]
					if u.yaml {
						line, err := yamlPos(err, u.src, u.line)
						errs[i] = &PositionError{File: name, Line: line, Offset: -1, Err: fmt.Errorf("item: %w", err)}
					} else {
						errs[i] = at(name, data, u.src, u.line, fmt.Errorf("object %d: %w", j+1, err))
					}
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return workers, nil
}

func (w *worker) unit(u unit) error {
	src := u.src
	if u.yaml {
		f := w.kinds.lookup(itemType(src))
		// kubectl's layout, read without the YAML parser: the bulk of a
		// YAML snapshot.
		if f != nil && w.blockYAML {
			if j, ok := w.block.convert(w.jbuf[:0], src, f.tree, f.keep); ok {
				w.jbuf = j
				if w.decodeObject(j, true) == nil {
					return nil
				}
			}
		}
		// Anything else goes through yaml.v3, the item re-indented as a
		// document.
		src = append([]byte("  "), src[2:]...)
		// Most of a YAML snapshot is pods, Secrets and ConfigMaps, of which
		// podlint keeps a few lines: parse only those when the layout is
		// kubectl's, and the whole item otherwise or if that fails.
		if f != nil {
			if slim := slimYAML(src, f.tree, f.keep); slim != nil {
				if j, err := yamlToJSON(slim); err == nil && j != nil && w.object(j) == nil {
					return nil
				}
			}
		}
		j, err := yamlToJSON(src)
		if err != nil || j == nil {
			return err
		}
		src = j
	}
	return w.object(src)
}

// object decodes one JSON object into the fields podlint keeps of its
// kind; it adds nothing when it fails.
func (w *worker) object(src []byte) error { return w.decodeObject(src, false) }

// decodeObject is object; pruned says src holds only the fields kept
// already (the block reader's output).
func (w *worker) decodeObject(src []byte, pruned bool) error {
	apiVersion, kind, err := jsonscan.TypeOf(src)
	if err != nil {
		return err
	}
	f := w.kinds.lookup(apiVersion, kind)
	if f == nil {
		w.ignored[apiVersion+" "+kind]++
		return nil
	}
	kept := src
	if !pruned {
		if w.buf, err = f.prune(w.buf[:0], src); err != nil {
			return err
		}
		kept = w.buf
	}
	obj := f.row.New()
	if err := json.Unmarshal(kept, obj); err != nil {
		return err
	}
	if obj.GetName() == "" {
		return errors.New("object without metadata.name")
	}
	w.out = append(w.out, decoded{f.row.Kind, obj})
	return nil
}
