package why

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlint/podlint/manifest/jsonscan"
)

// InputError is a problem with one input, located as precisely as the
// format allows: FILE:LINE:COL for JSON, FILE:LINE for YAML.
type InputError struct {
	File         string
	Line, Column int
	Message      string
}

func (e *InputError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Message)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
	}
	return e.File + ": " + e.Message
}

// LoadFile reads one --from file ("-" is stdin); see Decode.
func LoadFile(name string, stdin io.Reader) (*Dump, []*InputError) {
	var data []byte
	var err error
	if name == "-" {
		name = "<stdin>"
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return NewDump(), []*InputError{{File: name, Message: fmt.Sprintf("reading: %v", unwrapPath(err))}}
	}
	return Decode(name, data)
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Decode reads what `kubectl get pods,events,nodes,... -A -o json` (or -o
// yaml) prints: a v1 List, a stream of JSON values or YAML documents, or
// single objects; events of core/v1 and events.k8s.io/v1 alike. A bad
// object is an error at its position and is left out; the others are
// still read. Objects of other kinds are counted in Skipped (a Secret's
// data is never decoded).
func Decode(name string, data []byte) (*Dump, []*InputError) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	d := NewDump()
	var items []item
	var errs []*InputError
	if isJSON(data) {
		items, errs = splitJSON(name, data)
	} else {
		items, errs = splitYAML(name, data)
	}
	if len(items) == 0 && len(errs) == 0 && len(bytes.TrimSpace(data)) == 0 {
		errs = append(errs, &InputError{File: name, Message: "empty input: expected kubectl get ... -o json or -o yaml output"})
	}
	errs = append(errs, decodeItems(name, data, items, d)...)
	return d, errs
}

// item is one object of the input: its JSON text (converted from YAML for
// YAML inputs) and where it starts.
type item struct {
	src        []byte
	apiVersion string
	kind       string
	// offset is the JSON item's byte offset in the input; line is the
	// YAML item's line (JSON items compute theirs from offset).
	offset int
	line   int
	index  int // position in its List, or -1
	obj    any // the decoded object, set by decodeItems
	err    *InputError
}

// listItemType is the type of the items of a typed list (PodList: Pod);
// a plain List's items carry their own.
func listItemType(kind, apiVersion string) (string, string) {
	if kind == "List" || kind == "" {
		return "", ""
	}
	return strings.TrimSuffix(kind, "List"), apiVersion
}

func isJSON(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, off int) (int, int) {
	off = min(max(off, 0), len(data))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

// splitJSON splits a JSON input into objects without decoding them: a
// byte scanner finds each List item's span, so that the expensive typed
// decoding runs on all cores.
func splitJSON(name string, data []byte) ([]item, []*InputError) {
	s := jsonscan.New(data)
	var items []item
	fail := func(err error) []*InputError {
		off := s.Offset()
		if se, ok := errors.AsType[*jsonscan.Error](err); ok {
			off = se.Offset
		}
		line, col := lineCol(data, off)
		return []*InputError{{File: name, Line: line, Column: col, Message: err.Error()}}
	}
	value := func() error {
		start := s.Offset()
		var it item
		var list [][2]int
		err := s.Object(func(key []byte) error {
			switch string(key) {
			case "kind", "apiVersion":
				v, err := s.String()
				if key[0] == 'k' {
					it.kind = v
				} else {
					it.apiVersion = v
				}
				return err
			case "items":
				if s.Peek() != '[' {
					return s.Skip()
				}
				return s.Array(func() error {
					from := s.Offset()
					if s.Peek() != '{' {
						return s.Errorf("expected an object in items")
					}
					if err := s.Skip(); err != nil {
						return err
					}
					list = append(list, [2]int{from, s.Offset()})
					return nil
				})
			}
			return s.Skip()
		})
		if err != nil {
			return err
		}
		if strings.HasSuffix(it.kind, "List") && (it.apiVersion == "v1" || list != nil) {
			// The API's own lists (PodList, EventList) leave kind and
			// apiVersion out of their items.
			kind, apiVersion := listItemType(it.kind, it.apiVersion)
			for i, span := range list {
				items = append(items, item{src: data[span[0]:span[1]], offset: span[0], index: i, kind: kind, apiVersion: apiVersion})
			}
			return nil
		}
		it.src, it.offset, it.index = data[start:s.Offset()], start, -1
		items = append(items, it)
		return nil
	}
	for {
		var err error
		switch c := s.Peek(); c {
		case 0:
			return items, nil
		case '{':
			err = value()
		case '[':
			err = s.Array(func() error {
				if s.Peek() != '{' {
					return s.Errorf("expected an object")
				}
				return value()
			})
		default:
			err = s.Errorf("expected a JSON object or array, found %q", c)
		}
		if err != nil {
			return items, fail(err)
		}
	}
}

// splitYAML reads YAML documents (kubectl's -o yaml List, a multi-document
// stream, single objects) and converts each object to JSON.
func splitYAML(name string, data []byte) ([]item, []*InputError) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var items []item
	var errs []*InputError
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return items, errs
		}
		if err != nil {
			line, msg := yamlErrorLine(err)
			return items, append(errs, &InputError{File: name, Line: line, Message: msg})
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			continue
		}
		if root.Kind != yaml.MappingNode {
			errs = append(errs, &InputError{File: name, Line: root.Line, Message: "expected a Kubernetes object (a mapping) or a List"})
			continue
		}
		kind, apiVersion := scalarField(root, "kind"), scalarField(root, "apiVersion")
		if list := field(root, "items"); list != nil && strings.HasSuffix(kind, "List") {
			if list.Kind != yaml.SequenceNode {
				if list.Tag != "!!null" {
					errs = append(errs, &InputError{File: name, Line: list.Line, Message: "items: expected a list"})
				}
				continue
			}
			kind, apiVersion := listItemType(kind, apiVersion)
			for i, n := range list.Content {
				it := yamlItem(name, n, i)
				if it.kind == "" && it.err == nil {
					it.kind, it.apiVersion = kind, apiVersion
				}
				items = append(items, it)
			}
			continue
		}
		items = append(items, yamlItem(name, root, -1))
	}
}

