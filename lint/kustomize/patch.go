package kustomize

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/podlint/podlint/lint/ynode"
)

// patch is one patch of a kustomization, parsed with positions.
type patch struct {
	// docs are its documents: mappings (strategic merge patches) or
	// sequences (JSON 6902 operations).
	docs  []*yaml.Node
	frame frame
	// target is the patch's selector; nil when a strategic merge patch
	// names its object itself.
	target *yaml.Node
}

// patchEntry reads an entry of patches or patchesJson6902: a path or an
// inline patch, and an optional target.
func (l *locator) patchEntry(k *kustFile, e *yaml.Node) *patch {
	p := &patch{target: ynode.Deref(kget(e, "target"))}
	if path := ynode.Scalar(kget(e, "path")); path != "" {
		l.readPatchFile(p, k, path)
	} else if n := ynode.Deref(kget(e, "patch")); n != nil && n.Kind == yaml.ScalarNode {
		p.docs, p.frame = parseAll([]byte(n.Value)), inlineFrame(k, n)
	}
	return p
}

// smpEntry reads an entry of patchesStrategicMerge: a path, or a patch
// written inline.
func (l *locator) smpEntry(k *kustFile, e *yaml.Node) *patch {
	p := &patch{}
	e = ynode.Deref(e)
	if e == nil || e.Kind != yaml.ScalarNode {
		return p
	}
	if isInline(e.Value) {
		p.docs, p.frame = parseAll([]byte(e.Value)), inlineFrame(k, e)
	} else {
		l.readPatchFile(p, k, e.Value)
	}
	return p
}

func (l *locator) readPatchFile(p *patch, k *kustFile, path string) {
	file := filepath.Join(k.dir, path)
	p.docs, p.frame = l.plan.sources.get(file).roots, frame{file: file}
}

// inPatch tells whether patch p writes the scalar value at steps into
// this object, and where.
func (l *locator) inPatch(p *patch, steps []ynode.Step, value *yaml.Node) (Place, bool) {
	for i := len(p.docs) - 1; i >= 0; i-- {
		d := p.docs[i]
		switch d.Kind {
		case yaml.MappingNode:
			if identifies(steps) || !l.targets(p, d) {
				continue
			}
			if v, key, m := ynode.Follow(d, steps); m == len(steps) && ynode.SameScalar(v, value) {
				return p.frame.place(ynode.At(v, key)), true
			}
		case yaml.SequenceNode:
			if p.target == nil || !l.selects(p.target) {
				continue
			}
			ops := d.Content
			for j := len(ops) - 1; j >= 0; j-- {
				if n, ok := opWrites(ops[j], steps, value); ok {
					return p.frame.place(n), true
				}
			}
		}
	}
	return Place{}, false
}

// identifies tells whether a path is one a strategic merge patch uses to
// name its object rather than to write a value.
func identifies(steps []ynode.Step) bool {
	if n := len(steps); n >= 2 && steps[n-2].Seq && steps[n-2].MKey == steps[n-1].Key {
		// The merge key of a list item: "- name: web" picks the
		// container to patch.
		return true
	}
	var keys []string
	for _, s := range steps {
		if s.Seq {
			return false
		}
		keys = append(keys, s.Key)
	}
	switch strings.Join(keys, ".") {
	case "apiVersion", "kind", "metadata.name", "metadata.namespace":
		return true
	}
	return false
}

// opWrites tells whether a JSON 6902 operation (add or replace) writes
// value at steps, and returns the node holding it. A nil value asks only
// whether the operation writes the path.
func opWrites(op *yaml.Node, steps []ynode.Step, value *yaml.Node) (*yaml.Node, bool) {
	if o := ynode.Scalar(ynode.Get(op, "op")); o != "add" && o != "replace" {
		return nil, false
	}
	ptr := ynode.Scalar(ynode.Get(op, "path"))
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	segs := strings.Split(ptr[1:], "/")
	if len(segs) > len(steps) || len(segs) == 0 {
		return nil, false
	}
	for i, seg := range segs {
		seg = strings.NewReplacer("~1", "/", "~0", "~").Replace(seg)
		s := steps[i]
		if s.Seq && seg != "-" && seg != strconv.Itoa(s.Index) || !s.Seq && seg != s.Key {
			return nil, false
		}
	}
	v := ynode.Get(op, "value")
	if v == nil {
		return nil, false
	}
	if last := steps[len(segs)-1]; last.Seq && last.MKey != "" && ynode.Scalar(ynode.Get(v, last.MKey)) != last.MVal {
		// The operation writes a list item, and not this one (an item
		// appended with "-" is not every item).
		return nil, false
	}
	n, key, m := ynode.Follow(v, steps[len(segs):])
	if m != len(steps)-len(segs) || value != nil && !ynode.SameScalar(n, value) {
		return nil, false
	}
	if key == nil && n == v {
		// The value itself: point at it, not at "value:".
		return n, true
	}
	return ynode.At(n, key), true
}

// targets tells whether a strategic merge patch document applies to this
// object: by its selector, else by its own kind and name.
func (l *locator) targets(p *patch, d *yaml.Node) bool {
	if p.target != nil {
		return l.selects(p.target)
	}
	return ynode.Scalar(ynode.Get(d, "kind")) == l.kind && l.names()[ynode.Scalar(ynode.Get(ynode.Get(d, "metadata"), "name"))]
}

// selects tells whether a patch selector may pick this object. Like
// kustomize, fields are anchored regular expressions. Names are compared
// before the prefixes and suffixes added after the patch; namespaces and
// label or annotation selectors are not compared: the written value is
// checked against the rendered one anyway.
func (l *locator) selects(t *yaml.Node) bool {
	group, version, ok := strings.Cut(l.apiVersion, "/")
	if !ok {
		group, version = "", l.apiVersion
	}
	for _, f := range []struct{ key, value string }{{"group", group}, {"version", version}, {"kind", l.kind}} {
		if want := ynode.Scalar(kget(t, f.key)); want != "" && !matches(want, f.value) {
			return false
		}
	}
	if want := ynode.Scalar(kget(t, "name")); want != "" {
		for n := range l.names() {
			if matches(want, n) {
				return true
			}
		}
		return false
	}
	return true
}

// matches compares a selector field with a value as kustomize does: as an
// anchored regular expression, or literally when it is not one.
func matches(pattern, value string) bool {
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	if err != nil {
		return pattern == value
	}
	return re.MatchString(value)
}
