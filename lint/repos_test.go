package lint_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
	"github.com/podlint/podlint/cluster/snapshot"
	"github.com/podlint/podlint/lint"
	"github.com/podlint/podlint/lint/output"
	"github.com/podlint/podlint/test/golden"
)

// The repositories under testdata/repos are shaped like the real ones
// podlint met in issue 9 (a monorepo of independent apps, kubeflow's
// conflicting Namespaces, kustomize overlays with patch files, a committed
// Helm render, knative's ko:// images, envsubst placeholders in Secrets, a
// chart rendered twice into one stream). Each run's text output is kept in
// testdata/repos/golden/<name>.txt; the facts that matter are also
// asserted one by one below, so that -update cannot hide their loss.

const repos = "testdata/repos"

type repoRun struct {
	name      string
	paths     []string
	namespace string
	snapshot  string
	stdin     string
	kustomize lint.KustomizeMode
}

func (r repoRun) run(t *testing.T) (*lint.Report, string) {
	t.Helper()
	var store *cluster.Store
	if r.snapshot != "" {
		store = cluster.New()
		if _, err := snapshot.LoadFile(filepath.Join(repos, "snapshots", r.snapshot), store); err != nil {
			t.Fatal(err)
		}
	}
	var paths []string
	for _, p := range r.paths {
		if p != "-" {
			p = filepath.Join(repos, p)
		}
		paths = append(paths, p)
	}
	var stdin *os.File
	if r.stdin != "" {
		f, err := os.Open(filepath.Join(repos, r.stdin))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		stdin = f
	}
	opts := lint.Options{Paths: paths, Store: store, Namespace: r.namespace, Kustomize: r.kustomize}
	if stdin != nil {
		opts.Stdin = stdin
	}
	rep := lint.Run(t.Context(), opts)
	var buf bytes.Buffer
	if err := (&output.Text{}).Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join(repos, "golden", r.name+".txt"), buf.Bytes(), updating())
	return rep, buf.String()
}

// findingsIn returns the findings of check whose file ends in file.
func findingsIn(rep *lint.Report, file, check string) []lint.Finding {
	var out []lint.Finding
	for _, f := range rep.Findings {
		if strings.HasSuffix(filepath.ToSlash(f.File), file) && (check == "" || f.Check == check) {
			out = append(out, f)
		}
	}
	return out
}

// TestMonorepo: each app's example LimitRange or quota without a namespace
// applies to its own app only; the shop namespace's quota applies across
// directories; -n makes every namespace-less object live in one namespace.
func TestMonorepo(t *testing.T) {
	rep, out := repoRun{name: "monorepo", paths: []string{"monorepo"}}.run(t)
	// checkout and legacy would break search's LimitRange and the
	// tutorial's quota if those applied to them.
	for _, f := range rep.Findings {
		if strings.Contains(f.File, "apps/checkout/") || strings.Contains(f.File, "apps/legacy/") {
			t.Errorf("cross-app finding on %s: %s", f.File, f.Message)
		}
	}
	if fs := findingsIn(rep, "apps/search/deployment.yaml", "limit-range-violation"); len(fs) != 1 ||
		!strings.Contains(fs[0].Message, `LimitRange "small-containers" at testdata/repos/monorepo/apps/search/limitrange.yaml:9`) {
		t.Errorf("search's own LimitRange, named with its file and line:\n%s", out)
	}
	if fs := findingsIn(rep, "apps/tutorial/job.yaml", "resource-quota-violation"); len(fs) != 1 {
		t.Errorf("the tutorial's own quota:\n%s", out)
	}
	if fs := findingsIn(rep, "services/cart/deployment.yaml", "resource-quota-violation"); len(fs) != 1 ||
		!strings.Contains(fs[0].Message, "monorepo/platform/shop-quota.yaml:8") {
		t.Errorf("an explicit namespace matches across directories:\n%s", out)
	}

	rep, out = repoRun{name: "monorepo-n-team", paths: []string{"monorepo"}, namespace: "team"}.run(t)
	if fs := findingsIn(rep, "apps/legacy/deployment.yaml", ""); len(fs) == 0 {
		t.Errorf("with -n team the LimitRanges and quota of every app apply to legacy:\n%s", out)
	}
	for _, f := range rep.Findings {
		if strings.Contains(f.File, "apps/") && f.Object.Namespace != "team" {
			t.Errorf("%s: object namespace %q, want team", f.File, f.Object.Namespace)
		}
	}
}

