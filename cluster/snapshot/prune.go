package snapshot

import (
	"bytes"

	"github.com/podlint/podlint/manifest/jsonscan"
)

// slimYAML cuts a kubectl-shaped YAML list item (item keys at indent 2,
// two spaces per level, sequences not indented, as kubectl prints) down to
// the fields podlint keeps of its kind (the tree, see fields), so that the
// YAML parser, the whole cost of a YAML snapshot, sees a few lines instead
// of a pod spec or a node's image list. It returns nil when the layout is
// not the one it knows; the caller then parses the item whole. Values are
// still parsed by the YAML parser, so quoting and escapes need no care
// here.
func slimYAML(item []byte, t fieldTree, keep bool) []byte {
	var out []byte
	// trees[l] is the tree for keys at level l (indent 2l+2).
	trees := []fieldTree{t}
	// Lines deeper than skip are dropped, deeper than copyAll kept as
	// they are; a sequence entry at the key's own indent belongs to it.
	skip, copyAll := -1, -1
	inside := func(limit, indent int, body []byte) bool {
		return limit >= 0 && (indent > limit || indent == limit && body[0] == '-')
	}
	for line := range bytes.Lines(item) {
		indent := leadingSpaces(line)
		body := line[indent:]
		if len(bytes.TrimSpace(body)) == 0 {
			if copyAll >= 0 {
				out = append(out, line...)
			}
			continue
		}
		if inside(skip, indent, body) {
			continue
		}
		if inside(copyAll, indent, body) {
			out = append(out, line...)
			continue
		}
		skip, copyAll = -1, -1
		level := indent/2 - 1
		key, isKey := yamlKey(body)
		if level < 0 || indent%2 != 0 || !isKey || level >= len(trees) {
			return nil
		}
		trees = trees[:level+1]
		sub, in := trees[level][string(key)]
		switch {
		case keep && !in, !keep && in && sub == nil:
			skip = indent
			continue
		case sub == nil:
			copyAll = indent
		default:
			trees = append(trees, sub)
		}
		out = append(out, line...)
	}
	return out
}

// itemType finds the item-level "apiVersion:" and "kind:" lines (the
// first may start with "- ").
func itemType(item []byte) (apiVersion, kind string) {
	for line := range bytes.Lines(item) {
		rest, ok := bytes.CutPrefix(line, []byte("  "))
		if !ok {
			rest, ok = bytes.CutPrefix(line, []byte("- "))
		}
		if !ok {
			continue
		}
		line = rest
		if v, ok := bytes.CutPrefix(line, []byte("kind: ")); ok {
			kind = string(bytes.TrimSpace(v))
		} else if v, ok := bytes.CutPrefix(line, []byte("apiVersion: ")); ok {
			apiVersion = string(bytes.TrimSpace(v))
		}
		if apiVersion != "" && kind != "" {
			break
		}
	}
	return apiVersion, kind
}

func leadingSpaces(b []byte) int {
	n := 0
	for n < len(b) && b[n] == ' ' {
		n++
	}
	return n
}

// yamlKey returns the key of a "key:" or "key: value" line. Quoted keys,
// sequence entries and continuation lines are not keys here.
func yamlKey(body []byte) ([]byte, bool) {
	if len(body) == 0 || body[0] == '-' || body[0] == '"' || body[0] == '\'' || body[0] == '#' {
		return nil, false
	}
	i := bytes.IndexByte(body, ':')
	if i <= 0 || (i+1 < len(body) && body[i+1] != ' ' && body[i+1] != '\n' && body[i+1] != '\r') {
		return nil, false
	}
	return body[:i], true
}

// prune appends the object at the cursor to dst with only the fields the
// tree keeps (keep) or without the fields it drops. Values are copied as
// they are; the caller's json.Unmarshal validates what is left.
func prune(s *jsonscan.Scanner, dst []byte, t fieldTree, keep bool) ([]byte, error) {
	dst = append(dst, '{')
	n := 0
	err := s.Object(func(key []byte) error {
		sub, in := t[string(key)]
		if keep && !in || !keep && in && sub == nil {
			return s.Skip()
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, '"')
		dst = append(dst, key...)
		dst = append(dst, '"', ':')
		if sub != nil && s.Peek() == '{' {
			var err error
			dst, err = prune(s, dst, sub, keep)
			return err
		}
		v, err := s.Span()
		dst = append(dst, v...)
		return err
	})
	return append(dst, '}'), err
}