func yamlItem(name string, n *yaml.Node, index int) item {
	it := item{line: n.Line, index: index}
	if n.Kind != yaml.MappingNode {
		it.err = &InputError{File: name, Line: n.Line, Message: "expected an object (a mapping)"}
		return it
	}
	it.kind, it.apiVersion = scalarField(n, "kind"), scalarField(n, "apiVersion")
	if it.kind == "Secret" {
		// Never convert a Secret: its data stays in the YAML tree.
		return it
	}
	var v any
	if err := n.Decode(&v); err != nil {
		it.err = &InputError{File: name, Line: n.Line, Message: err.Error()}
		return it
	}
	src, err := json.Marshal(jsonable(v))
	if err != nil {
		it.err = &InputError{File: name, Line: n.Line, Message: err.Error()}
		return it
	}
	it.src = src
	return it
}

// jsonable turns yaml.v3's map[any]any (non-string keys) into JSON-able
// maps.
func jsonable(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = jsonable(e)
		}
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[fmt.Sprint(k)] = jsonable(e)
		}
		return m
	case []any:
		for i, e := range t {
			t[i] = jsonable(e)
		}
	}
	return v
}

func field(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func scalarField(n *yaml.Node, key string) string {
	if v := field(n, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// yamlErrorLine extracts the line of a yaml.v3 error ("yaml: line 7: ...").
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	var line int
	if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
		if n, _ := fmt.Sscanf(rest, "%d:", &line); n == 1 {
			if i := strings.Index(rest, ": "); i >= 0 {
				return line, rest[i+2:]
			}
		}
	}
	return 0, msg
}

// decodeItems decodes the items on all cores into typed objects, then adds
// them to d in input order.
func decodeItems(name string, data []byte, items []item, d *Dump) []*InputError {
	next := make(chan int, 64)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(items)/64, 1)) {
		wg.Go(func() {
			for i := range next {
				decodeItem(name, data, &items[i])
			}
		})
	}
	for i := range items {
		next <- i
	}
	close(next)
	wg.Wait()
	var errs []*InputError
	for i := range items {
		it := &items[i]
		if it.err != nil {
			errs = append(errs, it.err)
			continue
		}
		switch o := it.obj.(type) {
		case nil:
			d.Skipped[it.kind]++
			continue
		case *corev1.Pod:
			d.Pods = append(d.Pods, o)
		case *Event:
			d.Events = append(d.Events, o)
		case *corev1.Node:
			d.Nodes = append(d.Nodes, o)
		case *corev1.Namespace:
			d.Namespaces = append(d.Namespaces, o)
		case *appsv1.DaemonSet:
			d.DaemonSets = append(d.DaemonSets, o)
		case *appsv1.Deployment:
			d.Deployments = append(d.Deployments, o)
		case *appsv1.ReplicaSet:
			d.ReplicaSets = append(d.ReplicaSets, o)
		case *appsv1.StatefulSet:
			d.StatefulSets = append(d.StatefulSets, o)
		case *batchv1.Job:
			d.Jobs = append(d.Jobs, o)
		case *batchv1.CronJob:
			d.CronJobs = append(d.CronJobs, o)
		case *coordinationv1.Lease:
			d.Leases = append(d.Leases, o)
		case *ContainerLog:
			d.Logs = append(d.Logs, o)
		}
		d.Listed[it.kind] = true
	}
	return errs
}

