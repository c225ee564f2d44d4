package helm

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v3/pkg/chart"

	"github.com/podlint/podlint/lint/ynode"
	"github.com/podlint/podlint/manifest"
)

// locator places the findings of one rendered object.
type locator struct {
	r *render
	d doc
	// file is where the document is placed: its template (or CRD file)
	// on disk, or the .tgz a subchart came from (archive).
	file    string
	archive bool
	obj     *manifest.Object
	// root is the object's mapping in the parsed document, at the lines
	// of the template's render.
	root *yaml.Node
}

func (l *locator) place(field string) Place {
	pl := l.find(field)
	pl.Render = l.r.note
	return pl
}

func (l *locator) find(field string) Place {
	line, col := l.obj.Position(field)
	if l.d.crd {
		// A file of crds/ is not a template: its lines are the file's.
		return Place{File: l.file, Line: line, Column: col, Exact: true}
	}
	steps, n, full := ynode.Resolve(l.root, field)
	if v := ynode.Deref(n); full && v != nil && v.Kind == yaml.ScalarNode && v.Value != "" {
		if pl, ok := l.literal(steps, v); ok {
			if l.archive {
				return Place{File: l.file, Line: 1, Column: 1, Note: fmt.Sprintf("written at line %d of %s, in this archive", pl.Line, l.d.name)}
			}
			return pl
		}
		if pl, ok := l.fromValues(field, steps, v); ok {
			return pl
		}
	}
	return l.rendered(line, col, "")
}

// rendered is the fallback place: the template file at the line of its
// render, said to be rendered; in a subchart archive, the archive itself.
func (l *locator) rendered(line, col int, why string) Place {
	if why != "" {
		why += "; "
	}
	if l.archive {
		return Place{File: l.file, Line: 1, Column: 1, Note: fmt.Sprintf("%sline %d of the render of %s, in this archive", why, line, l.d.name)}
	}
	return Place{File: l.file, Line: line, Column: col, Note: fmt.Sprintf("%sline %d of the render of %s", why, line, l.d.name)}
}

// literal places a scalar written as such in the template: a line
// `KEY: VALUE` (quoted or not) with no template action, matched to the
// rendered line by its rank among the same lines of the render.
func (l *locator) literal(steps []ynode.Step, v *yaml.Node) (Place, bool) {
	key := ynode.LastKey(steps)
	if key == "" {
		return Place{}, false
	}
	tmpl := l.template()
	if tmpl == "" {
		return Place{}, false
	}
	want := func(line string) (int, bool) {
		m := keyLineRE.FindStringSubmatchIndex(line)
		if m == nil || unquote(line[m[2]:m[3]]) != key {
			return 0, false
		}
		val := strings.TrimSpace(line[m[4]:m[5]])
		if strings.Contains(val, "{{") || unquote(val) != v.Value {
			return 0, false
		}
		return m[4] + 1, true
	}
	var inTmpl []Place
	for i, line := range strings.Split(tmpl, "\n") {
		if col, ok := want(strings.TrimRight(line, "\r")); ok {
			inTmpl = append(inTmpl, Place{File: l.file, Line: i + 1, Column: col, Exact: true})
		}
	}
	if len(inTmpl) == 0 {
		return Place{}, false
	}
	if len(inTmpl) == 1 {
		return inTmpl[0], true
	}
	// Several: the one of the same rank as the rendered line, when the
	// template and its render have as many.
	rank, count := -1, 0
	for i, line := range strings.Split(l.d.rendered, "\n") {
		if _, ok := want(strings.TrimRight(line, "\r")); ok {
			if i+1 == v.Line {
				rank = count
			}
			count++
		}
	}
	if rank >= 0 && count == len(inTmpl) {
		return inTmpl[rank], true
	}
	return Place{}, false
}

