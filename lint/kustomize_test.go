package lint

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/podlint/podlint/checks"
)

// shop is a repository shaped like the ones podlint meets: a base, dev,
// prod, staging and monitoring overlays, and one overlay on a remote base.
var shop = filepath.Join("testdata", "kustomize", "shop")

// placed lists a report's findings as FILE:LINE:COL CHECK (via), files
// relative to shop, and its errors as FILE:LINE.
func placed(t *testing.T, r *Report) (findings, errs []string) {
	t.Helper()
	rel := func(f string) string {
		r, err := filepath.Rel(shop, f)
		if err != nil {
			t.Fatal(err)
		}
		return filepath.ToSlash(r)
	}
	for _, f := range r.Findings {
		via := ""
		if _, v, ok := strings.Cut(f.Message, "(kustomize build "+shop+"/"); ok {
			via = " (" + strings.TrimSuffix(v, ")") + ")"
		}
		findings = append(findings, fmt.Sprintf("%s:%d:%d %s%s", rel(f.File), f.Line, f.Column, f.Check, via))
	}
	for _, e := range r.Errors {
		errs = append(errs, fmt.Sprintf("%s:%d", rel(e.File), e.Line))
	}
	return findings, errs
}

func TestKustomize(t *testing.T) {
	tests := []struct {
		name     string
		paths    []string
		mode     KustomizeMode
		exclude  []string
		findings []string
		// messages must each appear in some finding's message.
		messages []string
		errs     []string
		patches  int
	}{
		{
			// The base's memory: 1024m once for each overlay that keeps
			// it (staging fixes it); the patch that brings 1024m to prod
			// at the patch; the images transformers at their lines; a
			// host-port conflict inside monitoring only (dev, prod and
			// staging each run node-exporter on 9100, on their own),
			// reported once for the pair, naming the other DaemonSet's
			// line in its own file; the remote overlay one error.
			name:  "the whole repository",
			paths: []string{shop},
			findings: []string{
				"base/daemonset.yaml:20:25 host-port-conflict (overlays/monitoring)",
				"base/deployment.yaml:20:23 memory-unit-milli (overlays/dev)",
				"base/deployment.yaml:20:23 memory-unit-milli (overlays/monitoring)",
				"base/deployment.yaml:20:23 memory-unit-milli (overlays/prod)",
				"overlays/dev/kustomization.yaml:9:13 image-name-invalid (overlays/dev)",
				"overlays/prod/kustomization.yaml:17:14 image-pull-secret-missing (overlays/prod)",
				"overlays/prod/metrics-memory.yaml:12:23 memory-unit-milli (overlays/prod)",
			},
			messages: []string{"hostPort at " + filepath.Join(shop, "overlays", "monitoring", "node-agent.yaml") + ":19)"},
			errs:     []string{"overlays/remote/kustomization.yaml:6"},
		},
		{
			name:  "an overlay that fixes the base",
			paths: []string{filepath.Join(shop, "overlays", "staging")},
		},
		{
			// Given by its kustomization file; the base's files named
			// as well are read through the overlay, not twice.
			name:  "a kustomization file and files it consumes",
			paths: []string{filepath.Join(shop, "base", "deployment.yaml"), filepath.Join(shop, "overlays", "prod", "kustomization.yaml"), filepath.Join(shop, "overlays", "prod", "metrics-memory.yaml")},
			findings: []string{
				"base/deployment.yaml:20:23 memory-unit-milli (overlays/prod)",
				"overlays/prod/kustomization.yaml:17:14 image-pull-secret-missing (overlays/prod)",
				"overlays/prod/metrics-memory.yaml:12:23 memory-unit-milli (overlays/prod)",
			},
		},
		{
			name:  "the base alone",
			paths: []string{filepath.Join(shop, "base")},
			findings: []string{
				"base/deployment.yaml:20:23 memory-unit-milli (base)",
			},
		},
		{
			// File by file: the base once, the patch skipped (it is not
			// an object), and each directory its own apply, so the base's
			// node-exporter and monitoring's node-agent are not compared.
			name:    "never",
			paths:   []string{shop},
			mode:    KustomizeNever,
			patches: 1,
			findings: []string{
				"base/deployment.yaml:20:23 memory-unit-milli",
			},
		},
		{
			// Excluding a kustomization file means not rendering it: its
			// directory is read file by file, its patch skipped.
			name:    "an excluded kustomization",
			paths:   []string{filepath.Join(shop, "overlays", "prod")},
			exclude: []string{"kustomization.yaml"},
			patches: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := checks.DefaultConfig()
			cfg.Exclude = tt.exclude
			r := Run(t.Context(), Options{Paths: tt.paths, Kustomize: tt.mode, Engine: checks.NewEngine(cfg)})
			findings, errs := placed(t, r)
			if !slices.Equal(findings, tt.findings) {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(findings, "\n"), strings.Join(tt.findings, "\n"))
			}
			if !slices.Equal(errs, tt.errs) {
				t.Errorf("errors %v, want %v (%+v)", errs, tt.errs, r.Errors)
			}
			for _, m := range tt.messages {
				if !slices.ContainsFunc(r.Findings, func(f Finding) bool { return strings.Contains(f.Message, m) }) {
					t.Errorf("no finding says %q", m)
				}
			}
			if r.Summary.Patches != tt.patches {
				t.Errorf("%d patches skipped, want %d", r.Summary.Patches, tt.patches)
			}
		})
	}
}

// TestKustomizeSummary: a render counts the files it reads and the
// objects it makes; file by file, kustomizations and the generator's
// source are objects of unknown kinds.
func TestKustomizeSummary(t *testing.T) {
	r := Run(t.Context(), Options{Paths: []string{shop}})
	if s := r.Summary; s.Files != 11 || s.Objects != 13 || s.Skipped != 0 {
		t.Errorf("auto: %+v, want 11 files, 13 objects (dev, prod, staging 3 each, monitoring 4), none skipped", s)
	}
	r = Run(t.Context(), Options{Paths: []string{shop}, Kustomize: KustomizeNever})
	if s := r.Summary; s.Files != 11 || s.Objects != 10 || s.Skipped != 7 || s.Patches != 1 {
		t.Errorf("never: %+v, want 11 files, 10 objects, 7 skipped, 1 patch (prod's metrics-memory.yaml)", s)
	}
}