// eventJSON is what podlint why keeps of an Event of either API; decoding
// into it skips the rest (managedFields, related, annotations), which
// matters with tens of thousands of events. event() converts it through
// the same functions --live uses, so both read an event alike.
type eventJSON struct {
	Metadata struct {
		Name              string   `json:"name"`
		Namespace         string   `json:"namespace"`
		CreationTimestamp fastTime `json:"creationTimestamp"`
	} `json:"metadata"`
	Type              string        `json:"type"`
	Reason            string        `json:"reason"`
	ReportingInstance string        `json:"reportingInstance"`
	EventTime         fastMicroTime `json:"eventTime"`
	Series            *struct {
		Count            int32         `json:"count"`
		LastObservedTime fastMicroTime `json:"lastObservedTime"`
	} `json:"series"`
	// core/v1
	InvolvedObject     corev1.ObjectReference `json:"involvedObject"`
	Message            string                 `json:"message"`
	Count              int32                  `json:"count"`
	FirstTimestamp     fastTime               `json:"firstTimestamp"`
	LastTimestamp      fastTime               `json:"lastTimestamp"`
	Source             corev1.EventSource     `json:"source"`
	ReportingComponent string                 `json:"reportingComponent"`
	// events.k8s.io/v1
	Regarding                corev1.ObjectReference `json:"regarding"`
	Note                     string                 `json:"note"`
	DeprecatedCount          int32                  `json:"deprecatedCount"`
	DeprecatedFirstTimestamp fastTime               `json:"deprecatedFirstTimestamp"`
	DeprecatedLastTimestamp  fastTime               `json:"deprecatedLastTimestamp"`
	DeprecatedSource         corev1.EventSource     `json:"deprecatedSource"`
	ReportingController      string                 `json:"reportingController"`
}

// fastTime and fastMicroTime read timestamps as metav1.Time and
// metav1.MicroTime do, without their nested json.Unmarshal: an event has
// five of them, and a large dump 50,000 events.
type fastTime struct{ metav1.Time }

func (t *fastTime) UnmarshalJSON(b []byte) error {
	pt, err := fastParse(b, time.RFC3339, t.Time.UnmarshalJSON)
	if err == nil && pt != nil {
		t.Time = metav1.NewTime(*pt)
	}
	return err
}

type fastMicroTime struct{ metav1.MicroTime }

func (t *fastMicroTime) UnmarshalJSON(b []byte) error {
	pt, err := fastParse(b, metav1.RFC3339Micro, t.MicroTime.UnmarshalJSON)
	if err == nil && pt != nil {
		t.MicroTime = metav1.NewMicroTime(*pt)
	}
	return err
}

// fastParse reads a plain JSON timestamp string with layout, in local time
// as metav1 does; null reads as the zero time. Anything else (escapes, a
// non-string) goes to slow, the type's own decoder, and returns nil.
func fastParse(b []byte, layout string, slow func([]byte) error) (*time.Time, error) {
	if string(b) == "null" {
		return &time.Time{}, nil
	}
	s, ok := plainString(b)
	if !ok {
		return nil, slow(b)
	}
	pt, err := time.Parse(layout, s)
	if err != nil {
		return nil, err
	}
	pt = pt.Local()
	return &pt, nil
}

// plainString returns a JSON string's content when it has no escapes.
func plainString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' || bytes.IndexByte(b, '\\') >= 0 {
		return "", false
	}
	return string(b[1 : len(b)-1]), true
}