// keyLineRE matches a YAML line `key: value` (in a list item or not),
// with an optional comment after the value.
var keyLineRE = regexp.MustCompile(`^\s*(?:-\s+)*("[^"]*"|'[^']*'|[^\s:#"'][^:#]*?)\s*:\s+(.*?)\s*(?:\s#.*)?$`)

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		if u, err := strconv.Unquote(`"` + strings.ReplaceAll(s[1:len(s)-1], `"`, `\"`) + `"`); err == nil && s[0] == '"' {
			return u
		}
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	}
	return s
}

// template returns the source text of the document's template.
func (l *locator) template() string {
	for _, t := range allTemplates(l.r.ch, l.r.ch.Name()) {
		if t.name == l.d.name {
			return string(t.data)
		}
	}
	return ""
}

type namedTemplate struct {
	name string
	data []byte
	// scope is where the chart's values are in the top chart's values.
	scope []string
}

// allTemplates lists the templates of a chart and its subcharts under the
// names the engine gives them.
func allTemplates(c *chart.Chart, prefix string) []namedTemplate {
	return templatesIn(c, prefix, nil)
}

func templatesIn(c *chart.Chart, prefix string, scope []string) []namedTemplate {
	var out []namedTemplate
	for _, t := range c.Templates {
		if t != nil {
			out = append(out, namedTemplate{name: path.Join(prefix, t.Name), data: t.Data, scope: scope})
		}
	}
	for _, d := range c.Dependencies() {
		out = append(out, templatesIn(d, path.Join(prefix, "charts", d.Name()), append(scope[:len(scope):len(scope)], d.Name()))...)
	}
	return out
}

// valuesRefRE finds .Values.a.b references in a template.
var valuesRefRE = regexp.MustCompile(`\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)`)

// collectRefs lists, per template, the values paths its chart's
// templates refer to, as paths in the top chart's values.
func (r *render) collectRefs(ch *chart.Chart, prefix string) map[string][]string {
	byChart := map[string][]string{}
	tmpls := allTemplates(ch, prefix)
	own := map[string][]string{}
	for _, t := range tmpls {
		scope := strings.Join(t.scope, ".")
		for _, m := range valuesRefRE.FindAllStringSubmatch(string(t.data), -1) {
			full := scopedRef(scopeOf(t.name), strings.TrimPrefix(m[1], "."))
			byChart[scope] = append(byChart[scope], full)
			own[t.name] = append(own[t.name], full)
		}
	}
	out := map[string][]string{}
	for _, t := range tmpls {
		// The template's own references first, then its chart's.
		out[t.name] = append(slices.Clone(own[t.name]), byChart[strings.Join(t.scope, ".")]...)
		out["\x00own "+t.name] = own[t.name]
	}
	return out
}

// valueSources lists the values files of a render in the order Helm
// merges them, lowest first: the subcharts' values.yaml (deepest first),
// the chart's values.yaml, then the user's files and --set flags.
func (c *Chart) valueSources(ch *chart.Chart, uv *userValues) []*valueSource {
	var out []*valueSource
	var walk func(c2 *chart.Chart, tmplPrefix string, scope []string)
	walk = func(c2 *chart.Chart, tmplPrefix string, scope []string) {
		for _, d := range c2.Dependencies() {
			walk(d, path.Join(tmplPrefix, "charts", d.Name()), append(scope[:len(scope):len(scope)], d.Name()))
		}
		dir, _, arch := c.src.chartDir(tmplPrefix + "/x")
		if arch != "" {
			return
		}
		file := filepath.Join(dir, "values.yaml")
		data, err := ynode.ReadRegular(file, c.opts.MaxInputBytes)
		if err != nil {
			return
		}
		out = append(out, fileSource(file, data, scope))
	}
	walk(ch, ch.Name(), nil)
	return append(out, uv.sources...)
}

