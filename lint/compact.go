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

// compact is a workload kept for the checks that wait for the whole
// inventory, in the API's protobuf wire form (a fifth of the typed
// object's size), stored in the spool beside its document and decoded
// again in microseconds when its turn comes. The API types carry every field in it; an object that cannot be
// written so stays typed.
type compact struct {
	// pb is the wire form, or nil once stored in the spool at off.
	pb               []byte
	sp               *spool
	off              int64
	n                int
	apiVersion, kind string
	// pods stands for the workload where other workloads' checks look
	// at its pods (pod affinity): its reference, replicas and pod
	// labels only.
	pods *checks.Target
}

// store moves the wire form to the spool: the run then holds a few words
// per workload in memory.
func (c *compact) store(sp *spool) {
	c.sp, c.off, c.n = sp, sp.put(c.pb, false), len(c.pb)
	c.pb = nil
}

// protoObject is an API type with its generated protobuf methods.
type protoObject interface {
	runtime.Object
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
}

func compactTarget(t *checks.Target) *compact {
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
	pods := &checks.Target{Ref: t.Ref, Replicas: t.Replicas}
	switch {
	case t.TemplateMeta != nil:
		pods.TemplateMeta = &metav1.ObjectMeta{Labels: t.TemplateMeta.Labels}
	case t.Meta != nil:
		pods.Meta = &metav1.ObjectMeta{Labels: t.Meta.Labels}
	}
	return &compact{pb: pb, apiVersion: t.Ref.APIVersion, kind: t.Ref.Kind, pods: pods}
}

// target decodes the object again into a target the checks see as they
// saw the original (the TypeMeta, which the wire form leaves out, set as
// written).
func (c *compact) target() (*checks.Target, error) {
	gv, err := schema.ParseGroupVersion(c.apiVersion)
	if err != nil {
		return nil, err
	}
	gvk := gv.WithKind(c.kind)
	obj, err := scheme.Scheme.New(gvk)
	if err != nil {
		return nil, err
	}
	m, ok := obj.(protoObject)
	if !ok {
		return nil, fmt.Errorf("%s has no protobuf form", gvk)
	}
	pb := c.pb
	if pb == nil && c.sp != nil {
		if pb = c.sp.get(c.off, c.n); pb == nil {
			return nil, fmt.Errorf("reading the spool file failed")
		}
	}
	if err := m.Unmarshal(pb); err != nil {
		return nil, err
	}
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	return checks.NewTarget(obj, c.apiVersion, c.kind), nil
}
