package cluster

import (
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/podlint/podlint/checks"
)

// TestTable checks every row against the API types it names and the
// checks it lists.
func TestTable(t *testing.T) {
	seen := map[Kind]bool{}
	types := map[reflect.Type]bool{}
	for _, r := range Kinds() {
		t.Run(string(r.Kind), func(t *testing.T) {
			if seen[r.Kind] {
				t.Errorf("two rows for %s", r.Kind)
			}
			seen[r.Kind] = true
			o := r.New()
			if types[reflect.TypeOf(o)] {
				t.Errorf("New returns a %T, like another row", o)
			}
			types[reflect.TypeOf(o)] = true
			if got, ok := ForObject(o); !ok || got.Kind != r.Kind {
				t.Errorf("ForObject(%T) = %s", o, got.Kind)
			}
			gvks, _, err := scheme.Scheme.ObjectKinds(o)
			if err != nil || len(gvks) != 1 || gvks[0] != r.GroupVersionKind() {
				t.Errorf("New returns a %v (%v), the row says %v", gvks, err, r.GroupVersionKind())
			}
			if plural, _ := meta.UnsafeGuessKindToResource(r.GroupVersionKind()); plural.Resource != r.Resource {
				t.Errorf("resource %q, want %q", r.Resource, plural.Resource)
			}
			if r.Add == nil || r.Delete == nil {
				t.Error("no field reader")
			}
			if r.Keep != nil && r.Drop != nil {
				t.Error("Keep and Drop both set: a row keeps some fields or drops some")
			}
			if r.Access != Typed && r.Drop != nil {
				t.Error("a metadata-only row has nothing to drop")
			}
			if r.Access != Typed {
				for _, p := range r.Keep {
					if !strings.HasPrefix(p, "metadata.") && !(r.Access == SecretType && p == "type") {
						t.Errorf("Keep %q: a %v row only reads metadata", p, r.Access)
					}
				}
			}
			if len(r.Checks) == 0 {
				t.Error("no check needs the kind; why read it?")
			}
			for _, id := range r.Checks {
				if checks.Lookup(id) == nil {
					t.Errorf("check %q is not registered", id)
				}
			}
		})
	}
}

// size counts everything the store holds.
func (s *Store) size() int {
	n := len(s.nodes) + len(s.nodeLabels) + len(s.secrets) + len(s.cmKeys) + len(s.storageClasses) + len(s.podNode) + len(s.hostPorts) + len(s.claimed) + len(s.pvcModes) + len(s.claimUsers) + len(s.usedClaims) + len(s.podLabels) + len(s.workloads)
	for _, byNS := range s.objects {
		for _, m := range byNS {
			n += len(m)
		}
	}
	for _, m := range s.names {
		n += len(m)
	}
	for _, m := range s.podsOnNode {
		n += len(m)
	}
	return n
}

// TestFieldReadersAddAndDelete feeds one object of every row through the
// store and deletes it again: each field reader must undo what it did.
func TestFieldReadersAddAndDelete(t *testing.T) {
	s := New()
	for _, r := range Kinds() {
		o := r.New()
		o.SetName("x")
		o.SetLabels(map[string]string{"a": "b"})
		switch o := o.(type) {
		case *corev1.Pod:
			o.Spec.NodeName, o.Status.Phase = "n1", corev1.PodRunning
		case *appsv1.DaemonSet:
			o.Spec.Template.Spec.Containers = []corev1.Container{{Name: "c", Ports: []corev1.ContainerPort{{HostPort: 80, ContainerPort: 80}}}}
			o.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}}}
		case *corev1.PersistentVolumeClaim:
			o.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
		}
		s.Add(r.Kind, o)
		if s.size() == 0 {
			t.Errorf("%s: Add kept nothing", r.Kind)
		}
		// An empty namespace is "default" for namespaced kinds, whichever
		// way it is spelled.
		namespace := ""
		if r.Namespaced {
			namespace = "default"
		}
		s.Delete(r.Kind, namespace, "x")
		if n := s.size(); n != 0 {
			t.Errorf("%s: %d entries left after Delete", r.Kind, n)
		}
	}
}

func TestStrip(t *testing.T) {
	r, _ := Lookup(Nodes)
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "n", Labels: map[string]string{"a": "b"}, ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubelet"}}},
		Spec:       corev1.NodeSpec{Taints: []corev1.Taint{{Key: "k"}}},
		Status: corev1.NodeStatus{
			Capacity:   corev1.ResourceList{corev1.ResourceCPU: {}},
			Images:     []corev1.ContainerImage{{Names: []string{"a"}}},
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady}},
		},
	}
	r.Strip(n)
	if n.ManagedFields != nil || n.Status.Images != nil || n.Status.Conditions != nil {
		t.Errorf("kept what the row drops: %+v", n)
	}
	if n.Labels["a"] != "b" || len(n.Spec.Taints) != 1 || len(n.Status.Capacity) != 1 {
		t.Errorf("dropped what the row keeps: %+v", n)
	}
	// Pods keep their labels (pod affinity), and nothing else of their
	// metadata.
	pr, _ := Lookup(Pods)
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "shop", Labels: map[string]string{"app": "web"},
		Annotations: map[string]string{"x": "y"}, OwnerReferences: []metav1.OwnerReference{{Name: "rs"}}}}
	pr.Strip(p)
	if p.Labels["app"] != "web" || p.Namespace != "shop" || p.Annotations != nil || p.OwnerReferences != nil {
		t.Errorf("pod stripped to %+v, want its name, namespace and labels", p.ObjectMeta)
	}
	// Under the secret-keys opt-in a Secret keeps its key names, type and
	// name; values and annotations go.
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s", Annotations: map[string]string{"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
		Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"k": []byte("v")}}
	SecretKeysRow().Strip(sec)
	if v, ok := sec.Data["k"]; !ok || len(v) != 0 || sec.Annotations != nil || sec.Type != corev1.SecretTypeOpaque {
		t.Errorf("secret stripped to %+v", sec)
	}
	// Paths that lead nowhere in the object are left alone.
	clearPath(reflect.ValueOf(n), []string{"status", "nope"})
	clearPath(reflect.ValueOf(n), []string{"metadata", "name", "deeper"})
	clearPath(reflect.ValueOf(&metav1.PartialObjectMetadata{}), []string{"status", "images"})
	if n.Name != "n" {
		t.Error("a path through a string cleared it")
	}
}

// TestEveryClusterCheckHasAKind: a check marked Cluster asks the inventory
// something, so some row must feed it; otherwise it can only ever be silent
// against a snapshot, --live or the webhook.
func TestEveryClusterCheckHasAKind(t *testing.T) {
	fed := map[string]bool{}
	for _, r := range Kinds() {
		for _, id := range r.Checks {
			fed[id] = true
		}
	}
	for _, c := range checks.Catalogue() {
		if c.Cluster && !fed[c.ID] {
			t.Errorf("cluster check %s is needed by no row of the kinds table", c.ID)
		}
	}
}
