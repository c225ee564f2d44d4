package webhook

import (
	"encoding/json"
	"fmt"
	"syscall"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/podlint/podlint/cluster"
	"github.com/podlint/podlint/test/scale"
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

// reviewRequest is a CREATE of the clean 2-container Deployment make
// loadtest sends (test/scale), which schedules on the generated cluster's
// general pool and claims no host port.
func reviewRequest(b *testing.B) admission.Request {
	d := scale.Deployment(0)
	raw, err := json.Marshal(d)
	if err != nil {
		b.Fatal(err)
	}
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID:       "bench",
		Kind:      metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
		Resource:  metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"},
		Namespace: d.Namespace, Name: d.Name, Operation: admissionv1.Create,
		Object: runtime.RawExtension{Raw: raw},
	}}
}

// loadScaleCluster fills store the way the informers would with n nodes
// and ds DaemonSets of the cluster make loadtest uses (test/scale).
func loadScaleCluster(store *cluster.Store, n, ds int) {
	for i := range n {
		store.Add(cluster.Nodes, scale.Node(i))
	}
	for i := range ds {
		d := scale.DaemonSet(i)
		d.TypeMeta = metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"}
		store.Add(cluster.DaemonSets, d)
	}
	store.MarkKnown(cluster.Nodes, cluster.AllNamespaces)
	store.MarkKnown(cluster.DaemonSets, cluster.AllNamespaces)
}
