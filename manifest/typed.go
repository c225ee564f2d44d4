package manifest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podlint/podlint/checks"
)

// maxNodes bounds the work for one object: aliases can make a small
// document expand exponentially ("billion laughs").
const (
	maxNodes = 1 << 20
	maxDepth = 500
	maxJSON  = 16 << 20
)

// decoder fills a typed object from a node tree, the way the API server
// would decode the JSON kubectl sends, and records every value it has to
// drop as a schema issue.
type decoder struct {
	delta  int
	issues []checks.SchemaIssue
	path   []pathElem
	nodes  int
	depth  int
	tooBig bool
}

type pathElem struct {
	name  string
	index int // -1 for names and keys
	key   bool
}

func (d *decoder) pathString() string {
	var b strings.Builder
	for i, e := range d.path {
		switch {
		case e.index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.index))
			b.WriteByte(']')
		case e.key:
			b.WriteByte('[')
			b.WriteString(e.name)
			b.WriteByte(']')
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e.name)
		}
	}
	return b.String()
}

func (d *decoder) issue(n *yaml.Node, format string, args ...any) {
	d.issues = append(d.issues, checks.SchemaIssue{
		Field:   d.pathString(),
		Message: fmt.Sprintf(format, args...),
		Line:    n.Line + d.delta,
		Column:  n.Column,
	})
}

func (d *decoder) decodeRoot(n *yaml.Node, obj runtime.Object) {
	d.decode(n, reflect.ValueOf(obj).Elem())
}

var (
	quantityType    = reflect.TypeFor[resource.Quantity]()
	intOrStringType = reflect.TypeFor[intstr.IntOrString]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	bytesType       = reflect.TypeFor[[]byte]()
)

// decode stores n into v, which is settable and zero.
func (d *decoder) decode(n *yaml.Node, v reflect.Value) {
	n = deref(n)
	if n == nil {
		return
	}
	d.nodes++
	if d.nodes > maxNodes || d.depth > maxDepth || d.tooBig {
		d.exhausted(n)
		return
	}
	d.depth++
	defer func() { d.depth-- }()
	if isNull(n) {
		// JSON null leaves a value unset.
		return
	}
	t := v.Type()
	switch t {
	case quantityType:
		d.quantity(n, v)
		return
	case intOrStringType:
		d.intOrString(n, v)
		return
	case bytesType:
		d.bytes(n, v)
		return
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && reflect.PointerTo(t).Implements(unmarshalerType) {
		d.unmarshaler(n, v)
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		e := reflect.New(t.Elem())
		d.decode(n, e.Elem())
		v.Set(e)
	case reflect.Struct:
		d.structure(n, v)
	case reflect.Map:
		d.mapping(n, v)
	case reflect.Slice:
		d.sequence(n, v)
	case reflect.String:
		if s, ok := d.str(n); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		if tag := scalarTag(n); tag != "!!bool" {
			d.wrongType(n, tag, "a boolean (true or false)")
			return
		}
		v.SetBool(yamlBool(n.Value))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, ok := d.integer(n, t)
		if ok {
			v.SetInt(i)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		i, ok := d.integer(n, t)
		if ok {
			if i < 0 {
				d.issue(n, "%s is negative where Kubernetes expects an unsigned integer", n.Value)
				return
			}
			v.SetUint(uint64(i))
		}
	case reflect.Float32, reflect.Float64:
		f, ok := d.float(n)
		if ok {
			v.SetFloat(f)
		}
	case reflect.Interface:
		if t.NumMethod() == 0 {
			var x any
			if err := json.Unmarshal(d.toJSON(n), &x); err == nil {
				v.Set(reflect.ValueOf(&x).Elem())
			}
		}
	}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && scalarTag(n) == "!!null"
}

// scalarTag resolves a scalar the way kubectl's YAML reader (YAML 1.1)
// does, which is what the API server ends up seeing: unquoted yes, on, off
// and friends are booleans, and timestamps are plain strings.
func scalarTag(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		switch n.Kind {
		case yaml.MappingNode:
			return "!!map"
		case yaml.SequenceNode:
			return "!!seq"
		}
		return ""
	}
	tag := n.ShortTag()
	switch tag {
	case "!!str":
		if n.Style == 0 && yaml11Bool[n.Value] {
			return "!!bool"
		}
	case "!!timestamp", "!!binary":
		return "!!str"
	}
	return tag
}

var yaml11Bool = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"n": true, "N": true, "no": true, "No": true, "NO": true,
	"true": true, "True": true, "TRUE": true,
	"false": true, "False": true, "FALSE": true,
	"on": true, "On": true, "ON": true,
	"off": true, "Off": true, "OFF": true,
}

