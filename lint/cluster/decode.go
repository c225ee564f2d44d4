package cluster

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/checks/inventory"
)

// The per-kind shapes below hold only what podlint keeps. None has a data or
// stringData field: a Secret's values are skipped by the decoder and never
// held in memory.
type nameMeta struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

type podSpec struct {
	NodeName string `json:"nodeName,omitempty"`
}

type podStatus struct {
	Phase corev1.PodPhase `json:"phase,omitempty"`
}

type podItem struct {
	Metadata nameMeta  `json:"metadata"`
	Spec     podSpec   `json:"spec"`
	Status   podStatus `json:"status"`
}

type secretItem struct {
	Metadata nameMeta          `json:"metadata"`
	Type     corev1.SecretType `json:"type"`
}

type namedItemIn struct {
	Metadata nameMeta `json:"metadata"`
}

type listMeta struct {
	Annotations map[string]string `json:"annotations" yaml:"annotations"`
}

// unit is one object's source: JSON, or a YAML list item converted to JSON
// by the worker that decodes it.
type unit struct {
	src  []byte
	yaml bool
	// line is where a YAML item or document starts, for errors; JSON
	// straight from the file is placed by its byte offset instead.
	line int
}

// PositionError is a snapshot that could not be decoded, placed at a line
// of the file and, for JSON, a byte offset (a kubectl -o json snapshot may
// be one line of 200 MB).
type PositionError struct {
	File string
	// Line is 1-based; 0 when unknown.
	Line int
	// Offset is the byte offset in the file (0-based); -1 when unknown.
	Offset int64
	Err    error
}

// Message is the error without the file and line.
func (e *PositionError) Message() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("byte %d: %v", e.Offset, e.Err)
	}
	return e.Err.Error()
}

func (e *PositionError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message())
	}
	return e.File + ": " + e.Message()
}

func (e *PositionError) Unwrap() error { return e.Err }

// offsetIn returns where sub starts in data, or -1 when sub is not a
// slice of data's array (JSON converted from YAML).
func offsetIn(data, sub []byte) int64 {
	if cap(sub) == 0 || cap(data) == 0 || cap(sub) > cap(data) ||
		&data[:cap(data)][cap(data)-1] != &sub[:cap(sub)][cap(sub)-1] {
		return -1
	}
	return int64(cap(data) - cap(sub))
}

// at places err, which happened at byte rel of sub (a slice of data) or,
// when sub is not from data, at line.
func at(name string, data, sub []byte, rel int64, line int, err error) *PositionError {
	e := &PositionError{File: name, Line: line, Offset: -1, Err: err}
	if off := offsetIn(data, sub); off >= 0 {
		e.Offset = off + rel
		e.Line = bytes.Count(data[:min(e.Offset, int64(len(data)))], []byte("\n")) + 1
	}
	return e
}

// errorOffset is where encoding/json or the scanner says err happened, in
// the value it read.
func errorOffset(err error) int64 {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var sc *scanError
	switch {
	case errors.As(err, &syn):
		return max(0, syn.Offset-1)
	case errors.As(err, &typ):
		return max(0, typ.Offset-1)
	case errors.As(err, &sc):
		return int64(len(sc.whole) - len(sc.rest))
	}
	return 0
}

// LoadSnapshotFile reads a snapshot file; see DecodeSnapshot.
func LoadSnapshotFile(path string) (*Snapshot, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading cluster snapshot: %w", err)
	}
	return DecodeSnapshot(path, data)
}

