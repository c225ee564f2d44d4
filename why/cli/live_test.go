package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/podlint/podlint/test/apiserver"
	"github.com/podlint/podlint/why"
)

// kubectlBinary finds kubectl: the test skips without it locally and
// fails without it in CI.
func kubectlBinary(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("kubectl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("kubectl not found: %v", err)
		}
		t.Skipf("kubectl not found: %v", err)
	}
	return path
}

// liveCluster is a real API server (no scheduler, controllers or kubelet:
// the test writes the statuses and events they would have written).
type liveCluster struct {
	t          *testing.T
	cs         kubernetes.Interface
	kubeconfig string
	// at is the time the events and statuses pretend to be from; "now"
	// for both runs is the newest of them.
	at time.Time
}

func startLive(t *testing.T) *liveCluster {
	env := apiserver.Start(t)
	cs, err := kubernetes.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	u, err := env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := u.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	// Ten minutes ahead of the server's clock, so that the pods it creates
	// now look ten minutes old: long enough to count as stuck.
	return &liveCluster{t: t, cs: cs, kubeconfig: path, at: time.Now().Add(10 * time.Minute).Truncate(time.Second)}
}

func (c *liveCluster) ago(d time.Duration) metav1.Time { return metav1.NewTime(c.at.Add(-d)) }

func (c *liveCluster) must(_ any, err error) {
	c.t.Helper()
	if err != nil {
		c.t.Fatal(err)
	}
}

func (c *liveCluster) namespace(name string) {
	c.must(c.cs.CoreV1().Namespaces().Create(c.t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}))
}

func (c *liveCluster) node(name string, ready corev1.ConditionStatus) {
	ctx := c.t.Context()
	n, err := c.cs.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/hostname": name}}}, metav1.CreateOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	n.Status.Allocatable = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("16Gi"), corev1.ResourcePods: resource.MustParse("110")}
	n.Status.Capacity = n.Status.Allocatable
	reason, msg := "KubeletReady", "kubelet is posting ready status"
	if ready != corev1.ConditionTrue {
		reason, msg = "NodeStatusUnknown", "Kubelet stopped posting node status."
	}
	n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready, Reason: reason, Message: msg, LastHeartbeatTime: c.ago(time.Hour), LastTransitionTime: c.ago(time.Hour)}}
	n, err = c.cs.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	// The API server taints new nodes not-ready; the node lifecycle
	// controller, absent here, replaces that with the taints of the
	// node's condition.
	n.Spec.Taints = nil
	if ready != corev1.ConditionTrue {
		n.Spec.Taints = []corev1.Taint{{Key: "node.kubernetes.io/unreachable", Effect: corev1.TaintEffectNoSchedule}, {Key: "node.kubernetes.io/unreachable", Effect: corev1.TaintEffectNoExecute}}
	}
	c.must(c.cs.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{}))
}

func (c *liveCluster) lease(name string) {
	renew := metav1.NewMicroTime(c.at)
	c.must(c.cs.CoordinationV1().Leases("kube-system").Create(c.t.Context(), &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr(name + "-cp-1"), LeaseDurationSeconds: ptr(int32(15)), RenewTime: &renew}}, metav1.CreateOptions{}))
}

func ptr[T any](v T) *T { return &v }

// eventName names an event as the recorders do: the object's name and a
// unique suffix.
func eventName(object string) string { return fmt.Sprintf("%s.%x", object, time.Now().UnixNano()) }

func appContainer(image string) corev1.Container {
	return corev1.Container{Name: "app", Image: image, Resources: corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")}}}
}

// pod creates a pod and sets its status through the status subresource.
func (c *liveCluster) pod(ns, name, node string, spec corev1.PodSpec, status corev1.PodStatus, owner *metav1.OwnerReference) *corev1.Pod {
	ctx := c.t.Context()
	spec.NodeName = node
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{"app": name}}, Spec: spec}
	if owner != nil {
		p.OwnerReferences = []metav1.OwnerReference{*owner}
	}
	p, err := c.cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	p.Status = status
	p, err = c.cs.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	return p
}

