package kustomize

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/podlint/podlint/lint/ynode"
	"github.com/podlint/podlint/manifest"
)

// fileNames are the names that make a directory a kustomization, in the
// order kustomize looks for them.
func fileNames() []string {
	return []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}
}

// IsKustomizationFile tells whether a file's base name makes its directory
// a kustomization.
func IsKustomizationFile(name string) bool {
	base := filepath.Base(name)
	for _, n := range fileNames() {
		if base == n {
			return true
		}
	}
	return false
}

// FileIn returns the kustomization file of dir, or "" when dir holds none.
// With several, the first in kustomize's order is returned; rendering then
// fails with kustomize's own error, as kubectl does.
func FileIn(dir string) string {
	for _, n := range fileNames() {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// refKind says what a kustomization field may name.
type refKind int

const (
	// refBase is a resource, a base, or a generator, transformer or
	// validator configuration: a file, or a directory holding a
	// kustomization.
	refBase refKind = iota
	// refComponent is a directory holding a Component.
	refComponent
	// refFile is a file: a patch, a generator source, a CRD, a
	// configuration, an OpenAPI schema, replacements.
	refFile
)

// ref is one path a kustomization names, with where it is written.
type ref struct {
	value string
	node  *yaml.Node
	kind  refKind
}

// kustFile is one kustomization file, read with positions but not
// rendered.
type kustFile struct {
	// path names the file the way the run does (its directory as given
	// or found, joined with the file name); dir is its directory.
	path, dir string
	// abs is the absolute, cleaned path, the key of the plan's maps.
	abs  string
	data []byte
	// root is the document's mapping.
	root *yaml.Node
	refs []ref
	// inline are the configurations written into the file as strings
	// (patches, generators), which kustomize parses on its own.
	inline []*yaml.Node
}

// readKust reads and indexes one kustomization file. The error carries the
// line when the file does not parse.
func (p *Plan) readKust(path string) (*kustFile, *Error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{File: path, Message: err.Error()}
	}
	data, err := p.read(path)
	if err != nil {
		return nil, &Error{File: path, Message: ynode.UnwrapPathError(err).Error()}
	}
	k := &kustFile{path: path, dir: filepath.Dir(path), abs: abs, data: data}
	root, err := firstDocument(data)
	if err != nil {
		// The shared decoder knows where yaml.v3 puts its errors.
		e := Error{File: path, Message: "kustomization does not parse: " + err.Error()}
		if _, errs := manifest.Parse(path, data); len(errs) > 0 {
			e.Line, e.Message = errs[0].Line, "kustomization does not parse: "+errs[0].Message
		}
		return nil, &e
	}
	if root == nil {
		// kustomize refuses an empty kustomization; let it say so.
		root = &yaml.Node{Kind: yaml.MappingNode}
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: path, Line: root.Line, Message: "kustomization is not a mapping"}
	}
	k.root = root
	k.index()
	return k, nil
}

// firstDocument parses the first YAML document of data (kustomize reads
// only that one).
func firstDocument(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc)
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return ynode.Deref(doc.Content[0]), nil
}

