package webhook

import (
	"encoding/json"
	"fmt"
	"syscall"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/podlint/podlint/cluster"
)

// BenchmarkReview reviews one 2-container Deployment through the real
// handler and catalogue, with an empty cluster and with the caches of a
// 5,000-node cluster running 1,000 DaemonSets that hold host ports. The
// issue's target: nodes=5000 within 1.5× of nodes=0 and ≤ 0.25 ms CPU per
// review (the cpu-ms/op metric).
func BenchmarkReview(b *testing.B) {
	req := reviewRequest(b)
	for _, nodes := range []int{0, 5000} {
		b.Run(fmt.Sprintf("nodes=%d", nodes), func(b *testing.B) {
			store := cluster.New()
			if nodes > 0 {
				loadScaleCluster(store, nodes, 1000)
			}
			h := NewHandler(HandlerOptions{Inventory: store.Inventory, Mode: Enforce, Metrics: NewMetrics(nil)})
			if resp := h.Handle(b.Context(), req); !resp.Allowed {
				b.Fatalf("review denied: %v", resp.Result)
			}
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				h.Handle(b.Context(), req)
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/1e6/float64(b.N), "cpu-ms/op")
		})
	}
}

func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// reviewRequest is a CREATE of a 2-container Deployment that schedules
// on the generated cluster's general pool and claims no host port.
func reviewRequest(b *testing.B) admission.Request {
	replicas := int32(3)
	res := func(cpu, mem string) corev1.ResourceRequirements {
		return corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(mem)},
		}
	}
	probe := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}}}
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "cart", Namespace: "shop", Labels: map[string]string{"app": "cart"}},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "cart"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "cart"}},
				Spec: corev1.PodSpec{
					NodeSelector: map[string]string{"kubernetes.io/os": "linux"},
					Containers: []corev1.Container{{
						Name: "cart", Image: "registry.example.com/shop/cart:1.4.2",
						Ports:          []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
						Resources:      res("250m", "256Mi"),
						ReadinessProbe: probe, LivenessProbe: probe,
					}, {
						Name: "proxy", Image: "registry.example.com/infra/envoy:1.31.0",
						Ports:     []corev1.ContainerPort{{Name: "admin", ContainerPort: 9901}},
						Resources: res("100m", "128Mi"),
					}},
				},
			},
		},
	}
	raw, err := json.Marshal(d)
	if err != nil {
		b.Fatal(err)
	}
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID:       "bench",
		Kind:      metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
		Resource:  metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"},
		Namespace: "shop", Name: "cart", Operation: admissionv1.Create,
		Object: runtime.RawExtension{Raw: raw},
	}}
}

// loadScaleCluster fills store the way the informers would for a cluster
// of n nodes in a few pools (with the usual well-known labels, a hostname
// each, pool taints, cordoned nodes) and ds DaemonSets with host ports.
func loadScaleCluster(store *cluster.Store, n, ds int) {
	pools := []struct {
		name, itype, cpu, mem string
		taint                 *corev1.Taint
	}{
		{"general", "m6i.2xlarge", "7910m", "29Gi", nil},
		{"general-large", "m6i.4xlarge", "15890m", "58Gi", nil},
		{"memory", "r6i.4xlarge", "15890m", "120Gi", &corev1.Taint{Key: "pool", Value: "memory", Effect: corev1.TaintEffectNoSchedule}},
		{"gpu", "g5.4xlarge", "15890m", "58Gi", &corev1.Taint{Key: "nvidia.com/gpu", Value: "present", Effect: corev1.TaintEffectNoSchedule}},
		{"system", "m6i.xlarge", "3920m", "14Gi", &corev1.Taint{Key: "CriticalAddonsOnly", Value: "true", Effect: corev1.TaintEffectNoSchedule}},
	}
	zones := []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}
	for i := range n {
		p := pools[i%len(pools)]
		if i%10 < 6 { // most nodes are general-purpose
			p = pools[0]
		}
		zone := zones[i%len(zones)]
		name := fmt.Sprintf("ip-10-%d-%d-%d.eu-west-1.compute.internal", i/65536, i/256%256, i%256)
		node := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
				"kubernetes.io/hostname":           name,
				"kubernetes.io/os":                 "linux",
				"kubernetes.io/arch":               "amd64",
				"beta.kubernetes.io/os":            "linux",
				"beta.kubernetes.io/arch":          "amd64",
				"node.kubernetes.io/instance-type": p.itype,
				"topology.kubernetes.io/region":    "eu-west-1",
				"topology.kubernetes.io/zone":      zone,
				"eks.amazonaws.com/nodegroup":      p.name,
				"pool":                             p.name,
			}},
			Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{
				corev1.ResourceCPU:              resource.MustParse(p.cpu),
				corev1.ResourceMemory:           resource.MustParse(p.mem),
				corev1.ResourceEphemeralStorage: resource.MustParse("95Gi"),
				corev1.ResourcePods:             resource.MustParse("110"),
			}},
		}
		if p.taint != nil {
			node.Spec.Taints = []corev1.Taint{*p.taint}
		}
		if p.name == "gpu" {
			node.Status.Allocatable["nvidia.com/gpu"] = resource.MustParse("1")
		}
		if i%500 == 7 {
			node.Spec.Unschedulable = true
			node.Spec.Taints = append(node.Spec.Taints, corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule})
		}
		store.Add(cluster.Nodes, node)
	}
	for i := range ds {
		d := &appsv1.DaemonSet{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("agent-%d", i), Namespace: fmt.Sprintf("team-%d", i%50)},
			Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				NodeSelector: map[string]string{"pool": pools[i%len(pools)].name},
				Tolerations:  []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
				Containers: []corev1.Container{{
					Name: "agent", Image: "registry.example.com/agents/agent:2.0",
					Ports: []corev1.ContainerPort{{ContainerPort: int32(20000 + i), HostPort: int32(20000 + i)}},
				}},
			}}},
		}
		store.Add(cluster.DaemonSets, d)
	}
	store.MarkKnown(cluster.Nodes, cluster.AllNamespaces)
	store.MarkKnown(cluster.DaemonSets, cluster.AllNamespaces)
}