// DecodeSnapshot reads a snapshot: a v1 List (as kubectl get -o yaml|json
// prints), a stream of YAML documents or JSON values, or single objects.
//
// JSON is the fast path: a byte scanner splits the List into items, which
// are decoded on every core straight into the few fields podlint keeps.
// kubectl's YAML Lists are split into items by their layout and converted
// to JSON item by item, also in parallel; YAML in any other layout is
// converted whole. Either way YAML costs several times more than JSON.
//
// Objects of kinds podlint does not read are skipped; the warnings say
// which. A malformed object is an error: a half-read snapshot would make
// present objects look absent.
func DecodeSnapshot(name string, data []byte) (*Snapshot, []string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	d := decoder{listed: map[inventory.Kind]bool{}}
	var err error
	if isJSON(data) {
		err = d.jsonStream(data)
	} else {
		err = d.yamlStream(data)
	}
	if err != nil {
		var pe *PositionError
		if errors.As(err, &pe) {
			pe.File = name
			return nil, nil, pe
		}
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	snap, ignored, err := decodeUnits(name, data, d.units)
	if err != nil {
		return nil, nil, err
	}
	for k := range d.listed {
		snap.Listed[k] = true
	}
	var warnings []string
	kinds := make([]string, 0, len(ignored))
	for k := range ignored {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		warnings = append(warnings, fmt.Sprintf("%s: skipped %d object(s) of kind %s: podlint reads only %s from snapshots", name, ignored[k], k, kindList()))
	}
	snap.sort()
	return snap, warnings, nil
}

func kindList() string {
	var names []string
	for _, k := range Kinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

func isJSON(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// decoder collects the units of a snapshot and the kinds its Lists declare.
type decoder struct {
	units  []unit
	listed map[inventory.Kind]bool
	// line is the first line of the YAML document being converted, for
	// the units it yields.
	line int
}

func (d *decoder) jsonStream(data []byte) error {
	err := d.jsonValues(data)
	var sc *scanError
	var lm *listMetaError
	switch {
	case errors.As(err, &sc):
		return at("", data, sc.whole, errorOffset(err), 0, err)
	case errors.As(err, &lm):
		return at("", data, lm.meta, errorOffset(err), 0, err)
	}
	return err
}

func (d *decoder) jsonValues(data []byte) error {
	s := scanner{b: data}
	for {
		s.ws()
		if s.i >= len(s.b) {
			return nil
		}
		switch s.b[s.i] {
		case '[':
			err := s.array(func() error {
				v, err := s.span()
				if err != nil {
					return err
				}
				return d.jsonValue(v)
			})
			if err != nil {
				return err
			}
		case '{':
			v, err := s.span()
			if err != nil {
				return err
			}
			if err := d.jsonValue(v); err != nil {
				return err
			}
		default:
			return s.errorf("expected an object or an array")
		}
	}
}

// jsonValue adds an object, or a List's items.
func (d *decoder) jsonValue(v []byte) error {
	var kind string
	var items [][]byte
	var meta []byte
	s := scanner{b: v}
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "kind":
			if s.i < len(s.b) && s.b[s.i] == '"' {
				k, err := s.str()
				kind = string(k)
				return err
			}
		case "metadata":
			m, err := s.span()
			meta = m
			return err
		case "items":
			if s.i < len(s.b) && s.b[s.i] == '[' {
				return s.array(func() error {
					item, err := s.span()
					items = append(items, item)
					return err
				})
			}
		}
		return s.skip()
	})
	if err != nil {
		return err
	}
	if !isList(kind) {
		d.units = append(d.units, unit{src: v, line: d.line})
		return nil
	}
	var lm listMeta
	if len(meta) > 0 {
		if err := json.Unmarshal(meta, &lm); err != nil {
			return &listMetaError{meta: meta, err: fmt.Errorf("List metadata: %w", err)}
		}
	}
	if err := d.listedKinds(lm); err != nil {
		return err
	}
	for _, item := range items {
		d.units = append(d.units, unit{src: item, line: d.line})
	}
	return nil
}

// listMetaError is a List's metadata that encoding/json refused; meta is
// where it is in the file.
type listMetaError struct {
	meta []byte
	err  error
}

func (e *listMetaError) Error() string { return e.err.Error() }
func (e *listMetaError) Unwrap() error { return e.err }

func isList(kind string) bool { return kind != "" && strings.HasSuffix(kind, "List") }

