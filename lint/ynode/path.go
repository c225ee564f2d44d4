package ynode

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Elem is one element of a field path: a name, or what stands in
// brackets (a list index or a map key).
type Elem struct {
	Name    string
	Bracket bool
}

// Split splits a field path in field.Path syntax.
func Split(p string) []Elem {
	var out []Elem
	for i := 0; i < len(p); {
		switch p[i] {
		case '.':
			i++
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return append(out, Elem{Name: p[i+1:], Bracket: true})
			}
			out = append(out, Elem{Name: p[i+1 : i+end], Bracket: true})
			i += end + 1
		default:
			end := strings.IndexAny(p[i:], ".[")
			if end < 0 {
				end = len(p) - i
			}
			out = append(out, Elem{Name: p[i : i+end]})
			i += end
		}
	}
	return out
}

// Step is one element of a field path resolved in a rendered object.
// A list item is matched in other files by its merge key (the container
// named web) when it has one, since patches and bases may order lists
// differently; else by its index.
type Step struct {
	Key        string
	Seq        bool
	Index      int
	MKey, MVal string
}

// MergeKeys are the keys that name list items in pod specs, the ones
// strategic merge patches match on.
func MergeKeys() []string { return []string{"name", "containerPort", "mountPath", "devicePath"} }

// Resolve follows field in a rendered object. It returns the steps that
// exist, the node they reach and whether the whole path exists.
func Resolve(root *yaml.Node, field string) ([]Step, *yaml.Node, bool) {
	var steps []Step
	cur := root
	for _, e := range Split(field) {
		c := Deref(cur)
		if c == nil {
			return steps, cur, false
		}
		switch c.Kind {
		case yaml.MappingNode:
			v := Get(c, e.Name)
			if v == nil {
				return steps, cur, false
			}
			steps = append(steps, Step{Key: e.Name})
			cur = v
		case yaml.SequenceNode:
			i, err := strconv.Atoi(e.Name)
			if !e.Bracket || err != nil || i < 0 || i >= len(c.Content) {
				return steps, cur, false
			}
			s := Step{Seq: true, Index: i}
			for _, k := range MergeKeys() {
				if v := Scalar(Get(c.Content[i], k)); v != "" {
					s.MKey, s.MVal = k, v
					break
				}
			}
			steps = append(steps, s)
			cur = c.Content[i]
		default:
			return steps, cur, false
		}
	}
	return steps, cur, true
}

// Follow walks steps from root in another file's tree. It returns the
// deepest node reached, the key that led to it, and how many steps
// matched.
func Follow(root *yaml.Node, steps []Step) (n, key *yaml.Node, matched int) {
	n = root
	for i, s := range steps {
		c := Deref(n)
		if c == nil {
			return n, key, i
		}
		if s.Seq {
			if c.Kind != yaml.SequenceNode {
				return n, key, i
			}
			var item *yaml.Node
			if s.MKey != "" {
				for _, it := range c.Content {
					if Scalar(Get(it, s.MKey)) == s.MVal {
						item = it
					}
				}
			} else if s.Index < len(c.Content) {
				item = c.Content[s.Index]
			}
			if item == nil {
				return n, key, i
			}
			n, key = item, nil
			continue
		}
		if c.Kind != yaml.MappingNode {
			return n, key, i
		}
		k, v := Key(c, s.Key), Get(c, s.Key)
		if v == nil {
			return n, key, i
		}
		n, key = v, k
	}
	return n, key, len(steps)
}

// At is the node a position points to, by manifest's rule: a scalar
// value at the value, a collection or an empty value at its key, a list
// item at the item.
func At(n, key *yaml.Node) *yaml.Node {
	v := Deref(n)
	if key != nil && (v == nil || v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" && v.Value == "") {
		return key
	}
	return n
}

// LastKey is the last mapping key of a path ("image" for
// spec.containers[0].image), "" when the path ends at a list item.
func LastKey(steps []Step) string {
	if len(steps) == 0 || steps[len(steps)-1].Seq {
		return ""
	}
	return steps[len(steps)-1].Key
}

// ParentKey is the mapping key before the last one ("labels" for
// metadata.labels[app]).
func ParentKey(steps []Step) string {
	if len(steps) < 2 || steps[len(steps)-2].Seq {
		return ""
	}
	return steps[len(steps)-2].Key
}