func yamlBool(s string) bool {
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
		return true
	}
	return false
}

func describe(n *yaml.Node, tag string) string {
	switch tag {
	case "!!map":
		return "a mapping"
	case "!!seq":
		return "a list"
	case "!!int", "!!float":
		return n.Value + " (a number)"
	case "!!bool":
		return n.Value + " (a boolean)"
	case "!!str":
		return strconv.Quote(n.Value) + " (a string)"
	}
	return strconv.Quote(n.Value)
}

func (d *decoder) wrongType(n *yaml.Node, tag, want string) {
	hint := ""
	if tag == "!!int" || tag == "!!float" || tag == "!!bool" {
		if want == "a string" {
			hint = fmt.Sprintf("; quote it: %q", n.Value)
		}
	}
	if tag == "!!str" && checks.Placeholder(n.Value) {
		hint = " (an unrendered template placeholder?)"
	}
	d.issue(n, "%s where Kubernetes expects %s: the API server rejects the object%s", describe(n, tag), want, hint)
}

func (d *decoder) str(n *yaml.Node) (string, bool) {
	if tag := scalarTag(n); tag != "!!str" {
		d.wrongType(n, tag, "a string")
		return "", false
	}
	return n.Value, true
}

func (d *decoder) integer(n *yaml.Node, t reflect.Type) (int64, bool) {
	tag := scalarTag(n)
	var i int64
	switch tag {
	case "!!int":
		var err error
		i, err = strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
		if err != nil {
			d.issue(n, "%s is not an integer Kubernetes can read", n.Value)
			return 0, false
		}
	case "!!float":
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			d.wrongType(n, tag, "an integer")
			return 0, false
		}
		i = int64(f)
	default:
		d.wrongType(n, tag, "an integer")
		return 0, false
	}
	if t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64 && reflect.Zero(t).OverflowInt(i) ||
		t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64 && i >= 0 && reflect.Zero(t).OverflowUint(uint64(i)) {
		d.issue(n, "%s does not fit in a %s", n.Value, t.Kind())
		return 0, false
	}
	return i, true
}

func (d *decoder) float(n *yaml.Node) (float64, bool) {
	tag := scalarTag(n)
	if tag != "!!int" && tag != "!!float" {
		d.wrongType(n, tag, "a number")
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
	if err != nil {
		if i, err2 := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err2 == nil {
			return float64(i), true
		}
		d.issue(n, "%s is not a number Kubernetes can read", n.Value)
		return 0, false
	}
	return f, true
}

func (d *decoder) quantity(n *yaml.Node, v reflect.Value) {
	tag := scalarTag(n)
	if tag != "!!str" && tag != "!!int" && tag != "!!float" {
		d.wrongType(n, tag, "a quantity such as 500m, 1Gi or 2")
		return
	}
	q, err := resource.ParseQuantity(strings.TrimSpace(n.Value))
	if err != nil {
		hint := ""
		if checks.Placeholder(n.Value) {
			hint = " (an unrendered template placeholder?)"
		}
		d.issue(n, "%q is not a quantity Kubernetes can parse%s: the API server rejects the object", n.Value, hint)
		return
	}
	v.Set(reflect.ValueOf(q))
}

func (d *decoder) intOrString(n *yaml.Node, v reflect.Value) {
	switch tag := scalarTag(n); tag {
	case "!!str":
		v.Set(reflect.ValueOf(intstr.FromString(n.Value)))
	case "!!int":
		i, ok := d.integer(n, reflect.TypeFor[int32]())
		if ok {
			v.Set(reflect.ValueOf(intstr.FromInt32(int32(i))))
		}
	default:
		d.wrongType(n, tag, "an integer or a string")
	}
}

func (d *decoder) bytes(n *yaml.Node, v reflect.Value) {
	s, ok := d.str(n)
	if !ok {
		return
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		// The value is never quoted: it may be a secret.
		switch {
		case checks.Placeholder(s):
			d.issue(n, "the value looks like an unrendered placeholder, not base64 data: the API server rejects the object; render the manifest before applying it")
		case len(d.path) == 2 && d.path[0].name == "data":
			d.issue(n, "the value is not valid base64 (use stringData for plain text): the API server rejects the object")
		default:
			d.issue(n, "the value is not valid base64: the API server rejects the object")
		}
		return
	}
	v.SetBytes(b)
}

// unmarshaler hands the value, as JSON, to the type's own decoder (Time,
// Duration, RawExtension, …), like the API server does.
func (d *decoder) unmarshaler(n *yaml.Node, v reflect.Value) {
	u := v.Addr().Interface().(json.Unmarshaler)
	if err := u.UnmarshalJSON(d.toJSON(n)); err != nil {
		d.issue(n, "%s cannot be read: %s", describe(n, scalarTag(n)), strings.TrimPrefix(err.Error(), "json: "))
	}
}

func (d *decoder) sequence(n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.SequenceNode {
		d.wrongType(n, scalarTag(n), "a list")
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, c := range n.Content {
		d.path = append(d.path, pathElem{index: i})
		d.decode(c, s.Index(i))
		d.path = d.path[:len(d.path)-1]
	}
	v.Set(s)
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, scalarTag(n), "a mapping")
		return
	}
	t := v.Type()
	kt, vt := t.Key(), t.Elem()
	if kt.Kind() != reflect.String {
		return
	}
	pairs := d.pairs(n, true)
	m := reflect.MakeMapWithSize(t, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		k, ok := d.key(pairs[i])
		if !ok {
			continue
		}
		d.path = append(d.path, pathElem{name: k, index: -1, key: true})
		e := reflect.New(vt).Elem()
		before := len(d.issues)
		d.decode(pairs[i+1], e)
		// A scalar that could not be read is dropped, not kept as a zero
		// value that checks would mistake for one the user wrote.
		if len(d.issues) == before || pairs[i+1].Kind != yaml.ScalarNode {
			m.SetMapIndex(reflect.ValueOf(k).Convert(kt), e)
		}
		d.path = d.path[:len(d.path)-1]
	}
	v.Set(m)
}