func (d *decoder) listedKinds(lm listMeta) error {
	for _, k := range strings.Split(lm.Annotations[ListedKindsAnnotation], ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		if !slices.Contains(Kinds(), inventory.Kind(k)) {
			return fmt.Errorf("metadata.annotations[%s]: unknown kind %q (want %s)", ListedKindsAnnotation, k, kindList())
		}
		d.listed[inventory.Kind(k)] = true
	}
	return nil
}

// yamlStream splits a YAML stream into documents and kubectl-shaped Lists
// into items ("items:" at column 0 followed by "- " entries), so that the
// costly YAML parsing happens per item and in parallel.
func (d *decoder) yamlStream(data []byte) error {
	lines := bytes.SplitAfter(data, []byte("\n"))
	start := 0
	for i := 0; i <= len(lines); i++ {
		if i < len(lines) && !isDocSeparator(lines[i]) {
			continue
		}
		if err := d.yamlDoc(lines[start:i], start+1); err != nil {
			var pe *PositionError
			if !errors.As(err, &pe) {
				err = &PositionError{Line: start + 1, Offset: -1, Err: err}
			}
			return err
		}
		start = i + 1
	}
	return nil
}

func isDocSeparator(l []byte) bool {
	l = bytes.TrimRight(l, " \t\r\n")
	return bytes.Equal(l, []byte("---")) || bytes.HasPrefix(l, []byte("--- ")) || bytes.Equal(l, []byte("..."))
}

func (d *decoder) yamlDoc(lines [][]byte, firstLine int) error {
	var header []byte
	var items []unit
	var cur []byte
	curLine := 0
	inItems, sawItems := false, false
	flush := func() {
		if cur != nil {
			items = append(items, unit{src: cur, yaml: true, line: curLine})
			cur = nil
		}
	}
	for i, l := range lines {
		switch {
		case inItems && bytes.HasPrefix(l, []byte("- ")):
			flush()
			cur = append([]byte("  "), l[2:]...)
			curLine = firstLine + i
		case inItems && (bytes.HasPrefix(l, []byte("  ")) || len(bytes.TrimSpace(l)) == 0):
			if cur == nil {
				return d.yamlWhole(lines, firstLine)
			}
			cur = append(cur, l...)
		case bytes.Equal(bytes.TrimRight(l, " \t\r\n"), []byte("items:")):
			flush()
			inItems, sawItems = true, true
		default:
			// Top-level keys, and the lines of blocks under them (the
			// List's metadata after its items).
			flush()
			inItems = false
			header = append(header, l...)
		}
	}
	flush()
	if !sawItems {
		return d.yamlWhole(lines, firstLine)
	}
	var h struct {
		Kind     string   `yaml:"kind"`
		Metadata listMeta `yaml:"metadata"`
	}
	if err := yaml.Unmarshal(header, &h); err != nil || !isList(h.Kind) {
		return d.yamlWhole(lines, firstLine)
	}
	if err := d.listedKinds(h.Metadata); err != nil {
		return err
	}
	d.units = append(d.units, items...)
	return nil
}

// yamlWhole converts a document in any layout to JSON at once.
func (d *decoder) yamlWhole(lines [][]byte, firstLine int) error {
	doc := bytes.Join(lines, nil)
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil
	}
	j, err := yamlToJSON(doc)
	if err != nil {
		line, err := yamlPos(err, doc, firstLine)
		return &PositionError{Line: line, Offset: -1, Err: err}
	}
	if j == nil {
		return nil
	}
	d.line = firstLine
	defer func() { d.line = 0 }()
	return d.jsonValue(j)
}

var yamlLineRE = regexp.MustCompile(`yaml: line (\d+): `)

