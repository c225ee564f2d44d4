package why

import (
	"encoding/json"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// largeDump builds what kubectl get pods,events,nodes,... -A -o json prints
// for a big cluster: pods pods on 100 nodes in 500 Deployments, one in ten
// stuck (unscheduled, ImagePullBackOff or CrashLoopBackOff), and events
// events about them.
func largeDump(tb testing.TB, pods, events int) []byte {
	tb.Helper()
	now := time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC)
	at := func(ago time.Duration) metav1.Time { return metav1.NewTime(now.Add(-ago)) }
	var items []any
	for i := range 100 {
		n := &corev1.Node{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"},
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("node-%03d", i), UID: types.UID(fmt.Sprintf("node-%d", i)), CreationTimestamp: at(900 * time.Hour),
				Labels: map[string]string{"kubernetes.io/hostname": fmt.Sprintf("node-%03d", i), "topology.kubernetes.io/zone": fmt.Sprintf("zone-%d", i%3)}},
			Status: corev1.NodeStatus{
				Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("16"), corev1.ResourceMemory: resource.MustParse("64Gi"), corev1.ResourcePods: resource.MustParse("110")},
				Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", LastHeartbeatTime: at(0), LastTransitionTime: at(900 * time.Hour)}}}}
		items = append(items, n)
	}
	deploys := 500
	var rss []*appsv1.ReplicaSet
	for i := range deploys {
		ns := fmt.Sprintf("team-%02d", i%20)
		labels := map[string]string{"app": fmt.Sprintf("svc-%d", i)}
		tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "app", Image: fmt.Sprintf("registry.example.com/team/svc-%d:1.%d", i, i%7),
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")}},
			Ports:     []corev1.ContainerPort{{ContainerPort: 8080, Name: "http"}}}}}}
		d := &appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("svc-%d", i), Namespace: ns, UID: types.UID(fmt.Sprintf("d-%d", i)), CreationTimestamp: at(100 * time.Hour)},
			Spec:       appsv1.DeploymentSpec{Replicas: ptr(int32(pods / deploys)), Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl}}
		rs := &appsv1.ReplicaSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "ReplicaSet"},
			ObjectMeta: metav1.ObjectMeta{Name: d.Name + "-5b9d6c7f8", Namespace: ns, UID: types.UID(fmt.Sprintf("rs-%d", i)), CreationTimestamp: at(100 * time.Hour),
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: d.Name, UID: d.UID, Controller: ptr(true)}}},
			Spec:   appsv1.ReplicaSetSpec{Replicas: d.Spec.Replicas, Selector: d.Spec.Selector, Template: tmpl},
			Status: appsv1.ReplicaSetStatus{Replicas: *d.Spec.Replicas}}
		items = append(items, d, rs)
		rss = append(rss, rs)
	}
	var podObjs []*corev1.Pod
	for i := range pods {
		rs := rss[i%deploys]
		p := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%05d", rs.Name, i), Namespace: rs.Namespace, UID: types.UID(fmt.Sprintf("pod-%d", i)),
				CreationTimestamp: at(2 * time.Hour), Labels: rs.Spec.Template.Labels,
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: ptr(true)}}},
			Spec: *rs.Spec.Template.Spec.DeepCopy()}
		c := p.Spec.Containers[0]
		switch i % 10 {
		case 1: // unscheduled
			p.Status = corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", LastTransitionTime: at(time.Hour)}}}
		case 2: // ImagePullBackOff
			p.Spec.NodeName = fmt.Sprintf("node-%03d", i%100)
			p.Status = corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Image: c.Image,
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "Back-off pulling image \"" + c.Image + "\""}}}}}
		case 3: // CrashLoopBackOff
			p.Spec.NodeName = fmt.Sprintf("node-%03d", i%100)
			p.Status = corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Image: c.Image, RestartCount: 7,
				State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
				LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 1, StartedAt: at(3 * time.Minute), FinishedAt: at(2 * time.Minute)}}}}}
		default:
			p.Spec.NodeName = fmt.Sprintf("node-%03d", i%100)
			p.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "10.244.0.1",
				Conditions:        []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: at(time.Hour)}},
				ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Image: c.Image, Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: at(time.Hour)}}}}}
		}
		podObjs = append(podObjs, p)
		items = append(items, p)
	}
	for i := range events {
		p := podObjs[i%len(podObjs)]
		e := &corev1.Event{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Event"},
			ObjectMeta:     metav1.ObjectMeta{Name: fmt.Sprintf("%s.%x", p.Name, i), Namespace: p.Namespace, CreationTimestamp: at(time.Hour)},
			InvolvedObject: corev1.ObjectReference{APIVersion: "v1", Kind: "Pod", Name: p.Name, Namespace: p.Namespace, UID: p.UID},
			Count:          int32(1 + i%9), FirstTimestamp: at(time.Hour), LastTimestamp: at(time.Duration(i%50) * time.Minute),
			Source: corev1.EventSource{Component: "kubelet", Host: p.Spec.NodeName}}
		switch podIndex := i % len(podObjs); podIndex % 10 {
		case 1:
			e.Type, e.Reason, e.Message, e.Source = "Warning", "FailedScheduling", "0/100 nodes are available: 60 Insufficient cpu, 40 node(s) didn't match Pod's node affinity/selector. preemption: 0/100 nodes are available: 100 No preemption victims found for incoming pod.", corev1.EventSource{Component: "default-scheduler"}
		case 2:
			e.Type, e.Reason, e.Message = "Warning", "Failed", "Failed to pull image \""+p.Spec.Containers[0].Image+"\": rpc error: code = NotFound desc = failed to pull and unpack image: not found"
			e.InvolvedObject.FieldPath = "spec.containers{app}"
		case 3:
			e.Type, e.Reason, e.Message = "Warning", "BackOff", "Back-off restarting failed container app in pod "+p.Name
			e.InvolvedObject.FieldPath = "spec.containers{app}"
		default:
			e.Type, e.Reason, e.Message = "Normal", "Pulled", "Container image \""+p.Spec.Containers[0].Image+"\" already present on machine"
			e.InvolvedObject.FieldPath = "spec.containers{app}"
		}
		items = append(items, e)
	}
	data, err := json.MarshalIndent(map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, "", "    ")
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func ptr[T any](v T) *T { return &v }