// TestNamespaceConflict: two copies of Namespace kubeflow with different
// Pod Security levels give the same result in both argument orders (no
// finding), unless the cluster's copy matches one of them.
func TestNamespaceConflict(t *testing.T) {
	a, outA := repoRun{name: "nsconflict", paths: []string{"nsconflict/common", "nsconflict/apps"}}.run(t)
	b, outB := repoRun{name: "nsconflict", paths: []string{"nsconflict/apps", "nsconflict/common"}}.run(t)
	if outA != outB {
		t.Errorf("the verdict depends on the argument order:\n%s\n---\n%s", outA, outB)
	}
	for _, rep := range []*lint.Report{a, b} {
		if fs := findingsIn(rep, "apps/pipeline/deployment.yaml", "pod-security-violation"); len(fs) != 0 {
			t.Errorf("conflicting Namespace copies decided a verdict: %s", fs[0].Message)
		}
		if fs := findingsIn(rep, "apps/profiles/deployment.yaml", "pod-security-violation"); len(fs) != 1 ||
			!strings.Contains(fs[0].Message, "label pod-security.kubernetes.io/enforce at testdata/repos/nsconflict/apps/profiles/namespace.yaml:6") {
			t.Errorf("a Namespace defined once applies, naming its label's line:\n%s", outA)
		}
	}

	rep, out := repoRun{name: "nsconflict-cluster-restricted", paths: []string{"nsconflict/apps", "nsconflict/common"}, snapshot: "kubeflow-restricted.yaml"}.run(t)
	if fs := findingsIn(rep, "apps/pipeline/deployment.yaml", "pod-security-violation"); len(fs) != 1 || !strings.Contains(fs[0].Message, `"restricted:latest"`) {
		t.Errorf("the cluster's copy matches one input copy and says which holds:\n%s", out)
	}
	rep, out = repoRun{name: "nsconflict-cluster-baseline", paths: []string{"nsconflict/apps", "nsconflict/common"}, snapshot: "kubeflow-baseline.yaml"}.run(t)
	if fs := findingsIn(rep, "apps/pipeline/deployment.yaml", "pod-security-violation"); len(fs) != 0 {
		t.Errorf("the cluster's copy matches neither input copy; the apply replaces it with one of them:\n%s", out)
	}
}

// TestKustomizePatches: read file by file (--kustomize=never), patch
// files listed by a kustomization (patches, patchesStrategicMerge,
// patchesJson6902, also in a subdirectory) and documents with "$patch"
// are not objects: no finding, no error, counted. Rendered, the overlays
// read the patches and the base; only the "$patch" document no
// kustomization lists is left, and skipped.
func TestKustomizePatches(t *testing.T) {
	rep, out := repoRun{name: "kustomize-rendered", paths: []string{"kustomize"}}.run(t)
	if len(rep.Findings) != 0 || len(rep.Errors) != 0 || rep.Summary.Patches != 1 {
		t.Errorf("rendered: want no finding, no error, drop-job.yaml skipped as a patch:\n%s", out)
	}
	// dev renders the Deployment and the Job; prod deletes the Job.
	if rep.Summary.Objects != 3 || rep.Summary.Files != 10 {
		t.Errorf("rendered: %d objects in %d files, want 3 (dev 2, prod 1) in 10:\n%s", rep.Summary.Objects, rep.Summary.Files, out)
	}

	rep, out = repoRun{name: "kustomize", paths: []string{"kustomize"}, kustomize: lint.KustomizeNever}.run(t)
	if len(rep.Findings) != 0 || len(rep.Errors) != 0 {
		t.Errorf("patches linted as objects:\n%s", out)
	}
	if rep.Summary.Patches != 5 {
		t.Errorf("summary counts %d patches, want 5 (memory, remove-debug, replicas, debug-env, drop-job):\n%s", rep.Summary.Patches, out)
	}
	if !strings.Contains(out, "5 kustomize patches skipped") {
		t.Errorf("the summary line does not say so:\n%s", out)
	}
	// The bases' objects are still linted: a broken base is reported.
	if rep.Summary.Objects != 5 {
		t.Errorf("%d objects, want the 2 base objects and 3 kustomizations", rep.Summary.Objects)
	}
}

// TestHelmRender: a committed render is reported under its own path and
// line; on stdin the position is in the stream; the template named by
// "# Source:" is a hint only.
func TestHelmRender(t *testing.T) {
	file := "helmrender/deployments/kubernetes/manifests/deployment.yaml"
	for _, r := range []repoRun{
		{name: "helmrender", paths: []string{file}},
		{name: "helmrender-stdin", paths: []string{"-"}, stdin: file},
	} {
		rep, out := r.run(t)
		want := filepath.Join(repos, file)
		if r.stdin != "" {
			want = "-"
		}
		fs := findingsIn(rep, "", "memory-unit-milli")
		if len(fs) != 1 || fs[0].File != want || fs[0].Line != 49 || fs[0].Column != 21 ||
			!strings.HasSuffix(fs[0].Message, "(rendered from reloader/templates/deployment.yaml)") {
			t.Errorf("%s: want %s:49:21 rendered from reloader/templates/deployment.yaml:\n%s", r.name, want, out)
		}
	}
}

