package lint

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/podlint/podlint/lint/kustomize"
)

// KustomizeMode says how a run treats directories holding a kustomization.
type KustomizeMode string

// Kustomize modes; the zero value is KustomizeAuto.
const (
	// KustomizeAuto renders each top-level kustomization and lints its
	// objects instead of the files it consumes.
	KustomizeAuto KustomizeMode = "auto"
	// KustomizeNever reads every file on its own, kustomizations and
	// patches included.
	KustomizeNever KustomizeMode = "never"
)

// KustomizeModes lists the modes, for flags and messages.
func KustomizeModes() []string { return []string{string(KustomizeAuto), string(KustomizeNever)} }

// planKustomize finds the kustomizations of the run (a directory holding a
// kustomization file, given or met while walking, or a kustomization file
// given by name), plans what to render, and takes the files the renders
// consume out of the inputs.
func planKustomize(paths, exclude []string, inputs []input, limit int64) ([]input, *kustomize.Plan) {
	dirs := findKustomizations(paths, exclude)
	if len(dirs) == 0 {
		return inputs, nil
	}
	if limit <= 0 {
		limit = DefaultMaxInputBytes
	}
	plan := kustomize.NewPlan(dirs, limit)
	kept := inputs[:0:0]
	for _, in := range inputs {
		if in.name == "-" || in.err != nil || !plan.Consumes(in.name) {
			kept = append(kept, in)
		}
	}
	return kept, plan
}

// findKustomizations walks the paths the way discover does (hidden and
// excluded directories skipped) and lists the directories that hold a
// kustomization file.
func findKustomizations(paths, exclude []string) []string {
	var out []string
	for _, p := range paths {
		if p == "-" {
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			// discover reports it.
			continue
		}
		if !st.IsDir() {
			if kustomize.IsKustomizationFile(p) && !excluded(p, exclude) {
				out = append(out, filepath.Dir(p))
			}
			continue
		}
		walkDirs(p, exclude, func(dir string) error {
			// An excluded kustomization file is not read, so its
			// directory is read file by file.
			if f := kustomize.FileIn(dir); f != "" && !excluded(f, exclude) {
				out = append(out, dir)
			}
			return nil
		})
	}
	return out
}

// renderAll renders the top-level kustomizations one after the other
// (kustomize keeps its OpenAPI schema in package state).
func renderAll(ctx context.Context, plan *kustomize.Plan) []parsed {
	var out []parsed
	for _, k := range plan.Top() {
		if ctx.Err() != nil {
			break
		}
		objs, errs := plan.Render(k)
		r := parsed{group: renderGroup(k.Dir), placers: []placer{}}
		for _, o := range objs {
			r.objs = append(r.objs, o.Object)
			r.placers = append(r.placers, func(field string) place {
				pl := o.Place(field)
				// The note names the kustomization (and the object when
				// the place is only the kustomization file): the render.
				return place{file: pl.File, line: pl.Line, column: pl.Column, exact: pl.Exact, render: pl.Note, merge: pl.Note}
			})
		}
		for _, e := range errs {
			r.errs = append(r.errs, InputError{File: e.File, Line: e.Line, Message: e.Message})
		}
		out = append(out, r)
	}
	return out
}

// renderGroup is the apply group of a render's objects: one group per
// top-level kustomization (kubectl apply -k DIR), apart from the group of
// the files of that directory read on their own.
func renderGroup(dir string) string { return "kustomize:" + dir }

// walkDirs calls visit for root and every directory under it that a run
// reads: hidden and excluded directories are skipped, as discover skips
// them; visit may return fs.SkipDir. Unreadable directories are left to
// discover, which reports them.
func walkDirs(root string, exclude []string, visit func(dir string) error) {
	_ = filepath.WalkDir(root, func(name string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if name != root && (strings.HasPrefix(d.Name(), ".") || excluded(name, exclude)) {
			return fs.SkipDir
		}
		return visit(name)
	})
}
