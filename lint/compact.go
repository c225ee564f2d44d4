package lint

import (
	"encoding/binary"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/podlint/podlint/checks"
)

// compact is an object kept for the end in the API's protobuf wire form
// (a fifth of the typed object's size), stored in the spool beside its
// document and decoded again in microseconds when its turn comes. The API
// types carry every field in it; an object that cannot be written so stays
// typed. In memory it is a few words: every kept object is marked by each
// collection while the stream is read, and there are tens of thousands in
// a large stream, so even a workload's pod labels wait in the spool
// (docs/benchmarks.md).
//
// Once the stream is read (unpack), the objects the inventory holds whole
// are decoded for good: the inventory's own kinds (ConfigMaps, Namespaces,
// claims...) and the workloads other objects' checks read whole; any other
// workload stays compact but for its pods, and is decoded only while its
// own deferred checks run.
type compact struct {
	// off and n locate the wire form in the spool; its pods' labels
	// follow it there, in labels bytes.
	off    int64
	n      int
	labels int
	// ref, replicas and the labels stand for a workload where other
	// workloads' checks look at its pods (pod affinity); the labels are
	// those of the pod template when template is set, else the
	// object's.
	ref      checks.ObjectRef
	replicas int32
	template bool
	// whole is set when the inventory holds the object whole: it is not
	// a workload, or other objects' checks read the workload whole (it
	// claims a host port, or shares a claim).
	whole bool
	// pods is set by unpack, once the stream is read.
	pods *checks.Target
}

// protoObject is an API type with its generated protobuf methods.
type protoObject interface {
	runtime.Object
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
}

// compactTarget writes t's wire form to the spool; nil when t cannot
// be written so.
func compactTarget(t *checks.Target, sp *spool) *compact {
	m, ok := t.Object.(protoObject)
	if !ok {
		return nil
	}
	if s, ok := t.Object.(*appsv1.StatefulSet); ok {
		for _, c := range s.Spec.VolumeClaimTemplates {
			if c.TypeMeta != (metav1.TypeMeta{}) {
				// The wire form leaves out an embedded object's
				// apiVersion and kind.
				return nil
			}
		}
	}
	pb, err := m.Marshal()
	if err != nil {
		return nil
	}
	c := &compact{n: len(pb), ref: t.Ref, replicas: t.Replicas,
		whole: t.Spec == nil || len(hostPortKeys(t)) > 0 || len(checks.SharedClaims(t)) > 0}
	if c.whole {
		c.off = sp.put(pb, false)
		return c
	}
	var l map[string]string
	switch {
	case t.TemplateMeta != nil:
		c.template, l = true, t.TemplateMeta.Labels
	case t.Meta != nil:
		l = t.Meta.Labels
	}
	for k, v := range l {
		pb = appendString(appendString(pb, k), v)
	}
	c.labels = len(pb) - c.n
	c.off = sp.put(pb, false)
	return c
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// pods is the target other workloads' checks see for the compact
// workload's pods: its reference, replicas and pod labels only.
func (c *compact) podsTarget(sp *spool) (*checks.Target, error) {
	var l map[string]string
	if c.labels > 0 {
		b := sp.get(c.off, c.n+c.labels)
		if b == nil {
			return nil, fmt.Errorf("reading the spool file failed")
		}
		b = b[c.n:]
		l = map[string]string{}
		for len(b) > 0 {
			var k, v string
			var ok bool
			if k, b, ok = cutString(b); ok {
				v, b, ok = cutString(b)
			}
			if !ok {
				return nil, fmt.Errorf("the spool file is damaged")
			}
			l[k] = v
		}
	}
	pods := &checks.Target{Ref: c.ref, Replicas: c.replicas}
	if c.template {
		pods.TemplateMeta = &metav1.ObjectMeta{Labels: l}
	} else {
		pods.Meta = &metav1.ObjectMeta{Labels: l}
	}
	return pods, nil
}

// cutString reads one string appendString wrote.
func cutString(b []byte) (string, []byte, bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return "", nil, false
	}
	return string(b[k : k+int(n)]), b[k+int(n):], true
}

// target decodes the object again into a target the checks see as they
// saw the original (the TypeMeta, which the wire form leaves out, set as
// written).
func (c *compact) target(sp *spool) (*checks.Target, error) {
	gv, err := schema.ParseGroupVersion(c.ref.APIVersion)
	if err != nil {
		return nil, err
	}
	gvk := gv.WithKind(c.ref.Kind)
	obj, err := scheme.Scheme.New(gvk)
	if err != nil {
		return nil, err
	}
	m, ok := obj.(protoObject)
	if !ok {
		return nil, fmt.Errorf("%s has no protobuf form", gvk)
	}
	pb := sp.get(c.off, c.n+c.labels)
	if pb == nil {
		return nil, fmt.Errorf("reading the spool file failed")
	}
	pb = pb[:c.n]
	if err := m.Unmarshal(pb); err != nil {
		return nil, err
	}
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	return checks.NewTarget(obj, c.ref.APIVersion, c.ref.Kind), nil
}

// expand decodes a compact entry's workload again as its target.
func (e *entry) expand(sp *spool) *InputError {
	t, err := e.compact.target(sp)
	if err != nil {
		return e.readError(err)
	}
	t.Raw = rawSource{&e.pos}
	e.target, e.compact = t, nil
	return nil
}

// unpack readies the compact objects for the inventory, once the stream
// is read: those it holds whole are decoded, the other workloads give
// their pods' targets.
func unpack(entries []*entry, sp *spool) []InputError {
	var errs []InputError
	for _, e := range entries {
		c := e.compact
		if c == nil {
			continue
		}
		var err *InputError
		if c.whole {
			err = e.expand(sp)
		} else if pods, perr := c.podsTarget(sp); perr != nil {
			err = e.readError(perr)
		} else {
			c.pods = pods
		}
		if err != nil {
			// The inventory goes without it, and its own deferred
			// checks cannot run: said once.
			errs = append(errs, *err)
			e.compact, e.deferred = nil, nil
		}
	}
	return errs
}

// readError says that podlint could not read back what it wrote of the
// object: it cannot happen (the wire form was written from this very
// object, the spool file is podlint's), but is said, never silent.
func (e *entry) readError(err error) *InputError {
	return &InputError{File: e.file, Line: e.pos.line, Message: "podlint could not read its own copy of the object: " + err.Error()}
}