func (e *eventJSON) event(group string) *Event {
	meta := metav1.ObjectMeta{Name: e.Metadata.Name, Namespace: e.Metadata.Namespace, CreationTimestamp: e.Metadata.CreationTimestamp.Time}
	if group == "events.k8s.io" {
		v := &eventsv1.Event{ObjectMeta: meta, Regarding: e.Regarding, Note: e.Note, Type: e.Type, Reason: e.Reason,
			DeprecatedCount: e.DeprecatedCount, DeprecatedFirstTimestamp: e.DeprecatedFirstTimestamp.Time, DeprecatedLastTimestamp: e.DeprecatedLastTimestamp.Time,
			DeprecatedSource: e.DeprecatedSource, ReportingController: e.ReportingController, ReportingInstance: e.ReportingInstance, EventTime: e.EventTime.MicroTime}
		if e.Series != nil {
			v.Series = &eventsv1.EventSeries{Count: e.Series.Count, LastObservedTime: e.Series.LastObservedTime.MicroTime}
		}
		return EventFromEventsV1(v)
	}
	v := &corev1.Event{ObjectMeta: meta, InvolvedObject: e.InvolvedObject, Message: e.Message, Type: e.Type, Reason: e.Reason,
		Count: e.Count, FirstTimestamp: e.FirstTimestamp.Time, LastTimestamp: e.LastTimestamp.Time, Source: e.Source,
		ReportingController: e.ReportingComponent, ReportingInstance: e.ReportingInstance, EventTime: e.EventTime.MicroTime}
	if e.Series != nil {
		v.Series = &corev1.EventSeries{Count: e.Series.Count, LastObservedTime: e.Series.LastObservedTime.MicroTime}
	}
	return EventFromCore(v)
}

type containerLogJSON struct {
	Metadata struct {
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
	} `json:"metadata"`
	Container string   `json:"container"`
	Previous  bool     `json:"previous"`
	Lines     []string `json:"lines"`
}

// decodeItem decodes one item by its apiVersion and kind.
func decodeItem(name string, data []byte, it *item) {
	if it.err != nil {
		return
	}
	if it.src != nil && it.line == 0 {
		// A JSON item names its own type; a typed list's items may not.
		if apiVersion, kind, _ := jsonscan.TypeOf(it.src); kind != "" {
			it.apiVersion, it.kind = apiVersion, kind
		}
	}
	if it.kind == "" {
		it.err = it.errorAt(name, data, 0, "object without kind: expected kubectl get ... -o json or -o yaml output")
		return
	}
	group, _, _ := strings.Cut(it.apiVersion, "/")
	if !strings.Contains(it.apiVersion, "/") {
		group = ""
	}
	var obj any
	switch group + "/" + it.kind {
	case "/Pod":
		obj = &corev1.Pod{}
	case "/Event", "events.k8s.io/Event":
		obj = &eventJSON{}
	case "/Node":
		obj = &corev1.Node{}
	case "/Namespace":
		obj = &corev1.Namespace{}
	case "apps/DaemonSet":
		obj = &appsv1.DaemonSet{}
	case "apps/Deployment":
		obj = &appsv1.Deployment{}
	case "apps/ReplicaSet":
		obj = &appsv1.ReplicaSet{}
	case "apps/StatefulSet":
		obj = &appsv1.StatefulSet{}
	case "batch/Job":
		obj = &batchv1.Job{}
	case "batch/CronJob":
		obj = &batchv1.CronJob{}
	case "coordination.k8s.io/Lease":
		obj = &coordinationv1.Lease{}
	case "podlint.io/ContainerLog":
		obj = &containerLogJSON{}
	default:
		return // counted as skipped; never decoded (Secrets included)
	}
	if err := json.Unmarshal(it.src, obj); err != nil {
		off := 0
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		msg := err.Error()
		switch {
		case errors.As(err, &se):
			off = int(se.Offset)
		case errors.As(err, &te):
			off = int(te.Offset)
			msg = fmt.Sprintf("%s: cannot read %s value as %s", te.Field, te.Value, te.Type)
		}
		it.err = it.errorAt(name, data, off, fmt.Sprintf("%s: %s", it.kind, strings.TrimPrefix(msg, "json: ")))
		return
	}
	switch o := obj.(type) {
	case *corev1.Pod:
		o.ManagedFields = nil
		it.obj = o
	case *eventJSON:
		it.obj = o.event(group)
	case *corev1.Node:
		o.ManagedFields, o.Status.Images = nil, nil
		it.obj = o
	case *containerLogJSON:
		it.obj = &ContainerLog{Namespace: o.Metadata.Namespace, Pod: o.Metadata.Name, Container: o.Container, Previous: o.Previous, Lines: o.Lines}
	default:
		it.obj = o
	}
	it.src = nil
}

// errorAt locates an error at byte off of the item's JSON text: exact for
// JSON inputs, the item's line for YAML inputs (whose JSON is converted).
func (it *item) errorAt(name string, data []byte, off int, msg string) *InputError {
	where := ""
	if it.index >= 0 {
		where = fmt.Sprintf("items[%d]: ", it.index)
	}
	if it.line > 0 {
		return &InputError{File: name, Line: it.line, Message: where + msg}
	}
	line, col := lineCol(data, it.offset+off)
	return &InputError{File: name, Line: line, Column: col, Message: where + msg}
}