// yamlPos turns the line of a YAML error, counted in src, a piece of the
// file that starts at line first, into a line of the file (at most src's
// last), and drops it from the message.
func yamlPos(err error, src []byte, first int) (int, error) {
	msg := err.Error()
	m := yamlLineRE.FindStringSubmatch(msg)
	if m == nil {
		return first, err
	}
	last := first + bytes.Count(bytes.TrimRight(src, " \t\r\n"), []byte("\n"))
	n, convErr := strconv.Atoi(m[1])
	if convErr != nil || n < 0 {
		return first, err
	}
	rest := msg[strings.Index(msg, m[0])+len(m[0]):]
	if strings.HasPrefix(rest, "did not find expected") || strings.HasPrefix(rest, "found duplicate %") ||
		rest == "found incompatible YAML document" || rest == "found undefined tag handle" {
		// yaml.v3 counts lines from 0 in its parser's errors (not in its
		// scanner's).
		n++
	}
	return min(first+max(n, 1)-1, last), errors.New(strings.Replace(msg, m[0], "yaml: ", 1))
}

// yamlToJSON converts one YAML document; nil for an empty one.
func yamlToJSON(doc []byte) ([]byte, error) {
	var v any
	if err := yaml.Unmarshal(doc, &v); err != nil {
		return nil, fmt.Errorf("invalid YAML: %w", err)
	}
	if v == nil {
		return nil, nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("converting YAML to JSON: %w", err)
	}
	return j, nil
}

// partial is one worker's share of a snapshot.
type partial struct {
	snap    *Snapshot
	ignored map[string]int
	err     error
}

// decodeUnits decodes units on every core: decoding is the whole cost of a
// large snapshot, and objects are independent. An error is placed in the
// file (name, data) as a *PositionError.
func decodeUnits(name string, data []byte, units []unit) (*Snapshot, map[string]int, error) {
	workers := min(runtime.GOMAXPROCS(0), max(1, len(units)/256))
	parts := make([]*partial, workers)
	chunk := (len(units) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		p := &partial{snap: NewSnapshot(), ignored: map[string]int{}}
		parts[w] = p
		lo, hi := min(w*chunk, len(units)), min((w+1)*chunk, len(units))
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				if err := p.unit(units[i]); err != nil {
					u := units[i]
					if u.yaml {
						line, err := yamlPos(err, u.src, u.line)
						p.err = &PositionError{File: name, Line: line, Offset: -1, Err: fmt.Errorf("item: %w", err)}
					} else {
						p.err = at(name, data, u.src, errorOffset(err), u.line, fmt.Errorf("object %d: %w", i+1, err))
					}
					return
				}
			}
		})
	}
	wg.Wait()
	snap := NewSnapshot()
	ignored := map[string]int{}
	for _, p := range parts {
		if p.err != nil {
			return nil, nil, p.err
		}
	}
	for _, p := range parts {
		snap.merge(p.snap)
		for k, n := range p.ignored {
			ignored[k] += n
		}
	}
	return snap, ignored, nil
}

func group(apiVersion string) string {
	g, _, ok := strings.Cut(apiVersion, "/")
	if !ok {
		return ""
	}
	return g
}

func (p *partial) unit(u unit) error {
	src := u.src
	if u.yaml {
		// Most of a YAML snapshot is pods, Secrets and ConfigMaps, of which
		// podlint keeps a few lines: parse only those when the layout is
		// kubectl's, and the whole item otherwise or if that fails.
		if slim := slimYAML(src); slim != nil {
			if j, err := yamlToJSON(slim); err == nil && j != nil && p.object(j) == nil {
				return nil
			}
		}
		j, err := yamlToJSON(src)
		if err != nil || j == nil {
			return err
		}
		src = j
	}
	return p.object(src)
}