func (d *decoder) structure(n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, scalarTag(n), "a mapping")
		return
	}
	info := structInfo(v.Type())
	pairs := d.pairs(n, false)
	for i := 0; i+1 < len(pairs); i += 2 {
		k, ok := d.key(pairs[i])
		if !ok {
			continue
		}
		d.path = append(d.path, pathElem{name: k, index: -1})
		f, ok := info.fields[k]
		if !ok {
			msg := fmt.Sprintf("unknown field %q: kubectl rejects it (strict field validation), and without validation the API server silently drops it", k)
			if s := suggest(k, info.names); s != "" {
				msg = fmt.Sprintf("unknown field %q, did you mean %q? kubectl rejects it (strict field validation), and without validation the API server silently drops it", k, s)
			}
			d.issue(pairs[i], "%s", msg)
		} else {
			d.decode(pairs[i+1], fieldByIndex(v, f))
		}
		d.path = d.path[:len(d.path)-1]
	}
}

// key returns a mapping key as JSON would name it.
func (d *decoder) key(k *yaml.Node) (string, bool) {
	k = deref(k)
	if k == nil || k.Kind != yaml.ScalarNode {
		if k != nil {
			d.issue(k, "a mapping key must be a plain value: the API server rejects the object")
		}
		return "", false
	}
	return k.Value, true
}

// pairs returns the key/value nodes of a mapping with merge keys expanded
// and duplicate keys reported (the later value wins, as in JSON). Merged
// pairs count against the object's node budget like aliases do: anchors
// that merge each other nine deep (<<: [*m8, *m8, ...]) expand to billions
// of pairs from a few hundred bytes. The expansion is counted before it is
// made; past the budget only the mapping's own pairs are kept.
func (d *decoder) pairs(n *yaml.Node, keys bool) []*yaml.Node {
	c := n.Content
	at := -1
	for i := 0; i+1 < len(c); i += 2 {
		if isMerge(c[i]) {
			at = i
			break
		}
	}
	if at >= 0 && !d.spend(c[at], mergedCount(n, 0, map[mergeKey]int{})) {
		own := make([]*yaml.Node, 0, len(c))
		for i := 0; i+1 < len(c); i += 2 {
			if !isMerge(c[i]) {
				own = append(own, c[i], c[i+1])
			}
		}
		return own
	}
	return d.mergedPairs(n, keys, 0)
}

func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge"
}

type mergeKey struct {
	n     *yaml.Node
	depth int
}