// TestKoImages: ko:// references are resolved by ko at apply time; at most
// an info, with that reason.
func TestKoImages(t *testing.T) {
	rep, out := repoRun{name: "ko", paths: []string{"ko"}}.run(t)
	fs := findingsIn(rep, "config/controller.yaml", "image-name-invalid")
	if len(fs) != 1 || fs[0].Severity != checks.Info || !strings.Contains(fs[0].Message, "ko resolve or ko apply") {
		t.Errorf("want one info naming ko:\n%s", out)
	}
}

// TestSecretPlaceholders: Secret data that was never rendered is called a
// placeholder (and never quoted); plain text in data still gets the
// stringData advice.
func TestSecretPlaceholders(t *testing.T) {
	rep, out := repoRun{name: "placeholders", paths: []string{"placeholders"}}.run(t)
	var placeholders, plain int
	for _, f := range rep.Findings {
		switch {
		case strings.Contains(f.Message, "looks like an unrendered placeholder"):
			placeholders++
		case strings.Contains(f.Message, "use stringData"):
			plain++
		}
		if strings.Contains(f.Message, "CATALOG_RDS_PASSWORD") || strings.Contains(f.Message, "hello world") {
			t.Errorf("a Secret value is quoted: %s", f.Message)
		}
	}
	if placeholders != 2 || plain != 1 {
		t.Errorf("%d placeholder and %d stringData findings, want 2 and 1:\n%s", placeholders, plain, out)
	}
}

// TestHostPortCopies: one chart rendered twice into one stream holds each
// DaemonSet twice; their conflict is reported once, on the later object,
// at its first copy. A DaemonSet in another directory is not compared.
func TestHostPortCopies(t *testing.T) {
	rep, out := repoRun{name: "hostports", paths: []string{"hostports"}}.run(t)
	fs := findingsIn(rep, "", "host-port-conflict")
	if len(fs) != 1 || !strings.HasSuffix(fs[0].File, "renders/all.yaml") || fs[0].Line != 40 ||
		!strings.Contains(fs[0].Message, "DaemonSet/monitoring/node-exporter") {
		t.Errorf("want one conflict at renders/all.yaml:40 (node-agent's first copy) with node-exporter:\n%s", out)
	}
}

// TestKustomizeApplyGroups: each rendered overlay is one apply. The base's
// example LimitRange applies inside each overlay (big's patch breaks it,
// at the patch's line, naming the LimitRange's line in the base; tight's
// patch lowers it, naming the patch; roomy's raises it: nothing), never to
// other/, a directory applied on its own; a Namespace label written by a
// labels transformer is named at its kustomization line. File by file,
// the base alone is fine, the patches are skipped, and nothing is found.
func TestKustomizeApplyGroups(t *testing.T) {
	rep, out := repoRun{name: "kustapply", paths: []string{"kustapply"}}.run(t)
	at := func(dir, rel string) string { return filepath.Join(repos, "kustapply", dir, rel) }
	type want struct{ file, check, via, says string }
	for _, w := range []want{
		{"overlays/big/memory.yaml", "limit-range-violation", "overlays/big", `LimitRange "containers" at ` + at("base", "limitrange.yaml") + ":9"},
		{"base/deployment.yaml", "limit-range-violation", "overlays/tight", `LimitRange "containers" at ` + at("overlays/tight", "limits.yaml") + ":9"},
		{"base/deployment.yaml", "pod-security-violation", "overlays/hardened", "label pod-security.kubernetes.io/enforce at " + at("overlays/hardened", "kustomization.yaml") + ":9"},
	} {
		fs := findingsIn(rep, w.file, w.check)
		if !slices.ContainsFunc(fs, func(f lint.Finding) bool {
			return strings.Contains(f.Message, w.says) && strings.HasSuffix(f.Message, "(kustomize build "+filepath.Join(repos, "kustapply", w.via)+")")
		}) {
			t.Errorf("no %s at %s through %s saying %q:\n%s", w.check, w.file, w.via, w.says, out)
		}
	}
	for _, f := range rep.Findings {
		if strings.Contains(f.File, "other/") || strings.Contains(f.Message, "overlays/roomy") {
			t.Errorf("finding outside the overlays that break the LimitRange: %s: %s", f.File, f.Message)
		}
	}
	if len(rep.Findings) != 3 || len(rep.Errors) != 0 {
		t.Errorf("want exactly the 3 findings above:\n%s", out)
	}

	rep, out = repoRun{name: "kustapply-never", paths: []string{"kustapply"}, kustomize: lint.KustomizeNever}.run(t)
	if len(rep.Findings) != 0 || rep.Summary.Patches != 4 {
		t.Errorf("file by file: want no finding and 4 patches skipped:\n%s", out)
	}
}
