package helm

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/releaseutil"

	"github.com/podlint/podlint/lint/ynode"
	"github.com/podlint/podlint/manifest"
)

// DefaultKubeVersion is the Kubernetes version charts are rendered for
// unless --kube-version says otherwise: the version of the Kubernetes API
// podlint is built against (k8s.io/api v0.37 is Kubernetes 1.37; a test
// holds the two together). Helm's own default, v1.20, makes charts that
// require a recent Kubernetes refuse to render.
const DefaultKubeVersion = "v1.37.0"

// DefaultReleaseName is the release name `helm template` uses when none
// is given.
const DefaultReleaseName = "release-name"

// Options are the `helm template` flags of a run.
type Options struct {
	// ValueFiles are -f/--values files, in order; Set are --set flags.
	ValueFiles, Set []string
	// ReleaseName defaults to DefaultReleaseName.
	ReleaseName string
	// Namespace is .Release.Namespace; empty means "default", as
	// `helm template` without a kubeconfig namespace.
	Namespace string
	// KubeVersion defaults to DefaultKubeVersion.
	KubeVersion string
	// MaxInputBytes caps each file read (chart files, values files).
	MaxInputBytes int64
}

// Object is one object of a render, decoded for the checks.
type Object struct {
	*manifest.Object
	// Group is the apply the object belongs to: one render of one chart.
	Group string
	loc   *locator
}

// Place is where a finding goes.
type Place struct {
	File         string
	Line, Column int
	// Exact is set when File:Line is where the value is written (a
	// template line, a values file line, a file of crds/); else the
	// place is the template at a line of its render, or an archive.
	Exact bool
	// Note says what the place is when it is not plainly where the
	// value is written: the value a line of values.yaml holds, or that
	// the line is one of the render. Render names the render (helm
	// template DIR -f FILE). The caller appends both to the message.
	Note, Render string
}

// Place returns where a finding at field (a field path such as
// spec.template.spec.containers[0].resources.limits[memory]; "" for the
// object) must be fixed.
func (o *Object) Place(field string) Place { return o.loc.place(field) }

// Result is one render of a chart: its objects and its errors.
type Result struct {
	// Group names the render's apply: the chart, and the ci/ values file
	// when there is one.
	Group   string
	Objects []*Object
	Errors  []Error
}

// Chart is a chart directory to render.
type Chart struct {
	Dir  string
	opts Options
	src  *source
	// raw are the chart's files as read, loaded afresh for each render
	// (processing dependencies changes the loaded chart).
	raw []*loader.BufferedFile
}

// Render renders a chart once, or once per ci/*-values.yaml file when
// no values are given and the chart has such files, and says how many
// files of the chart it read. Problems come back as errors; the run goes
// on.
func Render(dir string, opts Options) ([]Result, int) {
	opts = withDefaults(opts)
	group := "helm " + dir
	chartFile := filepath.Join(dir, ChartFile)
	src, err := load(dir, opts.MaxInputBytes)
	if err != nil {
		return []Result{{Group: group, Errors: []Error{loadError(dir, err)}}}, 1
	}
	fail := func(e Error) ([]Result, int) { return []Result{{Group: group, Errors: []Error{e}}}, len(src.files) }
	meta := readMeta(src.files[ChartFile])
	if t := src.chart.Metadata.Type; t != "" && t != "application" {
		return fail(Error{File: chartFile, Line: meta.line("type"), Message: fmt.Sprintf("%s charts are not installable: helm template refuses them; lint a chart that uses it", t)})
	}
	if err := src.chart.Validate(); err != nil {
		return fail(Error{File: chartFile, Message: "invalid chart: " + err.Error()})
	}
	if e, ok := missingDependencies(src.chart, meta, chartFile, dir); ok {
		return fail(e)
	}
	if kv := src.chart.Metadata.KubeVersion; kv != "" && !chartutil.IsCompatibleRange(kv, opts.KubeVersion) {
		return fail(Error{File: chartFile, Line: meta.line("kubeVersion"), Message: fmt.Sprintf("chart requires kubeVersion: %s, which is incompatible with Kubernetes %s (set --kube-version)", kv, opts.KubeVersion)})
	}
	var raw []*loader.BufferedFile
	for name, data := range src.files {
		raw = append(raw, &loader.BufferedFile{Name: name, Data: data})
	}
	slices.SortFunc(raw, func(a, b *loader.BufferedFile) int { return strings.Compare(a.Name, b.Name) })
	c := &Chart{Dir: dir, opts: opts, src: src, raw: raw}

	if len(opts.ValueFiles) == 0 && len(opts.Set) == 0 {
		if ci := ciValues(src); len(ci) > 0 {
			var out []Result
			for _, f := range ci {
				out = append(out, c.render(group+" -f "+f, []string{f}))
			}
			return out, len(src.files)
		}
	}
	return []Result{c.render(group, opts.ValueFiles)}, len(src.files)
}