// object decodes one JSON object into the partial snapshot; it adds
// nothing when it fails.
func (p *partial) object(src []byte) error {
	apiVersion, k, err := typeOf(src)
	if err != nil {
		return err
	}
	kind := inventory.Kind(k)
	if (kind == inventory.DaemonSets) != (group(apiVersion) == "apps") || group(apiVersion) != "" && kind != inventory.DaemonSets {
		p.ignored[apiVersion+" "+k]++
		return nil
	}
	s := p.snap
	switch kind {
	case inventory.Nodes:
		n := &corev1.Node{}
		if err := decodeTyped(src, n, &n.ObjectMeta); err != nil {
			return err
		}
		// Image lists are the bulk of a node and no check reads them.
		n.Status.Images = nil
		s.Nodes = append(s.Nodes, n)
	case inventory.Namespaces:
		n := &corev1.Namespace{}
		if err := decodeTyped(src, n, &n.ObjectMeta); err != nil {
			return err
		}
		s.Namespaces = append(s.Namespaces, n)
	case inventory.DaemonSets:
		ds := &appsv1.DaemonSet{}
		if err := decodeTyped(src, ds, &ds.ObjectMeta); err != nil {
			return err
		}
		ds.Status = appsv1.DaemonSetStatus{}
		s.DaemonSets = append(s.DaemonSets, ds)
	case inventory.ServiceAccounts:
		sa := &corev1.ServiceAccount{}
		if err := decodeTyped(src, sa, &sa.ObjectMeta); err != nil {
			return err
		}
		s.ServiceAccounts = append(s.ServiceAccounts, sa)
	case inventory.Secrets:
		var o secretItem
		if err := decodeNamed(src, &o, &o.Metadata); err != nil {
			return err
		}
		// The API server always sets a type (Opaque by default) and kubectl
		// prints it, so a Secret without one comes from a source that could
		// not read types: its type is unknown, not Opaque.
		s.Secrets = append(s.Secrets, checks.SecretMeta{Namespace: o.Metadata.Namespace, Name: o.Metadata.Name, Type: o.Type, TypeKnown: o.Type != ""})
	case inventory.ConfigMaps:
		var o namedItemIn
		if err := decodeNamed(src, &o, &o.Metadata); err != nil {
			return err
		}
		s.ConfigMaps = append(s.ConfigMaps, ObjectName{Namespace: o.Metadata.Namespace, Name: o.Metadata.Name})
	case inventory.PVCs:
		var o namedItemIn
		if err := decodeNamed(src, &o, &o.Metadata); err != nil {
			return err
		}
		s.PVCs = append(s.PVCs, ObjectName{Namespace: o.Metadata.Namespace, Name: o.Metadata.Name})
	case inventory.LimitRanges:
		lr := &corev1.LimitRange{}
		if err := decodeTyped(src, lr, &lr.ObjectMeta); err != nil {
			return err
		}
		s.LimitRanges = append(s.LimitRanges, lr)
	case inventory.ResourceQuotas:
		q := &corev1.ResourceQuota{}
		if err := decodeTyped(src, q, &q.ObjectMeta); err != nil {
			return err
		}
		s.ResourceQuotas = append(s.ResourceQuotas, q)
	case inventory.Pods:
		var o podItem
		if err := decodeNamed(src, &o, &o.Metadata); err != nil {
			return err
		}
		// Only bound, unfinished pods take a slot on a node.
		if o.Spec.NodeName != "" && o.Status.Phase != corev1.PodSucceeded && o.Status.Phase != corev1.PodFailed {
			s.Pods = append(s.Pods, PodSlot{Namespace: o.Metadata.Namespace, Name: o.Metadata.Name, NodeName: o.Spec.NodeName, Phase: o.Status.Phase})
		}
	default:
		p.ignored[apiVersion+" "+k]++
		return nil
	}
	// An object of a kind in a cluster-wide list means the kind was listed.
	s.Listed[kind] = true
	return nil
}

func decodeTyped(src []byte, obj any, m *metav1.ObjectMeta) error {
	if err := json.Unmarshal(src, obj); err != nil {
		return err
	}
	m.ManagedFields = nil
	if m.Name == "" {
		return errors.New("object without metadata.name")
	}
	return nil
}

func decodeNamed(src []byte, obj any, m *nameMeta) error {
	if err := json.Unmarshal(src, obj); err != nil {
		return err
	}
	if m.Name == "" {
		return errors.New("object without metadata.name")
	}
	return nil
}
