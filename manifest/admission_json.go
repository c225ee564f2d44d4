package manifest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/util/validation/field"
	kjson "sigs.k8s.io/json"

	"github.com/podlint/podlint/checks"
)

// The admission fast path.
//
// The API server sends the object of an admission request as JSON it
// encoded itself from the typed object, so nearly every request is clean
// JSON with no unknown field, no duplicate key and no value of the wrong
// type. For those, building yaml.v3 node trees only to walk them once is
// most of a review's cost. parseAdmissionJSON decodes such an object with
// a strict JSON decoder (sigs.k8s.io/json with case-sensitive field names;
// unknown and repeated fields found by knownFieldsOnly, admission_fields.go)
// straight into the typed object,
// and keeps a flat index of the JSON tokens for the values as written.
//
// It takes an object only when it can tell that the CLI's decoder (the
// node-tree walk in decode.go) would read it into the same typed object
// with no schema issue. Anything else — an unknown or duplicate field, a
// wrong type, an unparseable quantity, a number where the walk would accept
// what JSON does not (replicas: 1.0), a kind podlint does not decode, a
// List, a patch directive, text YAML reads differently from JSON (NEL or
// line separators, lone surrogates, keys YAML cannot take as simple keys),
// an object too large or too deep for the walk's budgets — falls back to
// that decoder, which then reports exactly what the CLI reports. Schema
// issues therefore always come from one implementation; the fast path
// only ever skips work on objects that have none.
//
// TestParseAdmissionJSONAgrees and FuzzParseAdmissionJSON hold the two
// paths to the same target.

// Limits of the fast path; beyond them the YAML path decides.
const (
	// fastMaxBytes keeps every JSON value count below the node budget of
	// the YAML path (maxNodes), which counts a value once when it decodes
	// it and once more when it renders it for a json.Unmarshaler: a value
	// takes at least two bytes (one and a separator), so 512 KiB hold
	// fewer than maxNodes/2 values.
	fastMaxBytes = maxNodes / 2
	// fastMaxDepth keeps nesting well under the YAML path's maxDepth,
	// which counts a pointer and its value as two levels.
	fastMaxDepth = maxDepth / 2 / 2
	// fastMaxKey is below the 1,024 characters a YAML simple key may
	// span; a longer key parses differently there.
	fastMaxKey = 1000
)

// parseAdmissionJSON returns the target for a clean JSON object, or false
// when the YAML path must decide (see above).
func parseAdmissionJSON(data []byte) (*checks.Target, bool) {
	if len(data) > fastMaxBytes {
		return nil, false
	}
	toks, ok := scanJSON(data)
	if !ok || len(toks) == 0 || toks[0].kind != '{' {
		return nil, false
	}
	raw := &jsonRaw{data: data, toks: toks}
	apiVersion, ok1 := raw.topString("apiVersion")
	kind, ok2 := raw.topString("kind")
	if !ok1 || !ok2 {
		return nil, false
	}
	obj := newObject(apiVersion, kind)
	if obj == nil {
		return nil, false
	}
	if !raw.knownFieldsOnly(0, jsonTypeOf(reflect.TypeOf(obj))) {
		return nil, false
	}
	if err := kjson.UnmarshalCaseSensitivePreserveInts(data, obj); err != nil {
		return nil, false
	}
	t := checks.NewTarget(obj, apiVersion, kind)
	t.Raw = raw
	return t, true
}

// jtok is one JSON value in scan order. A container's members follow it;
// next skips them.
type jtok struct {
	start, end int32 // the value's text; strings with their quotes
	next       int32 // index of the first token after this value
	line, col  int32 // 1-based; columns count characters, as yaml.v3 does
	kind       byte  // '{', '[', '"', '0' (number), 't', 'f', 'n' (null)
	escaped    bool  // a string with backslash escapes
}

// scanJSON tokenizes data, which must be one JSON value and nothing the
// YAML path would read differently; false otherwise.
func scanJSON(data []byte) ([]jtok, bool) {
	s := jscanner{data: data, line: 1, col: 1, toks: make([]jtok, 0, len(data)/6+8)}
	if !s.value(0) {
		return nil, false
	}
	s.space()
	return s.toks, s.pos == len(s.data)
}

type jscanner struct {
	data      []byte
	pos       int
	line, col int
	toks      []jtok
}

