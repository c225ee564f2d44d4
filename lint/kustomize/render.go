package kustomize

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/podlint/podlint/lint/ynode"
	"github.com/podlint/podlint/manifest"
)

// Object is one object of a render, decoded for the checks.
type Object struct {
	*manifest.Object
	// Group is the apply the object belongs to: the directory of the
	// top-level kustomization that rendered it.
	Group string
	loc   *locator
}

// Place is where a finding goes.
type Place struct {
	File         string
	Line, Column int
	// Exact is set when File:Line is where the value is written; else
	// the place is the kustomization file and Note names the object.
	Exact bool
	// Note says which kustomization rendered the object, and names the
	// object when the place is only the kustomization file; the caller
	// appends it to the finding's message.
	Note string
}

// Place returns where a finding at field (a field path such as
// spec.template.spec.containers[0].resources.limits[memory]; "" for the
// object) must be fixed.
func (o *Object) Place(field string) Place { return o.loc.place(field) }

// Render builds one top-level kustomization and decodes its objects. A
// kustomization that references something remote or missing is not built:
// its errors come back, one for each problem, and the run goes on.
func (p *Plan) Render(k Kustomization) ([]*Object, []Error) {
	n := k.n
	var errs []Error
	for m := range reach(n) {
		for _, pr := range m.problems {
			e := pr.Error
			if m != n {
				e.Message += "; " + n.dir + " builds on it"
			}
			e.Message += "; " + n.dir + " is not linted"
			if pr.remote {
				e.Message += " (lint its render instead: kubectl kustomize " + n.dir + " | podlint -)"
			}
			errs = append(errs, e)
		}
	}
	if len(errs) == 0 {
		errs = p.checkAliases(n)
	}
	if len(errs) > 0 {
		sortErrors(errs)
		return nil, errs
	}
	m, err := p.build(n)
	if err != nil {
		return nil, []Error{{File: n.file, Message: "kustomize build: " + p.rel(err.Error())}}
	}
	var out []*Object
	type meta struct {
		origin *resource.Origin
		trans  resource.Transformations
	}
	res := m.Resources()
	metas := make([]meta, len(res))
	for i, r := range res {
		// Without them (an annotation kustomize could not write) the
		// object is placed at the kustomization file.
		metas[i].origin, _ = r.GetOrigin()
		metas[i].trans, _ = r.GetTransformations()
	}
	if err := m.RemoveOriginAnnotations(); err != nil {
		return nil, []Error{{File: n.file, Message: "kustomize build: " + err.Error()}}
	}
	if err := m.RemoveTransformerAnnotations(); err != nil {
		return nil, []Error{{File: n.file, Message: "kustomize build: " + err.Error()}}
	}
	for i, r := range res {
		y, err := r.AsYAML()
		if err != nil {
			errs = append(errs, Error{File: n.file, Message: fmt.Sprintf("%s %s: %v", r.GetKind(), r.GetName(), err)})
			continue
		}
		objs, perrs := manifest.Parse(n.file, y)
		for _, e := range perrs {
			errs = append(errs, Error{File: n.file, Message: fmt.Sprintf("%s %s: rendered object does not parse: %s", r.GetKind(), r.GetName(), e.Message)})
		}
		loc := &locator{
			plan: p, top: n, rendered: r.YNode(),
			kind: r.GetKind(), name: r.GetName(), namespace: r.GetNamespace(), apiVersion: r.GetApiVersion(),
			origin: metas[i].origin, trans: metas[i].trans,
		}
		for _, o := range objs {
			out = append(out, &Object{Object: o, Group: n.dir, loc: loc})
		}
	}
	return out, errs
}