// fromValues places a scalar that came from a values file at the value's
// line: among the values equal to the rendered one, the one whose file
// wins for its key, preferring keys the template refers to.
func (l *locator) fromValues(field string, steps []ynode.Step, v *yaml.Node) (Place, bool) {
	srcs := l.r.values
	key := ynode.LastKey(steps)
	if key == "" {
		// A list item: the key of the list.
		for i := len(steps) - 1; i >= 0; i-- {
			if !steps[i].Seq {
				key = steps[i].Key
				break
			}
		}
	}
	refs := l.r.refs[l.d.name]
	own := l.r.refs["\x00own "+l.d.name]
	type cand struct {
		src   *valueSource
		path  string
		node  *yaml.Node
		score int
	}
	var best []cand
	top := -1
	winner := func(p string) *valueSource {
		for i := len(srcs) - 1; i >= 0; i-- {
			if srcs[i].paths[p] {
				return srcs[i]
			}
		}
		return nil
	}
	scope := scopeOf(l.d.name)
	onLine := l.keyLineRefs(key, scope)
	subs := l.r.scopes
	consider := func(src *valueSource, p string, n *yaml.Node) {
		if winner(p) != src {
			return
		}
		// Without a reference, only a key of the template's own chart.
		inScope := strings.HasPrefix(p, scope) || strings.HasPrefix(p, "global.")
		if scope == "" {
			inScope = !hasPrefixRef(subs, p)
		}
		last := p[strings.LastIndexByte(p, '.')+1:]
		score := 0
		switch {
		case slices.Contains(onLine, p):
			// Written on the template line of the field's key.
			score = 7
		case last == key && slices.Contains(own, p):
			score = 6
		case last == key && slices.Contains(refs, p):
			score = 5
		case last == key && hasPrefixRef(own, p):
			score = 4
		case last == key && hasPrefixRef(refs, p):
			score = 3
		case slices.Contains(own, p):
			score = 2
		case last == key && inScope:
			score = 1
		}
		if score == 0 {
			return
		}
		c := cand{src, p, n, score}
		switch {
		case score > top:
			top, best = score, []cand{c}
		case score == top:
			best = append(best, c)
		}
	}
	for _, src := range srcs {
		for p, n := range src.leaves {
			if n.Value == v.Value {
				consider(src, p, n)
			}
		}
		for p, s := range src.set {
			if s == v.Value {
				consider(src, p, nil)
			}
		}
	}
	if len(best) != 1 {
		return Place{}, false
	}
	c := best[0]
	if c.node == nil {
		// From --set: no file holds it.
		line, col := l.obj.Position(field)
		return l.rendered(line, col, "value "+c.path+" from "+c.src.label), true
	}
	return Place{File: c.src.file, Line: c.node.Line, Column: c.node.Column, Exact: true, Note: "value " + c.path + " used by " + l.d.name}, true
}

// keyLineRefs lists the values paths referred to on the template's lines
// of key (memory: {{ .Values.mem }}), as paths in the top chart's values.
func (l *locator) keyLineRefs(key, scope string) []string {
	if key == "" {
		return nil
	}
	var out []string
	for _, line := range strings.Split(l.template(), "\n") {
		m := keyLineRE.FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m == nil || unquote(m[1]) != key {
			continue
		}
		for _, r := range valuesRefRE.FindAllStringSubmatch(m[2], -1) {
			out = append(out, scopedRef(scope, strings.TrimPrefix(r[1], ".")))
		}
	}
	return out
}

// scopedRef turns a .Values path of a template whose chart's values are
// at scope into a path in the top chart's values.
func scopedRef(scope, p string) string {
	if scope == "" || p == "global" || strings.HasPrefix(p, "global.") {
		return p
	}
	return scope + p
}

// scopeOf returns where the values of a template's chart are in the top
// chart's values: "" for the top chart, "db." for charts/db, with a
// trailing dot.
func scopeOf(tmpl string) string {
	parts := strings.Split(tmpl, "/")
	var scope []string
	for i := 1; i+1 < len(parts); i++ {
		if parts[i] == "charts" {
			scope = append(scope, parts[i+1])
			i++
		} else {
			break
		}
	}
	if len(scope) == 0 {
		return ""
	}
	return strings.Join(scope, ".") + "."
}

// hasPrefixRef tells whether a reference names a map above path p (a
// toYaml of the whole map).
func hasPrefixRef(refs []string, p string) bool {
	for _, r := range refs {
		if strings.HasPrefix(p, r+".") {
			return true
		}
	}
	return false
}
