package lint

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/podlint/podlint/checks"
)

// compact is a workload kept for the end in the API's protobuf wire form
// (a fifth of the typed object's size), stored in the spool beside its
// document and decoded again in microseconds when its turn comes. The API
// types carry every field in it; an object that cannot be written so stays
// typed. In memory it is a few words and its pods' labels: every kept
// object is marked by each collection while the stream is read, so what
// stays behind is as small as it can be (docs/benchmarks.md).
type compact struct {
	// off and n locate the wire form in the spool.
	off int64
	n   int
	// ref, replicas and labels stand for the workload where other
	// workloads' checks look at its pods (pod affinity); labels holds
	// keys and values in turn (a map costs three times as much), those
	// of the pod template when template is set, else the object's.
	ref      checks.ObjectRef
	replicas int32
	template bool
	// shared is set when other objects' checks read the whole workload
	// (it claims a host port, or shares a claim): it is decoded before
	// the inventory is built (decodeShared).
	shared bool
	labels []string
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
	c := &compact{off: sp.put(pb, false), n: len(pb), ref: t.Ref, replicas: t.Replicas,
		shared: len(hostPortKeys(t)) > 0 || len(checks.SharedClaims(t)) > 0}
	var l map[string]string
	switch {
	case t.TemplateMeta != nil:
		c.template, l = true, t.TemplateMeta.Labels
	case t.Meta != nil:
		l = t.Meta.Labels
	}
	if len(l) > 0 {
		c.labels = make([]string, 0, 2*len(l))
		for k, v := range l {
			c.labels = append(c.labels, k, v)
		}
	}
	return c
}

// pods is the target other workloads' checks see for the compact
// workload's pods: its reference, replicas and pod labels only.
func (c *compact) pods() *checks.Target {
	var l map[string]string
	if len(c.labels) > 0 {
		l = make(map[string]string, len(c.labels)/2)
		for i := 0; i < len(c.labels); i += 2 {
			l[c.labels[i]] = c.labels[i+1]
		}
	}
	pods := &checks.Target{Ref: c.ref, Replicas: c.replicas}
	if c.template {
		pods.TemplateMeta = &metav1.ObjectMeta{Labels: l}
	} else {
		pods.Meta = &metav1.ObjectMeta{Labels: l}
	}
	return pods
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
	pb := sp.get(c.off, c.n)
	if pb == nil {
		return nil, fmt.Errorf("reading the spool file failed")
	}
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
		// Cannot happen: the wire form was written from this very
		// object. Said, never silent.
		return &InputError{File: e.file, Line: e.pos.line, Message: "podlint could not read its own copy of the object: " + err.Error()}
	}
	t.Raw = rawSource{&e.pos}
	e.target, e.compact = t, nil
	return nil
}

// decodeShared brings back, whole, the compact workloads that other
// objects' checks read whole (host ports, shared claims), before the
// inventory is built: as the stream is read they are a few words each,
// like the others.
func decodeShared(entries []*entry, sp *spool) []InputError {
	var errs []InputError
	for _, e := range entries {
		if e.compact == nil || !e.compact.shared {
			continue
		}
		if err := e.expand(sp); err != nil {
			// Its own deferred checks cannot run either: said once.
			errs = append(errs, *err)
			e.deferred = nil
		}
	}
	return errs
}