func (s *jscanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t':
			s.col++
		case '\n':
			s.line, s.col = s.line+1, 0
		case '\r':
			// yaml.v3 counts CRLF and a lone CR as one line break each,
			// after the YAML path has turned every CRLF into LF: "\r\r\n"
			// reaches it as one CRLF, so a CR right before a CRLF is not a
			// break of its own.
			switch {
			case s.pos+2 < len(s.data) && s.data[s.pos+1] == '\r' && s.data[s.pos+2] == '\n':
				s.pos++
				continue
			case s.pos+1 < len(s.data) && s.data[s.pos+1] == '\n':
				s.pos++
			}
			s.line, s.col = s.line+1, 0
		default:
			return
		}
		s.pos++
		if s.col == 0 {
			s.col = 1
		}
	}
}

func (s *jscanner) open(kind byte) int {
	s.toks = append(s.toks, jtok{start: int32(s.pos), line: int32(s.line), col: int32(s.col), kind: kind})
	return len(s.toks) - 1
}

func (s *jscanner) value(depth int) bool {
	s.space()
	if s.pos >= len(s.data) || depth > fastMaxDepth {
		return false
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		return s.object(depth)
	case c == '[':
		return s.array(depth)
	case c == '"':
		_, ok := s.str()
		return ok
	case c == 't':
		return s.literal("true", 't')
	case c == 'f':
		return s.literal("false", 'f')
	case c == 'n':
		return s.literal("null", 'n')
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	}
	return false
}

func (s *jscanner) close(i int) {
	s.pos++
	s.col++
	s.toks[i].end = int32(s.pos)
	s.toks[i].next = int32(len(s.toks))
}

func (s *jscanner) object(depth int) bool {
	i := s.open('{')
	s.pos++
	s.col++
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.close(i)
		return true
	}
	for {
		s.space()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return false
		}
		k, ok := s.str()
		if !ok {
			return false
		}
		key := s.toks[k]
		s.space()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return false
		}
		// YAML takes a flow key as a simple key only on one line and
		// within 1,024 characters; patch directives ($patch, …) and
		// anything else starting with $ go to the YAML path, which
		// knows them.
		if s.line != int(key.line) || s.pos-int(key.start) > fastMaxKey ||
			key.end-key.start > 2 && s.data[key.start+1] == '$' {
			return false
		}
		s.pos++
		s.col++
		if more, ok := s.member(i, depth, '}'); !more {
			return ok
		}
	}
}

func (s *jscanner) array(depth int) bool {
	i := s.open('[')
	s.pos++
	s.col++
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.close(i)
		return true
	}
	for {
		if more, ok := s.member(i, depth, ']'); !more {
			return ok
		}
	}
}

// member reads one value of the container opened at token i and what
// follows it: a comma (more to come) or the closing bracket. ok is false
// for malformed JSON.
func (s *jscanner) member(i, depth int, closer byte) (more, ok bool) {
	if !s.value(depth + 1) {
		return false, false
	}
	s.space()
	if s.pos >= len(s.data) {
		return false, false
	}
	switch s.data[s.pos] {
	case ',':
		s.pos++
		s.col++
		return true, true
	case closer:
		s.close(i)
		return false, true
	}
	return false, false
}

func (s *jscanner) literal(word string, kind byte) bool {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(word)) {
		return false
	}
	i := s.open(kind)
	s.pos += len(word)
	s.col += len(word)
	s.toks[i].end = int32(s.pos)
	s.toks[i].next = int32(len(s.toks))
	return true
}

func (s *jscanner) number() bool {
	i := s.open('0')
	p := s.pos
	d := s.data
	digits := func() bool {
		start := p
		for p < len(d) && d[p] >= '0' && d[p] <= '9' {
			p++
		}
		return p > start
	}
	if d[p] == '-' {
		p++
	}
	if p < len(d) && d[p] == '0' {
		p++
	} else if !digits() {
		return false
	}
	if p < len(d) && d[p] == '.' {
		p++
		if !digits() {
			return false
		}
	}
	if p < len(d) && (d[p] == 'e' || d[p] == 'E') {
		p++
		if p < len(d) && (d[p] == '+' || d[p] == '-') {
			p++
		}
		if !digits() {
			return false
		}
	}
	s.col += p - s.pos
	s.pos = p
	s.toks[i].end = int32(p)
	s.toks[i].next = int32(len(s.toks))
	return true
}