func diagnoseDump(tb testing.TB, data []byte) *Report {
	d, errs := Decode("large.json", data)
	if len(errs) > 0 {
		tb.Fatal(errs[0])
	}
	rep, err := Diagnose(d, Options{Now: d.Newest()})
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

// TestLargeDump answers a dump of 10,000 pods and 50,000 events and
// checks the verdicts; the time it takes is logged (go test -v -run
// TestLargeDump), not asserted, and BenchmarkLargeDump measures it.
func TestLargeDump(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 70 MB dump")
	}
	data := largeDump(t, 10000, 50000)
	// hack/bench-why.sh times the binary on this same dump.
	if out := os.Getenv("PODLINT_WRITE_LARGE_DUMP"); out != "" {
		if err := os.WriteFile(out, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start, cpu := time.Now(), cpuTime()
	rep := diagnoseDump(t, data)
	t.Logf("%d MB, %d pods, %d stuck: decoded and diagnosed in %s (%s of CPU)", len(data)>>20, rep.Summary.Pods, rep.Summary.Stuck, time.Since(start).Round(time.Millisecond), (cpuTime() - cpu).Round(time.Millisecond))
	if rep.Summary.Pods != 10000 || rep.Summary.Stuck != 3000 || rep.Summary.Unknown != 0 {
		t.Errorf("summary %+v, want 10000 pods, 3000 stuck, none unknown", rep.Summary)
	}
	causes := map[string]int{}
	for _, d := range rep.Diagnoses {
		causes[d.Cause]++
	}
	want := map[string]int{"insufficient-resources": 1000, "node-selector-mismatch": 1000, "image-not-found": 1000, "container-exits": 1000}
	for c, n := range want {
		if causes[c] != n {
			t.Errorf("%s: %d diagnoses, want %d (all: %v)", c, causes[c], n, causes)
		}
	}
}

// BenchmarkLargeDump: decode and diagnose 10,000 pods and 50,000 events.
// cpu-ms/op is the CPU used on all cores, which a busy machine does not
// inflate the way it does the wall time.
func BenchmarkLargeDump(b *testing.B) {
	data := largeDump(b, 10000, 50000)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		diagnoseDump(b, data)
	}
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the CPU this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