func (c *liveCluster) running(ns, name, node string) {
	c.pod(ns, name, node, corev1.PodSpec{Containers: []corev1.Container{appContainer("registry.example.com/shop/web:1.4.2")}}, corev1.PodStatus{
		Phase:             corev1.PodRunning,
		Conditions:        []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: c.ago(time.Hour)}},
		ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Image: "registry.example.com/shop/web:1.4.2", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: c.ago(time.Hour)}}}},
	}, nil)
}

// coreEvent writes a core/v1 Event, as the kubelet and the controllers do.
func (c *liveCluster) coreEvent(obj metav1.Object, kind, fieldPath, reason, message, component string, count int32) {
	ns := obj.GetNamespace()
	c.must(c.cs.CoreV1().Events(ns).Create(c.t.Context(), &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: ns, Name: eventName(obj.GetName())},
		InvolvedObject: corev1.ObjectReference{Kind: kind, Namespace: ns, Name: obj.GetName(), UID: obj.GetUID(), FieldPath: fieldPath},
		Type:           corev1.EventTypeWarning, Reason: reason, Message: message, Count: count,
		FirstTimestamp: c.ago(9 * time.Minute), LastTimestamp: c.ago(time.Minute), Source: corev1.EventSource{Component: component},
	}, metav1.CreateOptions{}))
}

// schedulerEvent writes an events.k8s.io/v1 Event, as the scheduler does.
func (c *liveCluster) schedulerEvent(p *corev1.Pod, note string) {
	c.must(c.cs.EventsV1().Events(p.Namespace).Create(c.t.Context(), &eventsv1.Event{
		ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: eventName(p.Name)},
		Regarding:  corev1.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID, APIVersion: "v1"},
		Type:       corev1.EventTypeWarning, Reason: "FailedScheduling", Note: note, Action: "Scheduling",
		EventTime: metav1.NewMicroTime(c.at.Add(-8 * time.Minute)), ReportingController: "default-scheduler", ReportingInstance: "default-scheduler-cp-1",
		Series: &eventsv1.EventSeries{Count: 5, LastObservedTime: metav1.NewMicroTime(c.at.Add(-2 * time.Minute))},
	}, metav1.CreateOptions{}))
}

func (c *liveCluster) daemonSet(name string, spec corev1.PodSpec, desired int32) {
	ctx := c.t.Context()
	labels := map[string]string{"app": name}
	ds, err := c.cs.AppsV1().DaemonSets("monitoring").Create(ctx, &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec}}}, metav1.CreateOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	ds.Status = appsv1.DaemonSetStatus{DesiredNumberScheduled: desired, CurrentNumberScheduled: desired, NumberReady: desired, UpdatedNumberScheduled: desired, NumberAvailable: desired}
	c.must(c.cs.AppsV1().DaemonSets("monitoring").UpdateStatus(ctx, ds, metav1.UpdateOptions{}))
}

// dump runs kubectl get ... -A -o json against the cluster, as a user
// saving a dump for --from would.
func (c *liveCluster) dump(kubectl string) string {
	c.t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(c.t.Context(), kubectl, "--kubeconfig", c.kubeconfig, "get",
		"pods,events,nodes,namespaces,daemonsets,deployments,replicasets,statefulsets,jobs,cronjobs,leases", "-A", "-o", "json")
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		c.t.Fatalf("kubectl get: %v\n%s", err, errb.String())
	}
	path := filepath.Join(c.t.TempDir(), "cluster.json")
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return path
}

// both runs podlint why --live and --from on a kubectl dump of the same
// cluster, with "now" the dump's newest timestamp for both.
func (c *liveCluster) both(kubectl string, args ...string) (live, from string, liveCode, fromCode int) {
	c.t.Helper()
	path := c.dump(kubectl)
	d, errs := why.LoadFile(path, nil)
	if len(errs) > 0 {
		c.t.Fatalf("reading the kubectl dump: %v", errs)
	}
	now := d.Newest()
	runWith := func(extra ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(c.t.Context(), append(extra, args...), Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: func() time.Time { return now }})
		return code, out.String(), errb.String()
	}
	liveCode, live, liveErr := runWith("--live", "--kubeconfig", c.kubeconfig)
	fromCode, from, fromErr := runWith("--from", path)
	// No kubelet serves pods/log here: --live says so once and goes on.
	if liveErr != "" && !strings.Contains(liveErr, "could not read the logs") {
		c.t.Errorf("--live stderr:\n%s", liveErr)
	}
	if fromErr != "" {
		c.t.Errorf("--from stderr:\n%s", fromErr)
	}
	return live, from, liveCode, fromCode
}