// checkAliases parses every file and inline patch the render will read and
// refuses the ones kustomize's YAML library cannot survive (an alias that
// contains itself makes it recurse until the process dies, which no
// recover catches).
func (p *Plan) checkAliases(n *node) []Error {
	var errs []Error
	for m := range reach(n) {
		for _, f := range m.names {
			for _, doc := range p.sources.get(f).roots {
				if at, why := aliasTrouble(doc); at != nil {
					errs = append(errs, Error{File: f, Line: at.Line, Message: why + "; " + n.dir + " is not linted"})
				}
			}
		}
		if m.k == nil {
			continue
		}
		for _, s := range m.k.inline {
			fr := inlineFrame(m.k, s)
			for _, doc := range parseAll([]byte(s.Value)) {
				if at, why := aliasTrouble(doc); at != nil {
					pl := fr.place(at)
					errs = append(errs, Error{File: pl.File, Line: pl.Line, Message: why + "; " + n.dir + " is not linted"})
				}
			}
		}
	}
	return errs
}

// build runs kustomize as `kubectl kustomize` does: load restricted to
// the kustomization's root, no plugins, no Helm, no exec or container
// functions, nothing fetched; the top kustomization additionally asks for
// origin and transformer annotations.
func (p *Plan) build(n *node) (m resmap.ResMap, err error) {
	defer func() {
		// podlint survives any input, also one kustomize chokes on.
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("kustomize failed: %v", r)
		}
	}()
	file, err := filepath.Abs(n.file)
	if err != nil {
		return nil, err
	}
	if real, err := filepath.EvalSymlinks(file); err == nil {
		// kustomize resolves the directory's links before it reads.
		file = real
	}
	data, err := withBuildMetadata(n.k.data)
	if err != nil {
		return nil, err
	}
	fsys := readOnlyFS{FileSystem: filesys.MakeFsOnDisk(), file: file, data: data, read: p.read}
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsRootOnly
	opts.PluginConfig = types.DisabledPluginConfig()
	opts.Reorder = krusty.ReorderOptionUnspecified
	return krusty.MakeKustomizer(opts).Run(fsys, filepath.Dir(file))
}

// withBuildMetadata adds originAnnotations and transformerAnnotations to
// a kustomization's buildMetadata, keeping what it already asks for.
func withBuildMetadata(data []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		// kustomize reports what is wrong with it.
		return data, nil
	}
	root := doc.Content[0]
	want := []string{string(types.OriginAnnotations), string(types.TransformerAnnotations)}
	bm := ynode.Get(root, "buildMetadata")
	if bm == nil || bm.Kind != yaml.SequenceNode {
		if bm != nil {
			// Not a list: kustomize would refuse it; keep it so it does.
			return data, nil
		}
		bm = &yaml.Node{Kind: yaml.SequenceNode}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "buildMetadata"}, bm)
	}
	for _, w := range want {
		have := false
		for _, it := range bm.Content {
			have = have || it.Value == w
		}
		if !have {
			bm.Content = append(bm.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: w})
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("adding buildMetadata: %w", err)
	}
	return buf.Bytes(), nil
}

// readOnlyFS is the disk as kustomize sees it during a render: the top
// kustomization file reads with the build metadata podlint adds, other
// files only if regular and within the size cap, and nothing can be
// written.
type readOnlyFS struct {
	filesys.FileSystem
	file string
	data []byte
	read func(string) ([]byte, error)
}

var errReadOnly = errors.New("podlint renders read-only")

func (f readOnlyFS) ReadFile(path string) ([]byte, error) {
	if filepath.Clean(path) == f.file {
		return bytes.Clone(f.data), nil
	}
	return f.read(path)
}

func (f readOnlyFS) Create(string) (filesys.File, error) { return nil, errReadOnly }
func (f readOnlyFS) Mkdir(string) error                  { return errReadOnly }
func (f readOnlyFS) MkdirAll(string) error               { return errReadOnly }
func (f readOnlyFS) RemoveAll(string) error              { return errReadOnly }
func (f readOnlyFS) WriteFile(string, []byte) error      { return errReadOnly }

// sortErrors orders errors by file and line, whatever the order of the
// map they were collected from.
func sortErrors(errs []Error) {
	slices.SortFunc(errs, func(a, b Error) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Message, b.Message))
	})
}