// mergedCount is how many pairs mergedPairs returns for n, computed once
// per anchor (memo) so that counting an exponential expansion stays
// linear; it saturates just past the budget.
func mergedCount(n *yaml.Node, depth int, memo map[mergeKey]int) int {
	if v, ok := memo[mergeKey{n, depth}]; ok {
		return v
	}
	c := n.Content
	total := 0
	for i := 0; i+1 < len(c); i += 2 {
		if !isMerge(c[i]) || depth > 10 {
			total++
			continue
		}
		src := deref(c[i+1])
		if src == nil {
			continue
		}
		switch src.Kind {
		case yaml.MappingNode:
			total += mergedCount(src, depth+1, memo)
		case yaml.SequenceNode:
			for _, s := range src.Content {
				if s = deref(s); s != nil && s.Kind == yaml.MappingNode {
					total += mergedCount(s, depth+1, memo)
				}
			}
		}
		total = min(total, maxNodes+1)
	}
	memo[mergeKey{n, depth}] = total
	return total
}

// spend counts n nodes of expansion against the object's budget; false
// (and one issue at at, for the whole object) when it is exhausted.
func (d *decoder) spend(at *yaml.Node, n int) bool {
	d.nodes += n
	if d.nodes <= maxNodes && !d.tooBig {
		return true
	}
	d.exhausted(at)
	return false
}

// exhausted reports, once per object, that the object is too big to read.
func (d *decoder) exhausted(at *yaml.Node) {
	if !d.tooBig {
		d.tooBig = true
		d.issue(at, "the object is too large or too deeply nested (more than %d values or %d levels, counting what aliases and merge keys expand to); the rest is not read", maxNodes, maxDepth)
	}
}

func (d *decoder) mergedPairs(n *yaml.Node, keys bool, depth int) []*yaml.Node {
	c := n.Content
	merged := false
	for i := 0; i+1 < len(c); i += 2 {
		if isMerge(c[i]) {
			merged = true
			break
		}
	}
	if len(c) > 2 {
		d.duplicates(c, keys)
	}
	if !merged || depth > 10 {
		// Merges nested this deep only arise from anchors that merge
		// themselves.
		return c
	}
	var base, own []*yaml.Node
	for i := 0; i+1 < len(c); i += 2 {
		if isMerge(c[i]) {
			src := deref(c[i+1])
			if src == nil {
				continue
			}
			switch src.Kind {
			case yaml.MappingNode:
				base = append(base, d.mergedPairs(src, keys, depth+1)...)
			case yaml.SequenceNode:
				for _, s := range src.Content {
					if s = deref(s); s != nil && s.Kind == yaml.MappingNode {
						base = append(base, d.mergedPairs(s, keys, depth+1)...)
					}
				}
			}
			continue
		}
		own = append(own, c[i], c[i+1])
	}
	return append(base, own...)
}

func (d *decoder) duplicates(c []*yaml.Node, keys bool) {
	if len(c) <= 32 {
		for i := 2; i+1 < len(c); i += 2 {
			k := c[i]
			if k.Kind != yaml.ScalarNode {
				continue
			}
			for j := 0; j < i; j += 2 {
				if c[j].Kind == yaml.ScalarNode && c[j].Value == k.Value {
					d.duplicate(c[j:j+2], c[i:i+2], keys)
					break
				}
			}
		}
		return
	}
	seen := make(map[string]int, len(c)/2)
	for i := 0; i+1 < len(c); i += 2 {
		k := c[i]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		if j, ok := seen[k.Value]; ok {
			d.duplicate(c[j:j+2], c[i:i+2], keys)
			continue
		}
		seen[k.Value] = i
	}
}

// duplicateKeys reports repeated keys anywhere under n, for objects whose
// schema podlint does not know. Aliases are not followed: their target is
// checked where it is defined.
func (d *decoder) duplicateKeys(n *yaml.Node, depth int) {
	if n == nil || depth > maxDuplicateDepth {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		if len(n.Content) > 2 {
			d.duplicates(n.Content, false)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.path = append(d.path, pathElem{name: n.Content[i].Value, index: -1})
			d.duplicateKeys(n.Content[i+1], depth+1)
			d.path = d.path[:len(d.path)-1]
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			d.path = append(d.path, pathElem{index: i})
			d.duplicateKeys(c, depth+1)
			d.path = d.path[:len(d.path)-1]
		}
	}
}

// maxDuplicateDepth bounds the walk over unknown objects; real manifests
// nest a few dozen levels at most.
const maxDuplicateDepth = 200

