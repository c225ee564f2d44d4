package manifest

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/podlint/podlint/checks"
)

// parsePath splits a field path in field.Path syntax
// (spec.containers[0].resources.limits[memory]). Brackets hold an index
// for sequences or a key for mappings; which one is decided by the node
// the path meets, so "[0]" can also be a mapping key.
func parsePath(p string) []pathElem {
	var out []pathElem
	for at := 0; ; {
		e, next, ok := nextPathElem(p, at)
		if !ok {
			return out
		}
		out = append(out, e)
		at = next
	}
}

// nextPathElem is parsePath one element at a time, from offset at,
// without allocating (the admission fast path walks paths this way): the element, where the next one starts, and false at
// the end.
func nextPathElem(p string, at int) (pathElem, int, bool) {
	for at < len(p) && p[at] == '.' {
		at++
	}
	if at >= len(p) {
		return pathElem{}, at, false
	}
	if p[at] == '[' {
		end := strings.IndexByte(p[at:], ']')
		if end < 0 {
			return pathElem{name: p[at+1:], index: -1, key: true}, len(p), true
		}
		k := p[at+1 : at+end]
		idx := -1
		if n, err := strconv.Atoi(k); err == nil && n >= 0 {
			idx = n
		}
		return pathElem{name: k, index: idx, key: true}, at + end + 1, true
	}
	end := strings.IndexAny(p[at:], ".[")
	if end < 0 {
		end = len(p) - at
	}
	return pathElem{name: p[at : at+end], index: -1}, at + end, true
}

// lookup returns the key and value nodes of key in a mapping: the last
// explicit entry (the one the decoded object keeps), else one from a
// merge key.
func lookup(n *yaml.Node, key string) (k, v *yaml.Node) {
	budget := maxLookup
	return lookupMerged(n, key, 0, &budget)
}

// maxLookup bounds the mappings one lookup visits: anchors that merge each
// other (<<: [*m8, *m8, ...]) would otherwise make a missing key cost
// billions of visits.
const maxLookup = 10000

func lookupMerged(n *yaml.Node, key string, depth int, budget *int) (k, v *yaml.Node) {
	*budget--
	c := n.Content
	for i := len(c) - 2; i >= 0; i -= 2 {
		if c[i].Kind == yaml.ScalarNode && c[i].Value == key && c[i].ShortTag() != "!!merge" {
			return c[i], c[i+1]
		}
	}
	if depth > 10 || *budget <= 0 {
		return nil, nil
	}
	for i := 0; i+1 < len(c); i += 2 {
		if c[i].Kind != yaml.ScalarNode || c[i].ShortTag() != "!!merge" {
			continue
		}
		src := deref(c[i+1])
		if src == nil {
			continue
		}
		srcs := []*yaml.Node{src}
		if src.Kind == yaml.SequenceNode {
			srcs = src.Content
		}
		for _, s := range srcs {
			if s = deref(s); s != nil && s.Kind == yaml.MappingNode {
				if k, v := lookupMerged(s, key, depth+1, budget); v != nil {
					return k, v
				}
			}
		}
	}
	return nil, nil
}

// walk follows path from the object's root. It returns the deepest node
// reached, the key node that led to it (nil for sequence items and the
// root) and whether the whole path exists.
func (o *Object) walk(path string) (n, key *yaml.Node, found bool) {
	n = o.root
	for _, e := range parsePath(path) {
		cur := deref(n)
		if cur == nil {
			return n, key, false
		}
		switch cur.Kind {
		case yaml.MappingNode:
			k, v := lookup(cur, e.name)
			if v == nil {
				return n, key, false
			}
			n, key = v, k
		case yaml.SequenceNode:
			if e.index < 0 || e.index >= len(cur.Content) || !e.key {
				return n, key, false
			}
			n, key = cur.Content[e.index], nil
		default:
			return n, key, false
		}
	}
	return n, key, true
}

// Position returns the line and column (1-based) of a field path in the
// object, for example spec.template.spec.containers[0].resources.limits[memory].
// A scalar value is located at the value itself; a mapping or list under
// a key at its key; a list item at the item. A path that does not exist
// is located at its nearest existing ancestor; the empty path at the
// object.
func (o *Object) Position(path string) (line, col int) {
	n, key, _ := o.walk(path)
	return o.pos(n, key)
}

func (o *Object) pos(n, key *yaml.Node) (int, int) {
	v := deref(n)
	at := n
	switch {
	case key != nil && (v == nil || v.Kind != yaml.ScalarNode || (v.ShortTag() == "!!null" && v.Value == "")):
		// Collections and empty values start where their key does.
		at = key
	case v != nil && v.Kind == yaml.ScalarNode:
		at = n
	}
	if at == nil || at.Line == 0 {
		return 1, 1
	}
	return at.Line + o.lineDelta, at.Column
}

// Line is the object's first line, where findings without a field go.
func (o *Object) Line() int {
	l, _ := o.Position("")
	return l
}

// rawSource gives checks the scalars as written.
type rawSource struct{ o *Object }

func (r rawSource) Scalar(p *field.Path) (checks.Scalar, bool) {
	if p == nil {
		return checks.Scalar{}, false
	}
	n, _, ok := r.o.walk(p.String())
	if !ok {
		return checks.Scalar{}, false
	}
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return checks.Scalar{}, false
	}
	return checks.Scalar{Text: n.Value, Tag: scalarTag(n), Line: n.Line + r.o.lineDelta, Column: n.Column}, true
}
