package kustomize

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/resource"

	"github.com/podlint/podlint/lint/ynode"
)

// locator places the findings of one rendered object.
type locator struct {
	plan *Plan
	top  *node
	// rendered is the object as kustomize built it, annotations removed.
	rendered                          *yaml.Node
	apiVersion, kind, name, namespace string
	// origin names the file the object came from (or the generator that
	// made it); trans the transformers that ran over it, in order.
	origin *resource.Origin
	trans  resource.Transformations
}

func (l *locator) place(field string) Place {
	note := "kustomize build " + l.top.dir
	pl, ok := l.find(field)
	if !ok {
		// Nothing written anywhere can be checked against the rendered
		// value: the kustomization file, with the object named.
		id := l.kind + " " + l.name
		if l.namespace != "" {
			id = l.kind + " " + l.namespace + "/" + l.name
		}
		pl = Place{File: l.top.file, Line: 1, Column: 1}
		note = id + ", " + note
	}
	pl.Exact = ok
	pl.Note = note
	return pl
}

// find looks for where the value at field is written, last writer first.
func (l *locator) find(field string) (Place, bool) {
	steps, n, full := ynode.Resolve(l.rendered, field)
	value := ynode.Deref(n)
	isScalar := full && value != nil && value.Kind == yaml.ScalarNode
	if isScalar {
		// Who wrote the value: the transformers, last first, then the
		// file the object came from; each only when the value written
		// there is the value rendered.
		if pl, ok := l.fromTransformers(steps, value); ok {
			return pl, true
		}
		if doc, fr := l.originDoc(); doc != nil {
			if v, key, m := ynode.Follow(doc, steps); m == len(steps) && ynode.SameScalar(v, value) {
				return fr.place(ynode.At(v, key)), true
			}
		}
		// The name of a container a patch added: written where the
		// patch names it.
		if pl, ok := l.fromPatches(steps, value); ok {
			return pl, true
		}
	} else {
		// A collection, or a field that is not there: where the user
		// adds to it. The origin file when it has the path, else the
		// patch that wrote it, else the origin's nearest ancestor.
		doc, fr := l.originDoc()
		if doc != nil {
			if v, key, m := ynode.Follow(doc, steps); m == len(steps) {
				return fr.place(ynode.At(v, key)), true
			}
		}
		if pl, ok := l.fromPatches(steps, nil); ok {
			return pl, true
		}
		if doc != nil {
			v, key, _ := ynode.Follow(doc, steps)
			return fr.place(ynode.At(v, key)), true
		}
	}
	if pl, ok := l.fromGenerator(); ok {
		return pl, true
	}
	return l.fromReplacements()
}

// --- field paths ---

// --- frames: where the nodes of a parsed text are in a file ---

// frame places the nodes of one parsed text. A file on disk places them
// where they are; an inline patch written as a literal block in a
// kustomization is shifted to the block's lines; any other inline string
// pins every node to the string itself.
type frame struct {
	file       string
	dLine, col int
	pin        *yaml.Node
}

func (f frame) place(n *yaml.Node) Place {
	if f.pin != nil {
		return Place{File: f.file, Line: f.pin.Line, Column: f.pin.Column}
	}
	if n == nil || n.Line == 0 {
		return Place{File: f.file, Line: 1, Column: 1}
	}
	return Place{File: f.file, Line: n.Line + f.dLine, Column: n.Column + f.col}
}

// inlineFrame is the frame of a string written at node n of kustomization
// k. A literal block's first line is the line after its indicator, and
// its columns start after the block's indentation.
func inlineFrame(k *kustFile, n *yaml.Node) frame {
	if n.Style&yaml.LiteralStyle == 0 {
		return frame{file: k.path, pin: n}
	}
	lines := bytes.Split(k.data, []byte("\n"))
	for i := n.Line; i < len(lines); i++ {
		l := bytes.TrimRight(lines[i], "\r")
		t := bytes.TrimLeft(l, " ")
		if len(t) == 0 {
			continue
		}
		return frame{file: k.path, dLine: n.Line, col: len(l) - len(t)}
	}
	return frame{file: k.path, pin: n}
}

// --- sources: the files objects and patches come from ---

type sources struct {
	mu   sync.Mutex
	m    map[string]*source
	read func(string) ([]byte, error)
}

type source struct {
	// roots are the documents' top nodes, in order.
	roots []*yaml.Node
}

func newSources(read func(string) ([]byte, error)) *sources {
	return &sources{m: map[string]*source{}, read: read}
}

