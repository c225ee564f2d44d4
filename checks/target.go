package checks

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Scalar is a value as the user wrote it, before Kubernetes parsed it.
// Checks on quantities need it: "1000m" and "1" decode to the same
// resource.Quantity, but only one of them is a typo.
type Scalar struct {
	// Text is the scalar's text without quotes.
	Text string
	// Tag is the YAML tag after resolution: "!!int", "!!float", "!!str", …
	Tag string
	// Line and Column locate the scalar when the source knows it (1-based).
	Line, Column int
}

// ScalarSource returns the scalar at a field path of the object as written.
// Paths are the ones findings carry, rooted at the object.
type ScalarSource interface {
	Scalar(path *field.Path) (Scalar, bool)
}

// SchemaIssue is a problem found while decoding the object into its typed
// form: an unknown field, a wrong type, an unparseable quantity, a duplicate
// key. The schema-invalid check reports them.
type SchemaIssue struct {
	Field   string
	Message string
	// Line and Column, when set, locate the issue more precisely than Field
	// can (the second of two duplicate keys shares the first one's path).
	Line, Column int
	// Harmless marks an issue that changes nothing Kubernetes keeps (a key
	// repeated with the same value): worth fixing, but no pod gets stuck,
	// so it is reported as a warning.
	Harmless bool
}

// Target is one object podlint checks: for workloads, its pod spec and the
// path to it.
type Target struct {
	Ref ObjectRef
	// Object is the typed object (a *appsv1.Deployment, *corev1.Pod, …).
	Object runtime.Object
	Meta   *metav1.ObjectMeta
	// TemplateMeta is the pod template's metadata; nil for Pods.
	TemplateMeta *metav1.ObjectMeta
	// Spec is nil for objects without a pod spec.
	Spec *corev1.PodSpec
	// SpecPath is where Spec sits in the object (spec.template.spec).
	SpecPath *field.Path
	// Replicas is how many pods the owner asks for; DaemonSets use -1
	// (one per eligible node) and Jobs their parallelism.
	Replicas int32
	// Raw gives values as written; nil when the source cannot tell.
	Raw ScalarSource
	// Issues are the decoding problems for schema-invalid.
	Issues []SchemaIssue
}

// Namespace returns the namespace pods of this target run in ("default"
// when the manifest leaves it to kubectl).
func (t *Target) Namespace() string {
	if t.Ref.Namespace == "" {
		return metav1.NamespaceDefault
	}
	return t.Ref.Namespace
}

// IsDaemonSet tells whether the target runs one pod per eligible node.
func (t *Target) IsDaemonSet() bool { return t.Ref.Kind == "DaemonSet" }

// ContainerKind says which list of the pod spec a container is in.
type ContainerKind int

// Container lists, in the order the kubelet starts them.
const (
	InitContainer ContainerKind = iota
	RegularContainer
	EphemeralContainer
)

// ContainerRef is a container with its path. Ephemeral containers are
// converted to a Container so checks treat all three lists alike.
type ContainerRef struct {
	Container *corev1.Container
	Path      *field.Path
	Kind      ContainerKind
}

// Sidecar reports an init container with restartPolicy Always, which runs
// alongside the app containers.
func (c ContainerRef) Sidecar() bool {
	return c.Kind == InitContainer && c.Container.RestartPolicy != nil &&
		*c.Container.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

// Containers lists init containers (sidecars included), containers and
// ephemeral containers with their paths.
func (t *Target) Containers() []ContainerRef {
	if t.Spec == nil {
		return nil
	}
	s := t.Spec
	out := make([]ContainerRef, 0, len(s.InitContainers)+len(s.Containers)+len(s.EphemeralContainers))
	for i := range s.InitContainers {
		out = append(out, ContainerRef{&s.InitContainers[i], t.SpecPath.Child("initContainers").Index(i), InitContainer})
	}
	for i := range s.Containers {
		out = append(out, ContainerRef{&s.Containers[i], t.SpecPath.Child("containers").Index(i), RegularContainer})
	}
	for i := range s.EphemeralContainers {
		c := corev1.Container(s.EphemeralContainers[i].EphemeralContainerCommon)
		out = append(out, ContainerRef{&c, t.SpecPath.Child("ephemeralContainers").Index(i), EphemeralContainer})
	}
	return out
}

// NewTarget builds the target for a typed object. Objects without a pod
// spec still get a target (with nil Spec) so that they are schema-checked.
// The explicit type switch covers exactly the kinds WorkloadKinds lists.
func NewTarget(obj runtime.Object, apiVersion, kind string) *Target {
	t := &Target{Object: obj, Replicas: 1}
	spec := field.NewPath("spec")
	tmpl := spec.Child("template")
	switch o := obj.(type) {
	case *corev1.Pod:
		t.Meta, t.Spec, t.SpecPath = &o.ObjectMeta, &o.Spec, spec
	case *corev1.PodTemplate:
		t.Meta, t.TemplateMeta, t.Spec, t.SpecPath = &o.ObjectMeta, &o.Template.ObjectMeta, &o.Template.Spec, field.NewPath("template", "spec")
	case *appsv1.Deployment:
		t.Meta, t.TemplateMeta, t.Spec, t.SpecPath = &o.ObjectMeta, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, tmpl.Child("spec")
		t.Replicas = replicas(o.Spec.Replicas)
	case *appsv1.ReplicaSet:
		t.Meta, t.TemplateMeta, t.Spec, t.SpecPath = &o.ObjectMeta, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, tmpl.Child("spec")
		t.Replicas = replicas(o.Spec.Replicas)
	case *appsv1.StatefulSet:
		t.Meta, t.TemplateMeta, t.Spec, t.SpecPath = &o.ObjectMeta, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, tmpl.Child("spec")
		t.Replicas = replicas(o.Spec.Replicas)
	case *appsv1.DaemonSet:
		t.Meta, t.TemplateMeta, t.Spec, t.SpecPath = &o.ObjectMeta, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, tmpl.Child("spec")
		t.Replicas = -1
	case *corev1.ReplicationController:
		t.Meta = &o.ObjectMeta
		t.Replicas = replicas(o.Spec.Replicas)
		if o.Spec.Template != nil {
			t.TemplateMeta, t.Spec, t.SpecPath = &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, tmpl.Child("spec")
		}
	case *batchv1.Job:
		t.Meta, t.TemplateMeta, t.Spec, t.SpecPath = &o.ObjectMeta, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, tmpl.Child("spec")
		t.Replicas = replicas(o.Spec.Parallelism)
	case *batchv1.CronJob:
		jt := &o.Spec.JobTemplate.Spec
		t.Meta, t.TemplateMeta, t.Spec = &o.ObjectMeta, &jt.Template.ObjectMeta, &jt.Template.Spec
		t.SpecPath = field.NewPath("spec", "jobTemplate", "spec", "template", "spec")
		t.Replicas = replicas(jt.Parallelism)
	default:
		if acc, ok := obj.(metav1.ObjectMetaAccessor); ok {
			t.Meta, _ = acc.GetObjectMeta().(*metav1.ObjectMeta)
		}
	}
	if t.Meta == nil {
		t.Meta = &metav1.ObjectMeta{}
	}
	t.Ref = ObjectRef{APIVersion: apiVersion, Kind: kind, Namespace: t.Meta.Namespace, Name: t.Meta.Name}
	return t
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}