// loadError places an error of the chart loader: at the line of the
// chart file that does not parse when it names one.
func loadError(dir string, err error) Error {
	msg := err.Error()
	for _, f := range []string{ChartFile, "values.yaml", "Chart.lock", "requirements.yaml", "requirements.lock"} {
		if rest, ok := strings.CutPrefix(msg, "cannot load "+f+": "); ok {
			line, m := yamlErrorLine(errors.New(rest))
			return Error{File: filepath.Join(dir, f), Line: line, Message: "cannot load the chart: " + m}
		}
	}
	return Error{File: filepath.Join(dir, ChartFile), Message: "cannot load the chart: " + msg}
}

// withDefaults fills in what `helm template` defaults.
func withDefaults(opts Options) Options {
	if opts.MaxInputBytes <= 0 {
		opts.MaxInputBytes = 256 << 20
	}
	if opts.ReleaseName == "" {
		opts.ReleaseName = DefaultReleaseName
	}
	if opts.KubeVersion == "" {
		opts.KubeVersion = DefaultKubeVersion
	}
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	return opts
}

// ciValues lists the chart's ci/*-values.yaml files, as chart-testing
// finds them.
func ciValues(src *source) []string {
	var out []string
	for name := range src.files {
		if dir, base := path.Split(name); dir == "ci/" && strings.HasSuffix(base, "-values.yaml") {
			out = append(out, filepath.Join(src.dir, filepath.FromSlash(name)))
		}
	}
	slices.Sort(out)
	return out
}

// render runs one `helm template` of the chart with the given values
// files (and the run's --set flags).
func (c *Chart) render(group string, valueFiles []string) (res Result) {
	res.Group = group
	defer func() {
		// podlint survives any chart, also one Helm chokes on.
		if r := recover(); r != nil {
			res.Objects = nil
			res.Errors = append(res.Errors, Error{File: filepath.Join(c.Dir, ChartFile), Message: fmt.Sprintf("rendering the chart failed: %v", r)})
		}
	}()
	read := func(name string) ([]byte, error) { return ynode.ReadRegular(name, c.opts.MaxInputBytes) }
	uv, errs := mergeValues(valueFiles, c.opts.Set, read)
	if len(errs) > 0 {
		res.Errors = errs
		return res
	}
	ch, err := loadFiles(c.raw)
	if err != nil {
		res.Errors = []Error{{File: filepath.Join(c.Dir, ChartFile), Message: "cannot load the chart: " + err.Error()}}
		return res
	}
	docs, err := renderChart(ch, uv.vals, c.opts)
	if err != nil {
		res.Errors = []Error{c.renderError(err)}
		return res
	}
	r := &render{chart: c, group: group, ch: ch, values: c.valueSources(ch, uv)}
	r.note = "helm template " + c.Dir
	for _, f := range valueFiles {
		r.note += " -f " + f
	}
	r.refs = r.collectRefs(ch, ch.Name())
	for _, t := range allTemplates(ch, ch.Name()) {
		if len(t.scope) > 0 && !slices.Contains(r.scopes, strings.Join(t.scope, ".")) {
			r.scopes = append(r.scopes, strings.Join(t.scope, "."))
		}
	}
	for _, d := range docs {
		objs, errs := r.objects(d)
		res.Objects = append(res.Objects, objs...)
		res.Errors = append(res.Errors, errs...)
	}
	return res
}

// doc is one document of the render, as `helm template` prints it after
// a "# Source: NAME" line.
type doc struct {
	name    string
	content string
	// rendered is the whole render of the template the document is in;
	// "" for a CRD file, which is not a template.
	rendered string
	crd      bool
}

// renderChart renders the chart as Helm's install action does for `helm
// template` (client only, dry run): dependencies processed with the
// values, values validated against the schemas, templates rendered, the
// documents ordered as helm prints them: CRDs, manifests, hooks.
func renderChart(ch *chart.Chart, vals map[string]any, opts Options) ([]doc, error) {
	if err := chartutil.ProcessDependenciesWithMerge(ch, vals); err != nil {
		return nil, err
	}
	kv, err := chartutil.ParseKubeVersion(opts.KubeVersion)
	if err != nil {
		return nil, fmt.Errorf("--kube-version: %w", err)
	}
	caps := chartutil.DefaultCapabilities.Copy()
	caps.KubeVersion = *kv
	ro := chartutil.ReleaseOptions{Name: opts.ReleaseName, Namespace: opts.Namespace, Revision: 1, IsInstall: true}
	values, err := chartutil.ToRenderValuesWithSchemaValidation(ch, vals, ro, caps, false)
	if err != nil {
		return nil, err
	}
	var e engine.Engine
	files, err := e.Render(ch, values)
	if err != nil {
		return nil, err
	}
	for k := range files {
		if strings.HasSuffix(k, "NOTES.txt") {
			delete(files, k)
		}
	}
	hooks, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		return nil, err
	}
	var out []doc
	for _, crd := range ch.CRDObjects() {
		out = append(out, doc{name: crd.Filename, content: string(crd.File.Data), crd: true})
	}
	for _, m := range manifests {
		out = append(out, doc{name: m.Name, content: m.Content, rendered: files[m.Name]})
	}
	for _, h := range hooks {
		out = append(out, doc{name: h.Path, content: h.Manifest, rendered: files[h.Path]})
	}
	return out, nil
}