// str scans a string and returns its token. It refuses what YAML reads
// differently: characters outside YAML's printable set, the line breaks
// YAML knows besides LF and CR (NEL, LS, PS) and a BOM written as is, and
// the escapes yaml.v3 rejects: "\/" and surrogates (paired or not).
func (s *jscanner) str() (int, bool) {
	i := s.open('"')
	d := s.data
	p := s.pos + 1
	col := s.col + 1
	for {
		if p >= len(d) {
			return 0, false
		}
		c := d[p]
		switch {
		case c == '"':
			p++
			col++
			s.toks[i].end = int32(p)
			s.toks[i].next = int32(len(s.toks))
			s.pos, s.col = p, col
			return i, true
		case c == '\\':
			s.toks[i].escaped = true
			if p+1 >= len(d) {
				return 0, false
			}
			switch d[p+1] {
			case '"', '\\', 'b', 'f', 'n', 'r', 't':
				// No "\/": valid JSON, but yaml.v3 rejects it.
				p += 2
				col += 2
			case 'u':
				if p+6 > len(d) {
					return 0, false
				}
				v, err := strconv.ParseUint(string(d[p+2:p+6]), 16, 32)
				if err != nil || v >= 0xD800 && v <= 0xDFFF {
					return 0, false
				}
				p += 6
				col += 6
			default:
				return 0, false
			}
		case c < 0x20 || c == 0x7F:
			return 0, false
		case c < utf8.RuneSelf:
			p++
			col++
		default:
			r, size := utf8.DecodeRune(d[p:])
			if r == utf8.RuneError && size <= 1 || !yamlChar(r) || r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xFEFF {
				return 0, false
			}
			p += size
			col++
		}
	}
}

// jsonRaw gives checks the scalars of a fast-path object as written,
// from its token index.
type jsonRaw struct {
	data []byte
	toks []jtok
}

var _ checks.ScalarSource = (*jsonRaw)(nil)

// member returns the token of key's value in the object at i (the last
// one, as the decoded object keeps it), or -1.
func (r *jsonRaw) member(i int, key string) int {
	found := -1
	end := int(r.toks[i].next)
	for k := i + 1; k < end; k = int(r.toks[k+1].next) {
		if r.keyIs(k, key) {
			found = k + 1
		}
	}
	return found
}

func (r *jsonRaw) keyIs(k int, key string) bool {
	t := r.toks[k]
	if !t.escaped {
		return string(r.data[t.start+1:t.end-1]) == key
	}
	return r.text(t) == key
}

// text is a scalar's text: a string's value, any other scalar as written.
func (r *jsonRaw) text(t jtok) string {
	b := r.data[t.start:t.end]
	if t.kind != '"' {
		return string(b)
	}
	if !t.escaped {
		return string(b[1 : len(b)-1])
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return string(b[1 : len(b)-1])
	}
	return s
}

// topString returns a top-level string member; ok is false when the value
// is not a string (the YAML path reports that), true with "" when absent.
func (r *jsonRaw) topString(key string) (string, bool) {
	i := r.member(0, key)
	if i < 0 {
		return "", true
	}
	if r.toks[i].kind != '"' {
		return "", false
	}
	return r.text(r.toks[i]), true
}

// Scalar finds a field path the way Object.walk does in a node tree: keys
// in objects (bracketed or not), indexes in arrays.
func (r *jsonRaw) Scalar(p *field.Path) (checks.Scalar, bool) {
	if p == nil {
		return checks.Scalar{}, false
	}
	i := 0
	ps := p.String()
	for at := 0; ; {
		e, next, ok := nextPathElem(ps, at)
		if !ok {
			break
		}
		at = next
		t := r.toks[i]
		switch t.kind {
		case '{':
			if i = r.member(i, e.name); i < 0 {
				return checks.Scalar{}, false
			}
		case '[':
			if e.index < 0 || !e.key {
				return checks.Scalar{}, false
			}
			k, end := i+1, int(t.next)
			for n := 0; n < e.index && k < end; n++ {
				k = int(r.toks[k].next)
			}
			if k >= end {
				return checks.Scalar{}, false
			}
			i = k
		default:
			return checks.Scalar{}, false
		}
	}
	t := r.toks[i]
	if t.kind == '{' || t.kind == '[' {
		return checks.Scalar{}, false
	}
	return checks.Scalar{Text: r.text(t), Tag: jsonTag(t.kind, r.data[t.start:t.end]), Line: int(t.line), Column: int(t.col)}, true
}

// jsonTag is the tag yaml.v3 resolves a JSON scalar to (see scalarTag).
func jsonTag(kind byte, text []byte) string {
	switch kind {
	case '"':
		return "!!str"
	case 't', 'f':
		return "!!bool"
	case 'n':
		return "!!null"
	}
	s := string(text)
	if _, err := strconv.ParseInt(s, 0, 64); err == nil {
		return "!!int"
	}
	if _, err := strconv.ParseUint(s, 0, 64); err == nil {
		return "!!int"
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return "!!float"
	}
	// Out of range (1e400): yaml.v3 leaves it a string.
	return "!!str"
}