// get reads and parses a file once. A file that cannot be read or parsed
// has the documents before the problem, or none: positions in it are then
// not claimed.
func (s *sources) get(name string) *source {
	abs, err := filepath.Abs(name)
	if err != nil {
		return &source{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if src, ok := s.m[abs]; ok {
		return src
	}
	src := &source{}
	s.m[abs] = src
	if data, err := s.read(name); err == nil {
		src.roots = parseAll(data)
	}
	return src
}

// parseAll parses every document of a text.
func parseAll(data []byte) []*yaml.Node {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var out []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) || err != nil {
			return out
		}
		if len(doc.Content) > 0 {
			if r := ynode.Deref(doc.Content[0]); r != nil {
				out = append(out, r)
			}
		}
	}
}

// objects lists the object mappings of a source, List items expanded.
func (s *source) objects() []*yaml.Node {
	var out []*yaml.Node
	for _, r := range s.roots {
		if r.Kind != yaml.MappingNode {
			continue
		}
		if its := ynode.Items(ynode.Get(r, "items")); its != nil && strings.HasSuffix(ynode.Scalar(ynode.Get(r, "kind")), "List") {
			for _, it := range its {
				if it = ynode.Deref(it); it != nil && it.Kind == yaml.MappingNode {
					out = append(out, it)
				}
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// --- the object's own file ---

// originDoc returns the document the object came from, with its frame.
func (l *locator) originDoc() (*yaml.Node, frame) {
	if l.origin == nil || l.origin.Path == "" || l.origin.Repo != "" {
		return nil, frame{}
	}
	file := filepath.Join(l.top.dir, l.origin.Path)
	names := l.names()
	var same []*yaml.Node
	for _, o := range l.plan.sources.get(file).objects() {
		if ynode.Scalar(ynode.Get(o, "kind")) != l.kind {
			continue
		}
		if names[ynode.Scalar(ynode.Get(ynode.Get(o, "metadata"), "name"))] {
			return o, frame{file: file}
		}
		same = append(same, o)
	}
	if len(same) == 1 {
		return same[0], frame{file: file}
	}
	return nil, frame{}
}

// names are the names the object may have had before the chain's name
// prefixes, suffixes and generator hashes were added.
func (l *locator) names() map[string]bool {
	out := map[string]bool{l.name: true}
	var pre, suf []string
	for _, k := range l.chain() {
		if v := ynode.Scalar(kget(k.root, "namePrefix")); v != "" {
			pre = append(pre, v)
		}
		if v := ynode.Scalar(kget(k.root, "nameSuffix")); v != "" {
			suf = append(suf, v)
		}
	}
	grow := func(f func(string) (string, bool)) {
		for n := range out {
			if m, ok := f(n); ok && m != "" {
				out[m] = true
			}
		}
	}
	if l.kind == "ConfigMap" || l.kind == "Secret" {
		grow(func(n string) (string, bool) {
			if m := hashSuffixRE.FindStringIndex(n); m != nil {
				return n[:m[0]], true
			}
			return "", false
		})
	}
	for _, s := range suf {
		grow(func(n string) (string, bool) { return strings.CutSuffix(n, s) })
	}
	for _, p := range pre {
		grow(func(n string) (string, bool) { return strings.CutPrefix(n, p) })
	}
	return out
}

var hashSuffixRE = regexp.MustCompile(`-[a-z0-9]{10}$`)

// chain lists the kustomizations that ran transformers over the object,
// and the top one.
func (l *locator) chain() []*kustFile {
	var out []*kustFile
	seen := map[*kustFile]bool{}
	add := func(k *kustFile) {
		if k != nil && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, t := range l.trans {
		add(l.kustAt(t.ConfiguredIn))
	}
	add(l.top.k)
	return out
}

// kustAt returns the kustomization file at a path relative to the top
// kustomization, as kustomize's annotations name them.
func (l *locator) kustAt(rel string) *kustFile {
	if rel == "" {
		return nil
	}
	abs, err := filepath.Abs(filepath.Join(l.top.dir, rel))
	if err != nil {
		return nil
	}
	n := l.plan.nodes[filepath.Dir(abs)]
	if n == nil || n.k == nil || n.k.abs != abs {
		return nil
	}
	return n.k
}

// --- transformers ---

// fromTransformers looks for the transformer, last first, that wrote the
// scalar value at steps.
func (l *locator) fromTransformers(steps []ynode.Step, value *yaml.Node) (Place, bool) {
	// index[i] is how many transformers of the same kind and
	// kustomization ran before trans[i]: the entry of its field.
	index := make([]int, len(l.trans))
	count := map[string]int{}
	for i, t := range l.trans {
		key := t.ConfiguredIn + "\x00" + t.ConfiguredBy.Kind
		index[i] = count[key]
		count[key]++
	}
	for i := len(l.trans) - 1; i >= 0; i-- {
		t := l.trans[i]
		k := l.kustAt(t.ConfiguredIn)
		if k == nil {
			continue
		}
		var pl Place
		var ok bool
		switch t.ConfiguredBy.Kind {
		case "PatchTransformer":
			if e := nth(kget(k.root, "patches"), index[i]); e != nil {
				pl, ok = l.inPatch(l.patchEntry(k, e), steps, value)
			}
		case "PatchStrategicMergeTransformer":
			es := ynode.Items(kget(k.root, "patchesStrategicMerge"))
			for j := len(es) - 1; j >= 0 && !ok; j-- {
				pl, ok = l.inPatch(l.smpEntry(k, es[j]), steps, value)
			}
		case "PatchJson6902Transformer":
			if e := nth(kget(k.root, "patchesJson6902"), index[i]); e != nil {
				pl, ok = l.inPatch(l.patchEntry(k, e), steps, value)
			}
		case "ImageTagTransformer":
			if e := nth(imagesOf(k), index[i]); e != nil && ynode.LastKey(steps) == "image" {
				pl, ok = inImage(k, e, value.Value)
			}
		case "ReplicaCountTransformer":
			if e := nth(kget(k.root, "replicas"), index[i]); e != nil && ynode.LastKey(steps) == "replicas" &&
				l.names()[ynode.Scalar(kget(e, "name"))] && ynode.SameScalar(kget(e, "count"), value) {
				pl, ok = frame{file: k.path}.place(kget(e, "count")), true
			}
		case "NamespaceTransformer":
			if n := kget(k.root, "namespace"); ynode.LastKey(steps) == "namespace" && ynode.SameScalar(n, value) {
				pl, ok = frame{file: k.path}.place(n), true
			}
		case "PrefixTransformer":
			if n := kget(k.root, "namePrefix"); ynode.LastKey(steps) == "name" && ynode.Scalar(n) != "" && strings.HasPrefix(value.Value, ynode.Scalar(n)) {
				pl, ok = frame{file: k.path}.place(n), true
			}
		case "SuffixTransformer":
			if n := kget(k.root, "nameSuffix"); ynode.LastKey(steps) == "name" && ynode.Scalar(n) != "" && strings.HasSuffix(value.Value, ynode.Scalar(n)) {
				pl, ok = frame{file: k.path}.place(n), true
			}
		case "LabelTransformer":
			pl, ok = inPairs(k, labelMaps(k), steps, value, "labels", "matchLabels", "selector")
		case "AnnotationsTransformer":
			pl, ok = inPairs(k, []*yaml.Node{kget(k.root, "commonAnnotations")}, steps, value, "annotations")
		}
		if ok {
			return pl, true
		}
	}
	return Place{}, false
}

// fromPatches looks, last first, for a patch that has the whole path (a
// container a patch added), holding value unless value is nil. Unlike
// fromTransformers it counts the keys that name a list item.
func (l *locator) fromPatches(steps []ynode.Step, value *yaml.Node) (Place, bool) {
	for i := len(l.trans) - 1; i >= 0; i-- {
		t := l.trans[i]
		k := l.kustAt(t.ConfiguredIn)
		if k == nil {
			continue
		}
		var es []*yaml.Node
		var smp bool
		switch t.ConfiguredBy.Kind {
		case "PatchTransformer":
			es = ynode.Items(kget(k.root, "patches"))
		case "PatchStrategicMergeTransformer":
			es, smp = ynode.Items(kget(k.root, "patchesStrategicMerge")), true
		case "PatchJson6902Transformer":
			es = ynode.Items(kget(k.root, "patchesJson6902"))
		default:
			continue
		}
		for j := len(es) - 1; j >= 0; j-- {
			p := l.patchEntry(k, es[j])
			if smp {
				p = l.smpEntry(k, es[j])
			}
			for _, d := range p.docs {
				switch {
				case d.Kind == yaml.MappingNode && l.targets(p, d):
					if v, key, m := ynode.Follow(d, steps); m == len(steps) && (value == nil || ynode.SameScalar(v, value)) {
						return p.frame.place(ynode.At(v, key)), true
					}
				case d.Kind == yaml.SequenceNode && p.target != nil && l.selects(p.target):
					for k := len(d.Content) - 1; k >= 0; k-- {
						if n, ok := opWrites(d.Content[k], steps, value); ok {
							return p.frame.place(n), true
						}
					}
				}
			}
		}
	}
	return Place{}, false
}

// fromGenerator places an object a generator made at the generator's
// entry in its kustomization.
func (l *locator) fromGenerator() (Place, bool) {
	if l.origin == nil || l.origin.ConfiguredIn == "" {
		return Place{}, false
	}
	k := l.kustAt(l.origin.ConfiguredIn)
	if k == nil {
		return Place{}, false
	}
	key := map[string]string{"ConfigMapGenerator": "configMapGenerator", "SecretGenerator": "secretGenerator"}[l.origin.ConfiguredBy.Kind]
	if key == "" {
		return Place{}, false
	}
	names := l.names()
	for _, e := range ynode.Items(kget(k.root, key)) {
		if names[ynode.Scalar(kget(e, "name"))] {
			return frame{file: k.path}.place(e), true
		}
	}
	return Place{}, false
}

// fromReplacements: a value no patch, transformer or file explains comes
// from replacements or vars when the chain has them.
func (l *locator) fromReplacements() (Place, bool) {
	ch := l.chain()
	for i := len(ch) - 1; i >= 0; i-- {
		for _, key := range []string{"replacements", "vars"} {
			if n := kkey(ch[i].root, key); n != nil {
				return frame{file: ch[i].path}.place(n), true
			}
		}
	}
	return Place{}, false
}

func nth(seq *yaml.Node, i int) *yaml.Node {
	if its := ynode.Items(seq); i < len(its) {
		return ynode.Deref(its[i])
	}
	return nil
}

// imagesOf returns the images list kustomize reads (the legacy imageTags
// appended).
func imagesOf(k *kustFile) *yaml.Node {
	imgs, tags := ynode.Items(kget(k.root, "images")), ynode.Items(kget(k.root, "imageTags"))
	return &yaml.Node{Kind: yaml.SequenceNode, Content: append(append([]*yaml.Node{}, imgs...), tags...)}
}

// inImage tells whether images entry e produced the rendered image v, and
// places it: at the one value the entry sets, else at the entry.
func inImage(k *kustFile, e *yaml.Node, v string) (Place, bool) {
	name, tag, digest := splitImage(v)
	en, nn, nt, dg := kget(e, "name"), kget(e, "newName"), kget(e, "newTag"), kget(e, "digest")
	switch {
	case ynode.Scalar(nn) != "" && name != ynode.Scalar(nn), ynode.Scalar(nn) == "" && name != ynode.Scalar(en):
		return Place{}, false
	case ynode.Scalar(nt) != "" && tag != ynode.Scalar(nt), ynode.Scalar(dg) != "" && digest != ynode.Scalar(dg):
		return Place{}, false
	}
	var set []*yaml.Node
	for _, n := range []*yaml.Node{nn, nt, dg} {
		if ynode.Scalar(n) != "" {
			set = append(set, n)
		}
	}
	switch len(set) {
	case 0:
		return Place{}, false
	case 1:
		return frame{file: k.path}.place(set[0]), true
	}
	return frame{file: k.path}.place(e), true
}

// splitImage splits an image reference into name, tag and digest.
func splitImage(s string) (name, tag, digest string) {
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s, digest = s[:i], s[i+1:]
	}
	if i := strings.LastIndexByte(s, ':'); i > strings.LastIndexByte(s, '/') {
		s, tag = s[:i], s[i+1:]
	}
	return s, tag, digest
}

// labelMaps are the label maps of a kustomization: commonLabels and each
// labels entry's pairs.
func labelMaps(k *kustFile) []*yaml.Node {
	out := []*yaml.Node{kget(k.root, "commonLabels")}
	for _, e := range ynode.Items(kget(k.root, "labels")) {
		out = append(out, kget(e, "pairs"))
	}
	return out
}

// inPairs places a label or annotation value written by a transformer at
// its pair in the kustomization.
func inPairs(k *kustFile, maps []*yaml.Node, steps []ynode.Step, value *yaml.Node, parents ...string) (Place, bool) {
	name, parent := ynode.LastKey(steps), ynode.ParentKey(steps)
	ok := false
	for _, p := range parents {
		ok = ok || parent == p
	}
	if !ok || name == "" {
		return Place{}, false
	}
	for i := len(maps) - 1; i >= 0; i-- {
		if v := ynode.Get(maps[i], name); ynode.SameScalar(v, value) {
			return frame{file: k.path}.place(v), true
		}
	}
	return Place{}, false
}
