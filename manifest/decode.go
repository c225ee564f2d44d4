package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlint/podlint/checks"
)

// Error is a document that could not be parsed.
type Error struct {
	File    string
	Line    int
	Message string
}

func (e Error) Error() string {
	if e.Line > 0 {
		return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Message
	}
	return e.File + ": " + e.Message
}

// Object is one Kubernetes object read from a stream, with its positions.
type Object struct {
	// Target is what the checks see. For an unknown kind it is nil, or
	// set only to carry the object's duplicate keys as schema issues.
	Target *checks.Target
	// Ref names the object as written, also for unknown kinds.
	Ref checks.ObjectRef
	// File is where findings go: the name the stream was parsed under.
	File string
	// Rendered is the template a Helm "# Source:" comment names for the
	// document. It is a hint for messages, never a position: the value a
	// finding is about may come from another template (_helpers.tpl) or
	// from a value rendered lines further down.
	Rendered string
	// Known is false for kinds podlint does not decode (CRDs, removed
	// API versions, documents that are not Kubernetes objects) and for
	// patches.
	Known bool
	// Patch marks a document with a top-level "$patch" key (a kustomize
	// strategic-merge patch such as "$patch: delete"): not an object.
	Patch bool

	root *yaml.Node
	// lineDelta turns a node's line (relative to its chunk) into the
	// reported line.
	lineDelta int
}

// Parse reads every object of a YAML or JSON stream. Errors locate the
// documents that could not be parsed; the other documents are still
// returned. Empty documents are skipped.
func Parse(name string, data []byte) ([]*Object, []Error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(data, '\r') >= 0 {
		// Line numbers do not change; yaml.v3 would otherwise keep the
		// carriage returns inside multi-line scalars.
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	}
	if looksLikeJSON(data) {
		// JSON allows tabs as whitespace where YAML's block context does
		// not; inside JSON strings a tab is always escaped, so replacing
		// them keeps every value and every column.
		data = bytes.ReplaceAll(data, []byte("\t"), []byte(" "))
	}
	var commaErrs []Error
	if looksLikeJSON(data) {
		commaErrs = trailingCommas(name, data)
	}
	chunks := splitDocuments(data)
	results := make([]parser, len(chunks))
	workers := min(runtime.GOMAXPROCS(0), len(chunks))
	if workers > 1 && len(data) >= parallelBytes {
		// One big stream (helm template output, a rendered bundle) would
		// otherwise decode on one core; documents are independent.
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for i := int(next.Add(1)) - 1; i < len(chunks); i = int(next.Add(1)) - 1 {
					results[i] = parseChunk(name, chunks[i])
				}
			})
		}
		wg.Wait()
	} else {
		for i, c := range chunks {
			results[i] = parseChunk(name, c)
		}
	}
	var objs []*Object
	errs := commaErrs
	for _, r := range results {
		objs = append(objs, r.objs...)
		errs = append(errs, r.errs...)
	}
	return objs, errs
}

// parallelBytes is the stream size from which Parse decodes documents on
// all cores; below it the goroutines cost more than they save, and a run
// over many files already decodes files in parallel.
const parallelBytes = 1 << 20

// parseChunk decodes the documents of one chunk, in order.
func parseChunk(name string, c chunk) parser {
	out := parser{file: name, rendered: c.source, delta: c.start - 1}
	dec := yaml.NewDecoder(bytes.NewReader(c.text))
	for {
		var doc yaml.Node
		err := safeDecode(dec, &doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, msg := errorLine(err)
			if line == 0 {
				// yaml.v3's reader (bad UTF-8, control characters) gives
				// no line; find the offending byte ourselves.
				if l, m, ok := badChar(c.text); ok {
					line, msg = l, m
				}
			}
			// yaml.v3 may place an error at the end of the chunk,
			// which is the next document's "---" line.
			line = max(1, min(line, c.lastLine()))
			out.errs = append(out.errs, c.errorAt(name, line, msg))
			break
		}
		if len(doc.Content) == 0 {
			continue
		}
		out.document(doc.Content[0])
	}
	return out
}

// safeDecode turns a panic inside the YAML parser into an error: podlint
// must survive any input, and one bad document must not cost the others.
func safeDecode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml parser failed: %v", r)
		}
	}()
	return dec.Decode(n)
}

var lineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func errorLine(err error) (int, string) {
	msg := err.Error()
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		if parserErrors[m[2]] {
			// yaml.v3 reports parser (not scanner) errors with a
			// 0-based line.
			n++
		}
		return n, m[2]
	}
	return 0, strings.TrimPrefix(msg, "yaml: ")
}

// parserErrors are yaml.v3's parser messages; its scanner's differ.
var parserErrors = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