// TestLiveMatchesDump: Nodes, Pods, Events of both APIs, ReplicaSets and
// DaemonSets in a real API server, statuses set through the status
// subresource; podlint why --live and --from on kubectl's dump of the same
// cluster give the same diagnoses. The same cluster healthy first: nothing
// stuck, exit 0.
func TestLiveMatchesDump(t *testing.T) {
	kubectl := kubectlBinary(t)
	c := startLive(t)
	ctx := t.Context()
	for _, ns := range []string{"shop", "monitoring"} {
		c.namespace(ns)
	}
	c.node("worker-1", corev1.ConditionTrue)
	c.node("worker-2", corev1.ConditionTrue)
	c.lease("kube-controller-manager")
	c.running("shop", "web-healthy", "worker-1")

	live, from, liveCode, fromCode := c.both(kubectl, "-A", "-o", "text")
	if liveCode != ExitOK || fromCode != ExitOK || !strings.Contains(live, "Nothing stuck (1 pod examined)") || live != from {
		t.Fatalf("healthy cluster: exit %d/%d\n--live:\n%s\n--from:\n%s", liveCode, fromCode, live, from)
	}

	// Now break it.
	c.node("worker-3", corev1.ConditionUnknown)
	// Pending: the scheduler's verdict as an events.k8s.io/v1 event.
	big := appContainer("registry.example.com/shop/api:2.0")
	big.Resources.Requests[corev1.ResourceCPU] = resource.MustParse("500")
	api := c.pod("shop", "api-0", "", corev1.PodSpec{Containers: []corev1.Container{big}}, corev1.PodStatus{Phase: corev1.PodPending,
		Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", LastTransitionTime: c.ago(8 * time.Minute)}}}, nil)
	c.schedulerEvent(api, "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.")
	// Pending without any scheduling event: no kube-scheduler Lease.
	c.pod("shop", "lonely", "", corev1.PodSpec{Containers: []corev1.Container{appContainer("registry.example.com/shop/web:1.4.2")}}, corev1.PodStatus{Phase: corev1.PodPending}, nil)
	// ImagePullBackOff from a private registry, kubelet's core/v1 events.
	img := "docker02:35000/shop/cart:2.1"
	pull := c.pod("shop", "cart-0", "worker-1", corev1.PodSpec{Containers: []corev1.Container{appContainer(img)}}, corev1.PodStatus{Phase: corev1.PodPending,
		ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Image: img, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: `Back-off pulling image "` + img + `"`}}}}}, nil)
	c.coreEvent(pull, "Pod", "spec.containers{app}", "Failed", `Failed to pull image "`+img+`": failed to pull and unpack image "`+img+`": failed to resolve reference "`+img+`": pulling from host docker02:35000 failed with status code [manifests 2.1]: 401 Unauthorized`, "kubelet", 6)
	// CrashLoopBackOff, OOMKilled.
	c.pod("shop", "batch-0", "worker-2", corev1.PodSpec{Containers: []corev1.Container{appContainer("registry.example.com/shop/batch:3")}}, corev1.PodStatus{Phase: corev1.PodRunning,
		ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Image: "registry.example.com/shop/batch:3", RestartCount: 4,
			State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "OOMKilled", ExitCode: 137, StartedAt: c.ago(3 * time.Minute), FinishedAt: c.ago(2 * time.Minute)}}}}}, nil)
	// Terminating on the unreachable node.
	zk := c.pod("shop", "zk-0", "worker-3", corev1.PodSpec{Containers: []corev1.Container{appContainer("zookeeper:3.9.2")}}, corev1.PodStatus{Phase: corev1.PodRunning,
		ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Image: "zookeeper:3.9.2", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: c.ago(time.Hour)}}}}}, nil)
	if err := c.cs.CoreV1().Pods("shop").Delete(ctx, zk.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	// A ReplicaSet that cannot create pods: quota.
	labels := map[string]string{"app": "web"}
	rs, err := c.cs.AppsV1().ReplicaSets("shop").Create(ctx, &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web-5b9d6c7f8"},
		Spec: appsv1.ReplicaSetSpec{Replicas: ptr(int32(3)), Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{Containers: []corev1.Container{appContainer("registry.example.com/shop/web:1.4.2")}}}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rs.Status = appsv1.ReplicaSetStatus{Replicas: 0, ObservedGeneration: 1}
	c.must(c.cs.AppsV1().ReplicaSets("shop").UpdateStatus(ctx, rs, metav1.UpdateOptions{}))
	c.coreEvent(rs, "ReplicaSet", "", "FailedCreate", `Error creating: pods "web-5b9d6c7f8-" is forbidden: exceeded quota: compute, requested: requests.cpu=100m, used: requests.cpu=1950m, limited: requests.cpu=2`, "replicaset-controller", 12)
	// The guide's node-exporter case: a second DaemonSet on host port 9100.
	exporter := func(hostNetwork bool, hostPort int32) corev1.PodSpec {
		return corev1.PodSpec{HostNetwork: hostNetwork, Containers: []corev1.Container{{Name: "node-exporter", Image: "quay.io/prometheus/node-exporter:v1.8.2",
			Ports: []corev1.ContainerPort{{ContainerPort: 9100, HostPort: hostPort, Protocol: corev1.ProtocolTCP}}}}}
	}
	c.daemonSet("node-exporter", exporter(true, 0), 3)
	c.daemonSet("my-prom-prometheus-node-exporter", exporter(false, 9100), 0)

	live, from, liveCode, fromCode = c.both(kubectl, "-A", "-o", "json")
	if liveCode != ExitStuck || fromCode != ExitStuck {
		t.Errorf("exit --live %d, --from %d; want %d", liveCode, fromCode, ExitStuck)
	}
	if live != from {
		t.Errorf("--live and --from differ\n--live:\n%s\n--from:\n%s", live, from)
	}
	var rep struct {
		Diagnoses []struct {
			Object struct{ Kind, Name string }
			Cause  string
		}
		Summary why.Summary
	}
	if err := json.Unmarshal([]byte(live), &rep); err != nil {
		t.Fatalf("%v\n%s", err, live)
	}
	var got []string
	for _, d := range rep.Diagnoses {
		got = append(got, d.Object.Kind+"/"+d.Object.Name+"="+d.Cause)
	}
	for _, want := range []string{
		"Pod/api-0=insufficient-resources", "Pod/api-0=taint-not-tolerated", "Pod/lonely=scheduler-not-running",
		"Pod/cart-0=image-pull-unauthorized", "Pod/batch-0=oom-killed", "Pod/zk-0=node-not-ready",
		"ReplicaSet/web-5b9d6c7f8=quota-exceeded", "DaemonSet/my-prom-prometheus-node-exporter=daemonset-host-port-conflict",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %s in %q", want, got)
		}
	}
	if rep.Summary.Pods != 6 || rep.Summary.Stuck != 7 || rep.Summary.Unknown != 0 {
		t.Errorf("summary %+v", rep.Summary)
	}

	// A target in the kubeconfig's namespace, as kubectl podlint why would
	// get it.
	live, from, liveCode, fromCode = c.both(kubectl, "-n", "shop", "rs/web-5b9d6c7f8", "cart-0")
	if liveCode != ExitStuck || live != from || !strings.Contains(live, "quota-exceeded") || !strings.Contains(live, "image-pull-unauthorized") || strings.Contains(live, "oom-killed") {
		t.Errorf("targets: exit %d/%d\n--live:\n%s\n--from:\n%s", liveCode, fromCode, live, from)
	}
}
