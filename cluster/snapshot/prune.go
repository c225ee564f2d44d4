package snapshot

import (
	"bytes"
)

// slimYAML cuts a kubectl-shaped YAML list item (item keys at indent 2,
// two spaces per level, sequences not indented, as kubectl prints) down to
// the lines podlint reads, so that the YAML parser, the whole cost of a
// YAML snapshot, sees a few lines instead of a pod spec or a node's image
// list. It returns nil when the item is not of a kind it knows how to cut;
// the caller then parses the item whole. Values are still parsed by the
// YAML parser, so quoting and escapes need no care here.
func slimYAML(item []byte) []byte {
	kind := itemKind(item)
	var keep func(path []string) (keepLine, keepBlock bool)
	switch kind {
	case "Pod", "Secret", "ConfigMap", "PersistentVolumeClaim":
		keep = func(path []string) (bool, bool) {
			switch len(path) {
			case 1:
				switch path[0] {
				case "apiVersion", "kind", "type":
					return true, false
				case "metadata", "spec", "status":
					return true, false
				}
			case 2:
				switch path[0] + "." + path[1] {
				case "metadata.name", "metadata.namespace", "spec.nodeName", "status.phase":
					return true, false
				}
			}
			return false, false
		}
	case "Node":
		keep = func(path []string) (bool, bool) {
			if len(path) == 2 && path[0] == "status" && path[1] == "images" {
				return false, false
			}
			return true, true
		}
	default:
		return nil
	}
	var out []byte
	var path []string
	skipDeeperThan := -1
	for line := range bytes.Lines(item) {
		indent := leadingSpaces(line)
		body := line[indent:]
		if len(bytes.TrimSpace(body)) == 0 {
			continue
		}
		if skipDeeperThan >= 0 {
			// Nested lines, and sequence entries at the key's own indent.
			if indent > skipDeeperThan || indent == skipDeeperThan && body[0] == '-' {
				continue
			}
			skipDeeperThan = -1
		}
		level := indent/2 - 1
		key, isKey := yamlKey(body)
		if level < 0 || indent%2 != 0 || !isKey {
			// Only reached inside kept blocks (Node): keep as is.
			if kind == "Node" && level >= 0 && len(path) > 0 {
				out = append(out, line...)
				continue
			}
			return nil
		}
		if level > len(path) {
			return nil
		}
		path = append(path[:level], string(key))
		if keepLine, keepBlock := keep(path); keepLine || keepBlock {
			out = append(out, line...)
		} else {
			skipDeeperThan = indent
		}
	}
	return out
}

// itemKind finds the item-level "kind:" line.
func itemKind(item []byte) string {
	for line := range bytes.Lines(item) {
		if v, ok := bytes.CutPrefix(line, []byte("  kind: ")); ok {
			return string(bytes.TrimSpace(v))
		}
	}
	return ""
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