func looksLikeJSON(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\n")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// trailingCommas reports a comma before a closing bracket in JSON input.
// The YAML parser reads JSON as YAML flow style, which allows it, but
// kubectl reads JSON with a JSON decoder and rejects the file. The objects
// are still linted. One error names the first comma and counts the others.
func trailingCommas(name string, data []byte) []Error {
	first, firstLine, firstCol, n := byte(0), 0, 0, 0
	line, lineStart := 1, 0
	var quote byte
	for i := 0; i < len(data); i++ {
		b := data[i]
		if b == '\n' {
			line, lineStart = line+1, i+1
		}
		switch {
		case quote == '"' && b == '\\':
			i++
		case quote != 0:
			if b == quote {
				quote = 0
			}
		case b == '"' || b == '\'':
			// Single quotes are no JSON, but flow-style YAML that starts
			// with a brace uses them.
			quote = b
		case b == ',':
			j := i + 1
			for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\n' || data[j] == '\r') {
				j++
			}
			if j < len(data) && (data[j] == '}' || data[j] == ']') {
				if n == 0 {
					first, firstLine, firstCol = data[j], line, i-lineStart+1
				}
				n++
			}
		}
	}
	if n == 0 {
		return nil
	}
	msg := fmt.Sprintf("trailing comma at column %d before '%c': JSON does not allow it, and kubectl rejects the file", firstCol, first)
	switch {
	case n == 2:
		msg += " (1 more follows)"
	case n > 2:
		msg += fmt.Sprintf(" (%d more follow)", n-1)
	}
	return []Error{{File: name, Line: firstLine, Message: msg}}
}

type chunk struct {
	text  []byte
	start int // line of text's first line in the stream (1-based)
	// source is the Helm template named by a "# Source:" comment before
	// the document's content.
	source string
}

// splitDocuments cuts the stream at document markers so that each
// document parses on its own: a syntax error then costs only its own
// document. A column-0 "---" always starts a document in YAML, even inside
// a block scalar, so cutting there never changes what a document means.
// Chunks with nothing but comments and directives are joined to the next.
func splitDocuments(data []byte) []chunk {
	var out []chunk
	cur := chunk{start: 1}
	begin := 0
	content := false
	line := 1
	flush := func(end, nextStart, nextLine int) {
		if content {
			cur.text = data[begin:end]
			out = append(out, cur)
			cur = chunk{start: nextLine}
			begin = nextStart
			content = false
		}
	}
	for off := 0; off < len(data); line++ {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end < 0 {
			end = len(data)
		} else {
			end += off
			next = end + 1
		}
		l := data[off:end]
		switch {
		case isMarker(l, "---"):
			// The marker line opens the next chunk, so its lines count
			// from the marker.
			flush(off, off, line)
		case isMarker(l, "..."):
			flush(next, next, line+1)
			if !content {
				// A "..." after comments alone: drop them with it.
				begin, cur = next, chunk{start: line + 1}
			}
		default:
			t := bytes.TrimLeft(l, " \t")
			switch {
			case len(t) == 0:
			case t[0] == '#':
				if !content {
					if src, ok := bytes.CutPrefix(t, []byte("# Source: ")); ok {
						cur.source = string(bytes.TrimSpace(src))
					}
				}
			case t[0] == '%' && len(t) == len(l):
			default:
				content = true
			}
		}
		off = next
	}
	flush(len(data), len(data), line)
	return out
}

// errorAt places an error at a line of the chunk, in the stream that was
// read (a Helm "# Source:" comment names a template, never a position),
// and never at line 0 or before it.
func (c chunk) errorAt(stream string, line int, msg string) Error {
	return Error{File: stream, Line: max(1, c.start-1+line), Message: msg}
}

// badChar finds the first character YAML does not accept (what yaml.v3's
// reader rejects without saying where) and returns its line and a message
// naming it and its column.
func badChar(text []byte) (line int, msg string, ok bool) {
	line, col := 1, 1
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return line, fmt.Sprintf("invalid UTF-8 (byte 0x%02X) at column %d: manifests must be UTF-8 text", text[i], col), true
		case r == '\n':
			line, col = line+1, 0
		case !yamlChar(r):
			return line, fmt.Sprintf("control character %U at column %d: YAML does not allow it in a document", r, col), true
		}
		i += size
		col++
	}
	return 0, "", false
}

// yamlChar is YAML 1.2's c-printable, the characters yaml.v3 reads.
func yamlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0x7E || r == 0x85 ||
		r >= 0xA0 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// lastLine is the chunk's last line with content (1-based, in the chunk).
func (c chunk) lastLine() int {
	return bytes.Count(bytes.TrimRight(c.text, " \t\n"), []byte("\n")) + 1
}

func isMarker(l []byte, m string) bool {
	if !bytes.HasPrefix(l, []byte(m)) {
		return false
	}
	return len(l) == 3 || l[3] == ' ' || l[3] == '\t'
}

// parser turns one document into objects.
type parser struct {
	file, rendered string
	delta          int
	objs           []*Object
	errs           []Error
}

