package helm

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v3/pkg/strvals"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/podlint/podlint/lint/ynode"
)

// userValues are the values of one render as `helm template -f ... --set
// ...` merges them, with the files they came from for positions.
type userValues struct {
	vals map[string]any
	// sources are the files and --set flags, in the order Helm merges
	// them (later ones win).
	sources []*valueSource
}

// valueSource is one values file (or --set flag) flattened to its leaves.
type valueSource struct {
	// file is the path of the file; "" for a --set flag.
	file string
	// label names the source in notes: the file, or "--set K=V".
	label string
	// leaves are the scalar values by their full path in the top chart's
	// values (a subchart's values.yaml under the subchart's name).
	leaves map[string]*yaml.Node
	// paths are all paths the source sets, collections included.
	paths map[string]bool
	// set is the --set flag's leaves (no node: no position).
	set map[string]string
}

// ParseValues parses the content of a values file as `helm template -f`
// does: YAML (or JSON) whose top level is a map; empty is no values.
func ParseValues(data []byte) (vals map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			vals, err = nil, fmt.Errorf("cannot parse: %v", r)
		}
	}()
	vals = map[string]any{}
	if err := sigsyaml.Unmarshal(data, &vals); err != nil {
		return nil, err
	}
	if vals == nil {
		vals = map[string]any{}
	}
	return vals, nil
}

// ParseSet applies one --set flag (K=V, comma-separated pairs, a.b[0]=x)
// to vals as Helm does.
func ParseSet(s string, vals map[string]any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot parse: %v", r)
		}
	}()
	return strvals.ParseInto(s, vals)
}

// mergeValues merges user values as Helm's values.Options does: -f files
// in order (maps merged key by key, anything else replaced), then each
// --set. read reads a values file under the run's size cap.
func mergeValues(files, set []string, read func(string) ([]byte, error)) (*userValues, []Error) {
	u := &userValues{vals: map[string]any{}}
	var errs []Error
	for _, f := range files {
		data, err := read(f)
		if err != nil {
			errs = append(errs, Error{File: f, Message: "values file: " + ynode.UnwrapPathError(err).Error()})
			continue
		}
		m, err := ParseValues(data)
		if err != nil {
			line, msg := yamlErrorLine(err)
			errs = append(errs, Error{File: f, Line: line, Message: "values file: " + msg})
			continue
		}
		u.vals = mergeMaps(u.vals, m)
		u.sources = append(u.sources, fileSource(f, data, nil))
	}
	for _, s := range set {
		if err := ParseSet(s, u.vals); err != nil {
			errs = append(errs, Error{File: "--set", Message: fmt.Sprintf("%q: %v", s, err)})
			continue
		}
		one := map[string]any{}
		_ = ParseSet(s, one)
		src := &valueSource{label: "--set " + s, set: map[string]string{}, paths: map[string]bool{}}
		flattenAny(nil, one, src)
		u.sources = append(u.sources, src)
	}
	return u, errs
}

func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if v, ok := v.(map[string]any); ok {
			if bv, ok := out[k]; ok {
				if bv, ok := bv.(map[string]any); ok {
					out[k] = mergeMaps(bv, v)
					continue
				}
			}
		}
		out[k] = v
	}
	return out
}

// fileSource flattens a values file's first document; prefix is where
// its values land in the top chart's values.
func fileSource(file string, data []byte, prefix []string) *valueSource {
	src := &valueSource{file: file, label: file, leaves: map[string]*yaml.Node{}, paths: map[string]bool{}}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil || len(doc.Content) == 0 {
		return src
	}
	flattenNode(prefix, doc.Content[0], src, 0)
	return src
}

// flattenNode records the scalar leaves of a values tree. Aliases are not
// followed: a value reached through one is placed nowhere.
func flattenNode(path []string, n *yaml.Node, src *valueSource, depth int) {
	if n == nil || depth > 100 {
		return
	}
	key := strings.Join(path, ".")
	if len(path) > 0 {
		src.paths[key] = true
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
				continue
			}
			flattenNode(append(path[:len(path):len(path)], k.Value), n.Content[i+1], src, depth+1)
		}
	case yaml.ScalarNode:
		if len(path) > 0 {
			src.leaves[key] = n
		}
	}
}

// flattenAny records the leaves of a --set flag's values.
func flattenAny(path []string, v any, src *valueSource) {
	key := strings.Join(path, ".")
	if len(path) > 0 {
		src.paths[key] = true
	}
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			flattenAny(append(path[:len(path):len(path)], k), x, src)
		}
	case []any:
	default:
		if len(path) > 0 {
			src.set[key] = fmt.Sprint(t)
		}
	}
}

// yamlErrorLine takes the line out of a YAML error ("error converting
// YAML to JSON: yaml: line 3: ...").
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "error converting YAML to JSON: ")
	msg = strings.TrimPrefix(msg, "error unmarshaling JSON: while decoding JSON: ")
	var line int
	if i := strings.Index(msg, "line "); i >= 0 {
		if _, err := fmt.Sscanf(msg[i:], "line %d", &line); err == nil {
			rest := msg[i:]
			if j := strings.Index(rest, ": "); j >= 0 {
				msg = msg[:i] + rest[j+2:]
				msg = strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(msg, "yaml: ")), ":")
				msg = strings.TrimPrefix(msg, "yaml: ")
			}
		}
	}
	return line, msg
}