// ReleaseManifest writes docs the way `helm template` prints them, for
// the comparison with Helm's own template action.
func releaseManifest(docs []doc) string {
	var b strings.Builder
	for _, d := range docs {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", d.name, d.content)
	}
	return b.String()
}

// templateAtRE finds a template position in a Helm error: "(app/templates/x.yaml:12:3)",
// "template: app/templates/x.yaml:12:3: executing ...", "YAML parse error on app/templates/x.yaml".
var templateAtRE = regexp.MustCompile(`([\w.@+-][\w.@+/-]*/(?:templates|crds)/[^\s:()"]+)(?::(\d+))?`)

// renderError places an error of the render: at the template and line
// Helm names, at the schema for a schema failure, else at Chart.yaml.
func (c *Chart) renderError(err error) Error {
	msg := err.Error()
	chartFile := filepath.Join(c.Dir, ChartFile)
	if strings.HasPrefix(msg, "values don't meet the specifications of the schema") {
		file := filepath.Join(c.Dir, "values.schema.json")
		var probs []string
		for _, l := range strings.Split(strings.TrimSpace(msg), "\n")[1:] {
			l = strings.TrimSpace(l)
			if p, ok := strings.CutPrefix(l, "- "); ok {
				probs = append(probs, p)
				continue
			}
			// "name:" introduces the chart whose schema failed.
			if n, ok := strings.CutSuffix(l, ":"); ok && n != c.src.chart.Name() {
				if d, _, arch := c.src.chartDir(c.src.chart.Name() + "/charts/" + n + "/x"); arch != "" {
					file = arch
				} else {
					file = filepath.Join(d, "values.schema.json")
				}
			}
		}
		return Error{File: file, Message: "values do not match the chart's values.schema.json: " + strings.Join(probs, "; ")}
	}
	if m := templateAtRE.FindStringSubmatch(msg); m != nil {
		dir, rel, arch := c.src.chartDir(m[1])
		file := filepath.Join(dir, filepath.FromSlash(rel))
		line, _ := strconv.Atoi(m[2])
		if arch != "" {
			file, line = arch, 0
		}
		return Error{File: file, Line: line, Message: "helm template: " + msg}
	}
	return Error{File: chartFile, Message: "helm template: " + msg}
}

// render is one render of a chart, shared by its objects' locators.
type render struct {
	chart  *Chart
	group  string
	ch     *chart.Chart
	note   string
	values []*valueSource
	// refs are the values paths the templates refer to, by template
	// name, as paths in the top chart's values.
	refs map[string][]string
	// used counts, per template, the documents already matched.
	used map[string][]int
	// scopes are where the subcharts' values are ("db", "db.redis").
	scopes []string
}

// objects decodes one document of the render.
func (r *render) objects(d doc) ([]*Object, []Error) {
	file, start, arch := r.docFile(d)
	text := d.content
	if start > 1 {
		// Parsed where it stands in the template's render, so that
		// positions are lines of that render.
		text = strings.Repeat("\n", start-1) + text
	}
	objs, perrs := manifest.Parse(file, []byte(text))
	var errs []Error
	for _, e := range perrs {
		errs = append(errs, Error{File: file, Line: e.Line, Message: "rendered document: " + e.Message + " (" + r.renderedNote(d) + ")"})
		if arch {
			errs[len(errs)-1].Line = 0
		}
	}
	var root yaml.Node
	_ = yaml.Unmarshal([]byte(text), &root)
	var out []*Object
	for _, o := range objs {
		o.Rendered = ""
		loc := &locator{r: r, d: d, file: file, archive: arch, obj: o, root: objectNode(&root, o)}
		out = append(out, &Object{Object: o, Group: r.group, loc: loc})
	}
	return out, errs
}

func (r *render) renderedNote(d doc) string {
	if d.crd {
		return r.note
	}
	return "line of the render of " + d.name + "; " + r.note
}

