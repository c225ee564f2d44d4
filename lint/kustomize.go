package lint

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/lint/kustomize"
	"github.com/podlint/podlint/manifest"
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
		_ = filepath.WalkDir(p, func(name string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			if name != p && (strings.HasPrefix(d.Name(), ".") || excluded(name, exclude)) {
				return fs.SkipDir
			}
			// An excluded kustomization file is not read, so its
			// directory is read file by file.
			if f := kustomize.FileIn(name); f != "" && !excluded(f, exclude) {
				out = append(out, name)
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
		r := parsed{group: k.Dir, rendered: map[*manifest.Object]*kustomize.Object{}}
		for _, o := range objs {
			r.objs = append(r.objs, o.Object)
			r.rendered[o.Object] = o
		}
		for _, e := range errs {
			r.errs = append(r.errs, InputError{File: e.File, Line: e.Line, Message: e.Message})
		}
		out = append(out, r)
	}
	return out
}

// place puts a finding on a rendered object where its value is written.
func place(lf *Finding, o *kustomize.Object) {
	pl := o.Place(lf.Field)
	lf.File, lf.Line, lf.Column = pl.File, pl.Line, pl.Column
	lf.Message += " (" + pl.Note + ")"
}

// layered is the inventory of one rendered kustomization: each render is
// its own apply, so it sees its own objects, then the files of the run
// and the cluster, but never another render's objects (overlays/dev and
// overlays/prod go to different places).
type layered struct{ own, base checks.Inventory }

func newLayered(own, base checks.Inventory) checks.Inventory {
	l := layered{own, base}
	inv := base
	inv.ServiceAccounts, inv.Secrets, inv.ConfigMaps, inv.PVCs, inv.Namespaces = l, l, l, l, l
	inv.HostPorts, inv.LimitRanges, inv.ResourceQuotas = l, l, l
	return inv
}

func (l layered) ServiceAccount(ns, name string) (*corev1.ServiceAccount, checks.Presence) {
	if sa, pr := l.own.ServiceAccounts.ServiceAccount(ns, name); pr == checks.Present {
		return sa, pr
	}
	if l.base.ServiceAccounts == nil {
		return nil, checks.Unknown
	}
	return l.base.ServiceAccounts.ServiceAccount(ns, name)
}

func (l layered) Secret(ns, name string) (*checks.SecretMeta, checks.Presence) {
	if s, pr := l.own.Secrets.Secret(ns, name); pr == checks.Present {
		return s, pr
	}
	if l.base.Secrets == nil {
		return nil, checks.Unknown
	}
	return l.base.Secrets.Secret(ns, name)
}

func (l layered) ConfigMap(ns, name string) checks.Presence {
	if pr := l.own.ConfigMaps.ConfigMap(ns, name); pr == checks.Present || l.base.ConfigMaps == nil {
		return pr
	}
	return l.base.ConfigMaps.ConfigMap(ns, name)
}

func (l layered) PersistentVolumeClaim(ns, name string) checks.Presence {
	if pr := l.own.PVCs.PersistentVolumeClaim(ns, name); pr == checks.Present || l.base.PVCs == nil {
		return pr
	}
	return l.base.PVCs.PersistentVolumeClaim(ns, name)
}

func (l layered) Namespace(name string) (*corev1.Namespace, checks.Presence) {
	if n, pr := l.own.Namespaces.Namespace(name); pr == checks.Present || l.base.Namespaces == nil {
		return n, pr
	}
	return l.base.Namespaces.Namespace(name)
}

func (l layered) HostPortClaims(port int32, proto corev1.Protocol) []*checks.Target {
	own := l.own.HostPorts.HostPortClaims(port, proto)
	if l.base.HostPorts == nil {
		return own
	}
	return append(slices.Clip(l.base.HostPorts.HostPortClaims(port, proto)), own...)
}

// LimitRanges and ResourceQuotas: the render's own replace the others of
// the same name, as applying it would.
func (l layered) LimitRanges(ns string) ([]*corev1.LimitRange, checks.Presence) {
	own, _ := l.own.LimitRanges.LimitRanges(ns)
	var base []*corev1.LimitRange
	pr := checks.Unknown
	if l.base.LimitRanges != nil {
		base, pr = l.base.LimitRanges.LimitRanges(ns)
	}
	return overlay(own, base, pr, func(o *corev1.LimitRange) string { return o.Name })
}

func (l layered) ResourceQuotas(ns string) ([]*corev1.ResourceQuota, checks.Presence) {
	own, _ := l.own.ResourceQuotas.ResourceQuotas(ns)
	var base []*corev1.ResourceQuota
	pr := checks.Unknown
	if l.base.ResourceQuotas != nil {
		base, pr = l.base.ResourceQuotas.ResourceQuotas(ns)
	}
	return overlay(own, base, pr, func(o *corev1.ResourceQuota) string { return o.Name })
}

func overlay[T any](own, base []*T, pr checks.Presence, name func(*T) string) ([]*T, checks.Presence) {
	if len(own) == 0 {
		return base, pr
	}
	out := slices.Clone(own)
	for _, b := range base {
		if !slices.ContainsFunc(own, func(o *T) bool { return name(o) == name(b) }) {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b *T) int { return strings.Compare(name(a), name(b)) })
	return out, checks.Present
}