// duplicate reports the second of two pairs with the same key. Real
// manifests often repeat a key with the very same value (a pasted
// selector): then nothing is lost, and the issue is only harmless.
func (d *decoder) duplicate(first, second []*yaml.Node, keys bool) {
	fk, sk := first[0], second[0]
	if fk.ShortTag() == "!!merge" {
		return
	}
	d.path = append(d.path, pathElem{name: sk.Value, index: -1, key: keys})
	if bytes.Equal(d.toJSON(first[1]), d.toJSON(second[1])) {
		d.issue(sk, "duplicate key %q (first at line %d) with the same value: nothing is lost, but YAML forbids repeated keys and strict parsers reject the document", sk.Value, fk.Line+d.delta)
		d.issues[len(d.issues)-1].Harmless = true
	} else {
		d.issue(sk, "duplicate key %q (first at line %d): the first value is silently lost", sk.Value, fk.Line+d.delta)
	}
	d.path = d.path[:len(d.path)-1]
}

// typeInfo is what decoding needs to know about a struct type.
type typeInfo struct {
	fields map[string][]int
	// types are the fields' types, by the same names.
	types map[string]reflect.Type
	names []string
}

// structInfos caches reflection over the API types, like encoding/json
// does; entries are computed once per type and never change.
var structInfos sync.Map // reflect.Type -> *typeInfo

func structInfo(t reflect.Type) *typeInfo {
	if v, ok := structInfos.Load(t); ok {
		return v.(*typeInfo)
	}
	info := &typeInfo{fields: map[string][]int{}, types: map[string]reflect.Type{}}
	collectFields(t, nil, info)
	v, _ := structInfos.LoadOrStore(t, info)
	return v.(*typeInfo)
}

func collectFields(t reflect.Type, index []int, info *typeInfo) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		idx := append(append([]int(nil), index...), i)
		ft := f.Type
		if f.Anonymous && name == "" || strings.Contains(","+opts+",", ",inline,") {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				collectFields(ft, idx, info)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := info.fields[name]; dup {
			continue
		}
		info.fields[name] = idx
		info.types[name] = f.Type
		info.names = append(info.names, name)
	}
}

// fieldByIndex is reflect.Value.FieldByIndex that allocates embedded
// pointers on the way.
func fieldByIndex(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// suggest picks the field name closest to a misspelt one, or "".
func suggest(k string, names []string) string {
	best, bestD := "", -1
	lk := strings.ToLower(k)
	for _, n := range names {
		d := editDistance(lk, strings.ToLower(n))
		if n != k && strings.EqualFold(n, k) {
			d = 0
		}
		if bestD < 0 || d < bestD {
			best, bestD = n, d
		}
	}
	limit := max(2, len(k)/3)
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// toJSON renders a node as the JSON kubectl would send for it. The nodes
// it renders count against the object's budget: aliases can make a small
// document render huge, and a render per duplicate key would otherwise
// repeat that cost without bound.
func (d *decoder) toJSON(n *yaml.Node) []byte {
	w := jsonWriter{budget: max(0, maxNodes-d.nodes)}
	w.write(n, 0)
	if !d.spend(n, w.nodes) {
		return []byte("null")
	}
	return w.b.Bytes()
}

// jsonWriter renders nodes as JSON, at most budget of them and maxJSON
// bytes; past either it writes null.
type jsonWriter struct {
	b      bytes.Buffer
	nodes  int
	budget int
}

func (w *jsonWriter) write(n *yaml.Node, depth int) {
	b := &w.b
	n = deref(n)
	w.nodes++
	if n == nil || depth > maxDepth || b.Len() > maxJSON || w.nodes > w.budget {
		b.WriteString("null")
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k := deref(n.Content[i])
			ks := ""
			if k != nil {
				ks = k.Value
			}
			writeString(b, ks)
			b.WriteByte(':')
			w.write(n.Content[i+1], depth+1)
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			w.write(c, depth+1)
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		switch scalarTag(n) {
		case "!!null":
			b.WriteString("null")
		case "!!bool":
			b.WriteString(strconv.FormatBool(yamlBool(n.Value)))
		case "!!int":
			if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
				b.WriteString(strconv.FormatInt(i, 10))
			} else {
				writeString(b, n.Value)
			}
		case "!!float":
			if f, err := strconv.ParseFloat(n.Value, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
			} else {
				writeString(b, n.Value)
			}
		default:
			writeString(b, n.Value)
		}
	default:
		b.WriteString("null")
	}
}

func writeString(b *bytes.Buffer, s string) {
	j, _ := json.Marshal(s)
	b.Write(j)
}