// docFile returns the file a document is placed in and the line its
// content starts on in the template's render.
func (r *render) docFile(d doc) (string, int, bool) {
	dir, rel, arch := r.chart.src.chartDir(d.name)
	file := filepath.Join(dir, filepath.FromSlash(rel))
	if arch != "" {
		file = arch
	}
	if d.crd || d.rendered == "" {
		return file, 1, arch != ""
	}
	if r.used == nil {
		r.used = map[string][]int{}
	}
	from := 0
	for {
		i := strings.Index(d.rendered[from:], d.content)
		if i < 0 {
			return file, 1, arch != ""
		}
		at := from + i
		if !slices.Contains(r.used[d.name], at) {
			r.used[d.name] = append(r.used[d.name], at)
			return file, 1 + strings.Count(d.rendered[:at], "\n"), arch != ""
		}
		from = at + 1
	}
}

// objectNode finds the mapping of object o in a parsed document: the
// document's root, or the List item that starts on o's line.
func objectNode(doc *yaml.Node, o *manifest.Object) *yaml.Node {
	if doc == nil || len(doc.Content) == 0 {
		return nil
	}
	root := ynode.Deref(doc.Content[0])
	line, _ := o.Position("")
	if root == nil || root.Line == line {
		return root
	}
	for _, it := range ynode.Items(ynode.Get(root, "items")) {
		if it = ynode.Deref(it); it != nil && it.Line == line {
			return it
		}
	}
	return root
}

// meta is what positions need from a Chart.yaml: the lines of its
// fields and dependencies.
type meta struct {
	root *yaml.Node
}

func readMeta(data []byte) meta {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return meta{}
	}
	return meta{root: ynode.Deref(doc.Content[0])}
}

func (m meta) line(key string) int {
	if k := ynode.Key(m.root, key); k != nil {
		return k.Line
	}
	return 0
}

// missingDependencies reports, as one error, the dependencies Chart.yaml
// lists that charts/ does not hold, as `helm template` refuses them;
// podlint never fetches them.
func missingDependencies(ch *chart.Chart, m meta, chartFile, dir string) (Error, bool) {
	var missing []string
	line := 0
	deps := ynode.Items(ynode.Get(m.root, "dependencies"))
	for i, d := range ch.Metadata.Dependencies {
		if d == nil || slices.ContainsFunc(ch.Dependencies(), func(c *chart.Chart) bool { return c.Name() == d.Name }) {
			continue
		}
		what := strconv.Quote(d.Name)
		if d.Version != "" {
			what += " " + d.Version
		}
		if d.Repository != "" {
			what += " from " + d.Repository
		}
		missing = append(missing, what)
		if line == 0 && i < len(deps) {
			if n := ynode.Get(deps[i], "name"); n != nil {
				line = n.Line
			} else {
				line = deps[i].Line
			}
		}
	}
	if len(missing) == 0 {
		return Error{}, false
	}
	noun := "dependency"
	if len(missing) > 1 {
		noun = "dependencies"
	}
	return Error{File: chartFile, Line: line, Message: fmt.Sprintf(
		"chart %s: %s %s not in charts/ (podlint does not download charts): run `helm dependency build %s` to vendor them, or lint the render: helm template %s | podlint -",
		dir, noun, strings.Join(missing, ", "), dir, dir)}, true
}

// chartName reads the name a Chart.yaml gives.
func chartName(dir string) string {
	data, err := ynode.ReadRegular(filepath.Join(dir, ChartFile), 1<<20)
	if err != nil {
		return ""
	}
	return ynode.Scalar(ynode.Get(readMeta(data).root, "name"))
}

// aliasesOf maps the dependency names of the chart in dir to the aliases
// its Chart.yaml gives them.
func aliasesOf(dir string) map[string][]string {
	data, err := ynode.ReadRegular(filepath.Join(dir, ChartFile), 1<<20)
	if err != nil {
		return nil
	}
	out := map[string][]string{}
	for _, d := range ynode.Items(ynode.Get(readMeta(data).root, "dependencies")) {
		if a := ynode.Scalar(ynode.Get(d, "alias")); a != "" {
			n := ynode.Scalar(ynode.Get(d, "name"))
			out[n] = append(out[n], a)
		}
	}
	return out
}

// CheckFlags validates a release name and a Kubernetes version as
// `helm template` does, for the command line to refuse them up front.
func CheckFlags(releaseName, kubeVersion string) error {
	if releaseName != "" {
		if err := chartutil.ValidateReleaseName(releaseName); err != nil {
			return fmt.Errorf("invalid --release-name %q: %w", releaseName, err)
		}
	}
	if kubeVersion != "" {
		if _, err := chartutil.ParseKubeVersion(kubeVersion); err != nil {
			return fmt.Errorf("invalid --kube-version %q: %w", kubeVersion, err)
		}
	}
	return nil
}