// index lists every path the kustomization names, in the fields kustomize
// reads paths from (legacy ones included).
func (k *kustFile) index() {
	add := func(n *yaml.Node, kind refKind) {
		if n = ynode.Deref(n); n != nil && n.Kind == yaml.ScalarNode && n.Value != "" {
			k.refs = append(k.refs, ref{value: n.Value, node: n, kind: kind})
		}
	}
	// Entries that may be an inline configuration instead of a path.
	addOrInline := func(n *yaml.Node, kind refKind) {
		if n = ynode.Deref(n); n != nil && n.Kind == yaml.ScalarNode {
			if isInline(n.Value) {
				k.inline = append(k.inline, n)
			} else {
				add(n, kind)
			}
		}
	}
	for _, key := range []string{"resources", "bases"} {
		for _, n := range ynode.Items(kget(k.root, key)) {
			add(n, refBase)
		}
	}
	for _, n := range ynode.Items(kget(k.root, "components")) {
		add(n, refComponent)
	}
	for _, key := range []string{"generators", "transformers", "validators"} {
		for _, n := range ynode.Items(kget(k.root, key)) {
			addOrInline(n, refBase)
		}
	}
	for _, n := range ynode.Items(kget(k.root, "patchesStrategicMerge")) {
		addOrInline(n, refFile)
	}
	for _, key := range []string{"patches", "patchesJson6902", "replacements"} {
		for _, n := range ynode.Items(kget(k.root, key)) {
			add(kget(n, "path"), refFile)
			if s := ynode.Deref(kget(n, "patch")); s != nil && s.Kind == yaml.ScalarNode {
				k.inline = append(k.inline, s)
			}
		}
	}
	for _, key := range []string{"configMapGenerator", "secretGenerator"} {
		for _, g := range ynode.Items(kget(k.root, key)) {
			for _, n := range ynode.Items(kget(g, "files")) {
				if n = ynode.Deref(n); n != nil && n.Kind == yaml.ScalarNode {
					// [key=]path
					v := n.Value
					if _, p, ok := strings.Cut(v, "="); ok && !isRemote(v) {
						v = p
					}
					if v != "" {
						k.refs = append(k.refs, ref{value: v, node: n, kind: refFile})
					}
				}
			}
			for _, n := range ynode.Items(kget(g, "envs")) {
				add(n, refFile)
			}
			add(kget(g, "env"), refFile)
		}
	}
	for _, key := range []string{"crds", "configurations"} {
		for _, n := range ynode.Items(kget(k.root, key)) {
			add(n, refFile)
		}
	}
	add(kget(kget(k.root, "openapi"), "path"), refFile)
}

// isInline tells an inline configuration (a patch, a generator written
// into the kustomization) from a path, the way kustomize does: a string
// that parses as a YAML mapping or list is inline.
func isInline(s string) bool {
	if strings.Contains(s, "\n") {
		return true
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil || len(n.Content) == 0 {
		return false
	}
	c := ynode.Deref(n.Content[0])
	return c != nil && (c.Kind == yaml.MappingNode || c.Kind == yaml.SequenceNode)
}

// isRemote tells whether kustomize would fetch a path from the network:
// an http(s) file, or a git repository in any of the URL forms kustomize
// accepts (https://, http://, ssh://, file://, git::, user@host:,
// github.com/...). podlint never fetches; it reports them instead.
func isRemote(s string) bool {
	l := strings.ToLower(s)
	for _, p := range []string{"https://", "http://", "ssh://", "file://", "git::", "github.com/", "github.com:"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return scpURLRE.MatchString(s)
}

// scpURLRE matches kustomize's user@host git URLs.
var scpURLRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*@`)

// kget returns the value of a field of a kustomization file as kustomize
// reads it: kustomize decodes kustomizations through encoding/json, which
// also matches field names that differ in case ("Resources"), after YAML
// merge keys (<<) are resolved. The last match wins, as in a decoder.
func kget(n *yaml.Node, key string) *yaml.Node {
	_, v := kfield(n, key, 0)
	return v
}

// kkey returns the key node of a kustomization field, as kget finds it.
func kkey(n *yaml.Node, key string) *yaml.Node {
	k, _ := kfield(n, key, 0)
	return k
}

func kfield(n *yaml.Node, key string, depth int) (k, v *yaml.Node) {
	n = ynode.Deref(n)
	if n == nil || n.Kind != yaml.MappingNode || depth > 10 {
		return nil, nil
	}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		c := n.Content[i]
		switch {
		case c.Kind != yaml.ScalarNode:
		case c.ShortTag() == "!!merge":
			merges = append(merges, n.Content[i+1])
		case strings.EqualFold(c.Value, key):
			k, v = c, n.Content[i+1]
		}
	}
	if v != nil {
		return k, v
	}
	for _, m := range merges {
		m = ynode.Deref(m)
		srcs := []*yaml.Node{m}
		if m != nil && m.Kind == yaml.SequenceNode {
			srcs = m.Content
		}
		for _, s := range srcs {
			if k, v := kfield(s, key, depth+1); v != nil {
				return k, v
			}
		}
	}
	return nil, nil
}