func (p *parser) document(n *yaml.Node) {
	n = deref(n)
	if n == nil {
		return
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return
	}
	if n.Kind != yaml.MappingNode {
		what := "a scalar"
		if n.Kind == yaml.SequenceNode {
			what = "a list"
		}
		p.errs = append(p.errs, Error{File: p.file, Line: n.Line + p.delta,
			Message: "document is " + what + ", not a Kubernetes object"})
		return
	}
	apiVersion := scalarField(n, "apiVersion")
	kind := scalarField(n, "kind")
	if items := mapValue(n, "items"); items != nil && strings.HasSuffix(kind, "List") {
		if items = deref(items); items.Kind == yaml.SequenceNode {
			p.list(apiVersion, strings.TrimSuffix(kind, "List"), items)
			return
		}
	}
	p.object(n, apiVersion, kind)
}

// list expands kind: List (items carry their own kind) and typed lists
// such as DeploymentList (items may leave kind out).
func (p *parser) list(apiVersion, itemKind string, items *yaml.Node) {
	for _, it := range items.Content {
		it = deref(it)
		if it == nil || (it.Kind == yaml.ScalarNode && it.ShortTag() == "!!null") {
			continue
		}
		if it.Kind != yaml.MappingNode {
			p.errs = append(p.errs, Error{File: p.file, Line: it.Line + p.delta, Message: "list item is not a Kubernetes object"})
			continue
		}
		av, k := scalarField(it, "apiVersion"), scalarField(it, "kind")
		if itemKind != "" {
			if av == "" {
				av = apiVersion
			}
			if k == "" {
				k = itemKind
			}
		}
		p.object(it, av, k)
	}
}

func (p *parser) object(n *yaml.Node, apiVersion, kind string) {
	o := &Object{File: p.file, Rendered: p.rendered, root: n, lineDelta: p.delta}
	o.Ref = checks.ObjectRef{APIVersion: apiVersion, Kind: kind}
	if md := mapValue(n, "metadata"); md != nil {
		if md = deref(md); md.Kind == yaml.MappingNode {
			o.Ref.Name, o.Ref.Namespace = scalarField(md, "name"), scalarField(md, "namespace")
		}
	}
	if patchDirective(n, 0) {
		// "$patch: delete" at the top, or a strategic-merge directive
		// inside: a kustomize patch, which kubectl would refuse as an
		// object. Not linted.
		o.Patch = true
		o.root = &yaml.Node{Kind: n.Kind, Tag: n.Tag, Line: n.Line, Column: n.Column}
		p.objs = append(p.objs, o)
		return
	}
	if obj := newObject(apiVersion, kind); obj != nil {
		d := &decoder{delta: p.delta}
		d.decodeRoot(n, obj)
		t := checks.NewTarget(obj, apiVersion, kind)
		t.Raw = rawSource{o}
		t.Issues = d.issues
		o.Target, o.Known = t, true
		o.Ref = t.Ref
	} else {
		// Duplicate keys lose data whatever the kind (a custom resource
		// with two "requests:" blocks), so they are the one thing
		// reported inside objects podlint does not otherwise read.
		d := &decoder{delta: p.delta}
		d.duplicateKeys(n, 0)
		if len(d.issues) > 0 {
			meta := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: o.Ref.Name, Namespace: o.Ref.Namespace}}
			o.Target = checks.NewTarget(meta, apiVersion, kind)
			o.Target.Issues = d.issues
			// Raw never nil: whoever reads a scalar gets "not found".
			o.Target.Raw = rawSource{o}
		}
		// No check looks inside an object podlint does not know, and
		// these are the big ones (CRDs with their schemas, custom
		// resources): keep only where the object starts, so a long
		// stream does not hold every node tree until the run ends.
		o.root = &yaml.Node{Kind: n.Kind, Tag: n.Tag, Line: n.Line, Column: n.Column}
	}
	p.objs = append(p.objs, o)
}

// patchDirective tells whether a document holds a strategic-merge patch
// directive ($patch, $retainKeys, $setElementOrder/...,
// $deleteFromPrimitiveList/...): keys no API object has, which only
// patches carry.
func patchDirective(n *yaml.Node, depth int) bool {
	if n == nil || depth > 64 {
		return false
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind == yaml.ScalarNode && strings.HasPrefix(k.Value, "$") && (k.Value == "$patch" || k.Value == "$retainKeys" ||
				strings.HasPrefix(k.Value, "$setElementOrder/") || strings.HasPrefix(k.Value, "$deleteFromPrimitiveList/")) {
				return true
			}
			if patchDirective(n.Content[i+1], depth+1) {
				return true
			}
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if patchDirective(c, depth+1) {
				return true
			}
		}
	}
	return false
}

// field returns the value of key in mapping n (the last one when the key
// is repeated, as the decoded object keeps the last value).
func mapValue(n *yaml.Node, key string) *yaml.Node {
	var v *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			v = n.Content[i+1]
		}
	}
	return v
}

func scalarField(n *yaml.Node, key string) string {
	v := deref(mapValue(n, key))
	if v == nil || v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
		return ""
	}
	return v.Value
}

// deref follows aliases (bounded: yaml.v3 rejects alias cycles, but a
// chain of aliases is still possible).
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}
