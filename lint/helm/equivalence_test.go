package helm

import (
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/release"

	"github.com/podlint/podlint/lint/ynode"
)

// TestSameAsHelmTemplate renders every chart of the tests with podlint's
// renderer and with the Helm SDK's own template action (Install with
// DryRun, ClientOnly, Replace and IncludeCRDs, what `helm template
// --include-crds` runs), and asks for the same documents in the same
// order, hooks included.
func TestSameAsHelmTemplate(t *testing.T) {
	cases := []struct {
		name   string
		dir    string
		values []string
		set    []string
		opts   Options
	}{
		{name: "shop", dir: "../testdata/helm/shop", values: []string{"../testdata/helm/shop/ci/large-values.yaml"}},
		{name: "shop small", dir: "../testdata/helm/shop", values: []string{"../testdata/helm/shop/ci/small-values.yaml"}},
		{name: "shop prod set", dir: "../testdata/helm/shop", values: []string{"../testdata/helmvalues/prod-values.yaml"}, set: []string{"db.memory=2000m,cache.enabled=false"}},
		{name: "plain", dir: "../testdata/helm/plain", opts: Options{ReleaseName: "api", Namespace: "shop", KubeVersion: "v1.30.0"}},
		{name: "plain defaults", dir: "../testdata/helm/plain"},
		{name: "webhook chart", dir: "../../manifests/chart/podlint-webhook"},
		{name: "webhook chart cert-manager", dir: "../../manifests/chart/podlint-webhook", set: []string{"certMode=cert-manager"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.ValueFiles, opts.Set = tc.values, tc.set
			results, _ := Render(tc.dir, opts)
			if len(results) != 1 {
				t.Fatalf("%d renders, want 1", len(results))
			}
			if len(results[0].Errors) > 0 {
				t.Fatalf("render errors: %v", results[0].Errors)
			}
			opts = withDefaults(opts)
			got := podlintManifest(t, tc.dir, opts)
			want := helmTemplate(t, tc.dir, opts)
			if got != want {
				t.Errorf("podlint's render differs from helm's template action\n--- podlint ---\n%s\n--- helm ---\n%s", got, want)
			}
			if len(results[0].Objects) == 0 {
				t.Error("no objects")
			}
		})
	}
}

// TestSameErrorsAsHelmTemplate: a chart Helm refuses to render, podlint
// refuses with Helm's message.
func TestSameErrorsAsHelmTemplate(t *testing.T) {
	for _, tc := range []struct{ dir, set string }{
		{"../testdata/helm/required", ""},
		{"../testdata/helm/broken", ""},
		{"../testdata/helm/plain", "replicas=many"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			opts := withDefaults(Options{})
			if tc.set != "" {
				opts.Set = []string{tc.set}
			}
			src, err := load(tc.dir, opts.MaxInputBytes)
			if err != nil {
				t.Fatal(err)
			}
			uv, _ := mergeValues(nil, opts.Set, nil)
			_, perr := renderChart(src.chart, uv.vals, opts)
			herr := helmTemplateErr(t, tc.dir, opts)
			if perr == nil || herr == nil || perr.Error() != herr.Error() {
				t.Errorf("podlint: %v\nhelm:    %v", perr, herr)
			}
			results, _ := Render(tc.dir, opts)
			if len(results) != 1 || len(results[0].Errors) != 1 || len(results[0].Objects) != 0 {
				t.Errorf("want one render with one error, got %+v", results)
			}
		})
	}
}

// podlintManifest renders as Render does and prints the documents as
// `helm template` does.
func podlintManifest(t *testing.T, dir string, opts Options) string {
	t.Helper()
	opts = withDefaults(opts)
	src, err := load(dir, opts.MaxInputBytes)
	if err != nil {
		t.Fatal(err)
	}
	uv, errs := mergeValues(opts.ValueFiles, opts.Set, func(n string) ([]byte, error) { return ynode.ReadRegular(n, opts.MaxInputBytes) })
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	docs, err := renderChart(src.chart, uv.vals, opts)
	if err != nil {
		t.Fatal(err)
	}
	return releaseManifest(docs)
}

// helmTemplate runs Helm's own template action.
func helmTemplate(t *testing.T, dir string, opts Options) string {
	t.Helper()
	rel, err := helmInstall(t, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	// As `helm template` prints it: the manifest, then every hook.
	var b strings.Builder
	b.WriteString(rel.Manifest)
	for _, h := range rel.Hooks {
		b.WriteString("---\n# Source: " + h.Path + "\n" + h.Manifest + "\n")
	}
	return b.String()
}

func helmTemplateErr(t *testing.T, dir string, opts Options) error {
	t.Helper()
	_, err := helmInstall(t, dir, opts)
	return err
}

func helmInstall(t *testing.T, dir string, opts Options) (*release.Release, error) {
	t.Helper()
	ch, err := loader.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	vals := map[string]any{}
	for _, f := range opts.ValueFiles {
		m, err := chartutil.ReadValuesFile(f)
		if err != nil {
			t.Fatal(err)
		}
		vals = mergeMaps(vals, m)
	}
	for _, s := range opts.Set {
		if err := ParseSet(s, vals); err != nil {
			t.Fatal(err)
		}
	}
	client := action.NewInstall(&action.Configuration{})
	client.DryRun = true
	client.DryRunOption = "client"
	client.ClientOnly = true
	client.Replace = true
	client.IncludeCRDs = true
	client.ReleaseName = opts.ReleaseName
	client.Namespace = opts.Namespace
	kv, err := chartutil.ParseKubeVersion(opts.KubeVersion)
	if err != nil {
		t.Fatal(err)
	}
	client.KubeVersion = kv
	return client.RunWithContext(t.Context(), ch, vals)
}
