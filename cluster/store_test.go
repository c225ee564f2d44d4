package cluster_test

import (
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

func TestPresenceNeedsKnownKind(t *testing.T) {
	s := cluster.New()
	inv := s.Inventory()
	s.Add(cluster.ConfigMaps, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "present"}})
	secret := func(ns, name string) checks.Presence {
		_, p := inv.Secrets.Secret(ns, name)
		return p
	}
	// Steps run in order: each may change what the store knows.
	steps := []struct {
		name   string
		before func()
		got    func() checks.Presence
		want   checks.Presence
	}{
		{"present without knowledge", nil, func() checks.Presence { return inv.ConfigMaps.ConfigMap("shop", "present") }, checks.Present},
		{"missing, kind unknown", nil, func() checks.Presence { return inv.ConfigMaps.ConfigMap("shop", "missing") }, checks.Unknown},
		{"missing, kind known in namespace", func() { s.MarkKnown(cluster.ConfigMaps, "shop") },
			func() checks.Presence { return inv.ConfigMaps.ConfigMap("shop", "missing") }, checks.Absent},
		{"missing, other namespace still unknown", nil, func() checks.Presence { return inv.ConfigMaps.ConfigMap("other", "missing") }, checks.Unknown},
		{"secret known cluster-wide", func() { s.MarkKnown(cluster.Secrets, cluster.AllNamespaces) },
			func() checks.Presence { return secret("anywhere", "nope") }, checks.Absent},
		{"secret after MarkUnknown", func() { s.MarkUnknown(cluster.Secrets) },
			func() checks.Presence { return secret("anywhere", "nope") }, checks.Unknown},
	}
	for _, st := range steps {
		if st.before != nil {
			st.before()
		}
		if got := st.got(); got != st.want {
			t.Errorf("%s: got %v, want %v", st.name, got, st.want)
		}
	}
}

func TestEmptyNamespaceMeansDefault(t *testing.T) {
	s := cluster.New()
	s.Add(cluster.ServiceAccounts, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "builder"}})
	if _, p := s.Inventory().ServiceAccounts.ServiceAccount("default", "builder"); p != checks.Present {
		t.Fatalf("ServiceAccount without namespace not found in default: %v", p)
	}
}

func node(name string, labels map[string]string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

func names(ns []*corev1.Node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Name)
	}
	return out
}

func TestNodeIndexFollowsChanges(t *testing.T) {
	s := cluster.New()
	inv := s.Inventory()
	if _, known := inv.Nodes.Nodes(); known {
		t.Fatal("nodes known before MarkKnown")
	}
	s.MarkKnown(cluster.Nodes, cluster.AllNamespaces)
	s.Add(cluster.Nodes, node("b", map[string]string{"disk": "ssd"}))
	s.Add(cluster.Nodes, node("a", map[string]string{"disk": "hdd"}))
	all, _ := inv.Nodes.Nodes()
	if got := names(all); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("Nodes() = %v, want [a b]", got)
	}
	// Relabelling a node must move it in the index and refresh the list.
	s.Add(cluster.Nodes, node("a", map[string]string{"disk": "ssd"}))
	if got := names(inv.Nodes.NodesWithLabel("disk", "ssd")); len(got) != 2 {
		t.Errorf("after relabel, ssd nodes = %v, want a and b", got)
	}
	if got := inv.Nodes.NodeCountWithLabel("disk", "hdd"); got != 0 {
		t.Errorf("after relabel, %d hdd nodes remain in the index", got)
	}
	s.Delete(cluster.Nodes, "", "b")
	all, _ = inv.Nodes.Nodes()
	if got := names(all); len(got) != 1 || got[0] != "a" {
		t.Errorf("after delete, Nodes() = %v, want [a]", got)
	}
	if n, _ := inv.Nodes.NodeCount(); n != 1 {
		t.Errorf("NodeCount after delete = %d", n)
	}
}

func daemonSet(ns, name string, port int32, hostNetwork bool) *appsv1.DaemonSet {
	p := corev1.ContainerPort{ContainerPort: port}
	if !hostNetwork {
		p.HostPort = port
	}
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			HostNetwork: hostNetwork,
			Containers:  []corev1.Container{{Name: "c", Ports: []corev1.ContainerPort{p}}},
		}}},
	}
}

func TestHostPortIndex(t *testing.T) {
	s := cluster.New()
	inv := s.Inventory()
	s.Add(cluster.DaemonSets, daemonSet("monitoring", "node-exporter", 9100, true))
	// A second version of the same object replaces the first: variants
	// of one component never conflict with each other.
	s.Add(cluster.DaemonSets, daemonSet("monitoring", "node-exporter", 9200, true))
	s.Add(cluster.DaemonSets, daemonSet("other", "agent", 9100, false))

	if got := inv.HostPorts.HostPortClaims(9100, corev1.ProtocolTCP); len(got) != 1 || got[0].Ref.Name != "agent" {
		t.Errorf("9100/TCP claims = %v, want only other/agent", got)
	}
	if got := inv.HostPorts.HostPortClaims(9200, ""); len(got) != 1 {
		t.Errorf("9200 with default protocol: %d claims, want 1", len(got))
	}
	if got := inv.HostPorts.HostPortClaims(9100, corev1.ProtocolUDP); len(got) != 0 {
		t.Errorf("9100/UDP: %d claims, want 0", len(got))
	}
	s.DeleteWorkload(checks.ObjectRef{Kind: "DaemonSet", Namespace: "other", Name: "agent"})
	if got := inv.HostPorts.HostPortClaims(9100, corev1.ProtocolTCP); len(got) != 0 {
		t.Errorf("after delete, 9100 claims = %d", len(got))
	}
}

func TestPodsOnNodeCountsRunningPods(t *testing.T) {
	s := cluster.New()
	inv := s.Inventory()
	pod := func(name, node string, phase corev1.PodPhase) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "x", Name: name},
			Spec:       corev1.PodSpec{NodeName: node},
			Status:     corev1.PodStatus{Phase: phase},
		}
	}
	s.Add(cluster.Pods, pod("a", "n1", corev1.PodRunning))
	s.Add(cluster.Pods, pod("b", "n1", corev1.PodSucceeded))
	s.Add(cluster.Pods, pod("c", "", corev1.PodPending))
	if _, known := inv.Pods.PodsOnNode("n1"); known {
		t.Fatal("pod counts known before MarkKnown")
	}
	s.MarkKnown(cluster.Pods, cluster.AllNamespaces)
	if n, _ := inv.Pods.PodsOnNode("n1"); n != 1 {
		t.Errorf("PodsOnNode(n1) = %d, want 1 (finished and unbound pods take no slot)", n)
	}
	// A new version of a pod replaces the old one: once it finished, its
	// slot is free.
	s.Add(cluster.Pods, pod("a", "n1", corev1.PodSucceeded))
	if n, _ := inv.Pods.PodsOnNode("n1"); n != 0 {
		t.Errorf("PodsOnNode(n1) = %d after the pod finished, want 0", n)
	}
}

func TestAddTargetFeedsLookups(t *testing.T) {
	s := cluster.New()
	s.AddTarget(checks.NewTarget(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "pull"}, Data: map[string][]byte{"k": []byte("v")}}, "v1", "Secret"))
	m, p := s.Inventory().Secrets.Secret("a", "pull")
	if p != checks.Present || m.Type != corev1.SecretTypeOpaque || !m.TypeKnown {
		t.Fatalf("secret from input: %+v %v, want Opaque and present", m, p)
	}
}

// TestNodeGroupsFollowChanges: node groups follow node adds, updates
// (a label change moves a node to another group) and deletes, hostnames
// do not split groups, and Full follows the pods on a node.
func TestNodeGroupsFollowChanges(t *testing.T) {
	st := cluster.New()
	node := func(name, pool string, pods string) *corev1.Node {
		return &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{corev1.LabelHostname: name, "pool": pool}},
			Status:     corev1.NodeStatus{Allocatable: corev1.ResourceList{corev1.ResourcePods: resource.MustParse(pods)}},
		}
	}
	groups := func() string {
		gs, known := st.Inventory().Nodes.NodeGroups()
		if !known {
			return "unknown"
		}
		var out []string
		for _, g := range gs {
			out = append(out, fmt.Sprintf("%s:%d/%d", g.Node.Labels["pool"], g.Count, g.Full))
		}
		return strings.Join(out, " ")
	}
	if got := groups(); got != "unknown" {
		t.Fatalf("before MarkKnown: %s", got)
	}
	st.MarkKnown(cluster.Nodes, cluster.AllNamespaces)
	st.MarkKnown(cluster.Pods, cluster.AllNamespaces)
	st.Add(cluster.Nodes, node("a", "web", "1"))
	st.Add(cluster.Nodes, node("b", "web", "1"))
	st.Add(cluster.Nodes, node("c", "db", "1"))
	steps := []struct {
		do   func()
		want string
	}{
		{func() {}, "db:1/0 web:2/0"},
		{func() { st.Add(cluster.Nodes, node("b", "db", "1")) }, "db:2/0 web:1/0"},
		{func() {
			st.Add(cluster.Pods, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "x", Name: "p"}, Spec: corev1.PodSpec{NodeName: "b"}})
		}, "db:2/1 web:1/0"},
		{func() { st.Add(cluster.Nodes, node("b", "db", "2")) }, "db:1/0 db:1/0 web:1/0"},
		{func() { st.Delete(cluster.Pods, "x", "p") }, "db:1/0 db:1/0 web:1/0"},
		{func() { st.Add(cluster.Nodes, node("b", "db", "1")) }, "db:2/0 web:1/0"},
		{func() { st.Delete(cluster.Nodes, "", "c") }, "db:1/0 web:1/0"},
		{func() { st.Delete(cluster.Nodes, "", "a") }, "db:1/0"},
		{func() { st.Delete(cluster.Nodes, "", "b") }, ""},
	}
	for i, s := range steps {
		s.do()
		if got := groups(); got != s.want {
			t.Errorf("step %d: groups %q, want %q", i, got, s.want)
		}
	}
}

func TestClaimUsersAndAccessModes(t *testing.T) {
	s := cluster.New()
	inv := s.Inventory()
	claim := func(name string) corev1.Volume {
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: name}}}
	}
	deploy := func(name string, volumes ...corev1.Volume) *checks.Target {
		d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"}}
		d.Spec.Template.Spec.Volumes = volumes
		return checks.NewTarget(d, "apps/v1", "Deployment")
	}
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "shop"}}
	sts.Spec.Template.Spec.Volumes = []corev1.Volume{claim("data")}
	sts.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"}}}

	s.AddTarget(deploy("a", claim("data"), claim("data")))
	s.AddTarget(deploy("b", claim("data")))
	s.AddTarget(checks.NewTarget(sts, "apps/v1", "StatefulSet"))
	if got := inv.PVCUses.ClaimUsers("shop", "data"); len(got) != 2 || got[0].Ref.Name != "a" || got[1].Ref.Name != "b" {
		t.Errorf("users of shop/data = %v, want a and b (the StatefulSet's claim template is its own)", got)
	}
	// A new version of b without the claim replaces the old one.
	s.AddTarget(deploy("b"))
	if got := inv.PVCUses.ClaimUsers("shop", "data"); len(got) != 1 {
		t.Errorf("after b dropped the claim: %d users, want 1", len(got))
	}
	s.DeleteWorkload(checks.ObjectRef{Kind: "Deployment", Namespace: "shop", Name: "a"})
	if got := inv.PVCUses.ClaimUsers("shop", "data"); len(got) != 0 {
		t.Errorf("after delete: %d users", len(got))
	}

	if _, known := inv.PVCUses.PVCAccessModes("shop", "data"); known {
		t.Error("modes known before any claim was read")
	}
	pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "data", Namespace: "shop"}}
	pvc.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOncePod}
	s.Add(cluster.PVCs, pvc)
	if m, known := inv.PVCUses.PVCAccessModes("shop", "data"); !known || len(m) != 1 || m[0] != corev1.ReadWriteOncePod {
		t.Errorf("modes = %v, %v", m, known)
	}
	s.Delete(cluster.PVCs, "shop", "data")
	if _, known := inv.PVCUses.PVCAccessModes("shop", "data"); known {
		t.Error("modes still known after delete")
	}
}

// TestPodsMatch: pod labels follow adds, finishes and deletes; workloads
// count except the one asking; Absent needs the pods (and, for a
// namespace selector, the namespaces) listed.
func TestPodsMatch(t *testing.T) {
	s := cluster.New()
	inv := s.Inventory()
	pod := func(ns, name string, phase corev1.PodPhase, lbl map[string]string) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbl},
			Spec:       corev1.PodSpec{NodeName: "n1"},
			Status:     corev1.PodStatus{Phase: phase},
		}
	}
	redis := labels.SelectorFromSet(labels.Set{"app": "redis"})
	cacheNS := checks.PodScope{Namespaces: []string{"cache"}}
	shopRef := checks.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "api"}
	if got := inv.PodLabels.PodsMatch(cacheNS, redis, shopRef); got != checks.Unknown {
		t.Errorf("before any list: %v, want unknown", got)
	}
	s.MarkKnown(cluster.Pods, cluster.AllNamespaces)
	if got := inv.PodLabels.PodsMatch(cacheNS, redis, shopRef); got != checks.Absent {
		t.Errorf("pods listed, none: %v, want absent", got)
	}
	s.Add(cluster.Pods, pod("cache", "redis-0", corev1.PodRunning, map[string]string{"app": "redis"}))
	if got := inv.PodLabels.PodsMatch(cacheNS, redis, shopRef); got != checks.Present {
		t.Errorf("running redis: %v, want present", got)
	}
	if got := inv.PodLabels.PodsMatch(checks.PodScope{Namespaces: []string{"shop"}}, redis, shopRef); got != checks.Absent {
		t.Errorf("redis in another namespace: %v, want absent", got)
	}
	s.Add(cluster.Pods, pod("cache", "redis-0", corev1.PodSucceeded, map[string]string{"app": "redis"}))
	if got := inv.PodLabels.PodsMatch(cacheNS, redis, shopRef); got != checks.Absent {
		t.Errorf("redis finished: %v, want absent", got)
	}
	s.Add(cluster.Pods, pod("cache", "redis-0", corev1.PodRunning, map[string]string{"app": "redis"}))
	s.Delete(cluster.Pods, "cache", "redis-0")
	if got := inv.PodLabels.PodsMatch(cacheNS, redis, shopRef); got != checks.Absent {
		t.Errorf("redis deleted: %v, want absent", got)
	}

	// A namespace selector needs the namespaces' labels.
	platform := checks.PodScope{Selector: labels.SelectorFromSet(labels.Set{"team": "platform"})}
	if got := inv.PodLabels.PodsMatch(platform, redis, shopRef); got != checks.Unknown {
		t.Errorf("namespace selector, namespaces unknown: %v, want unknown", got)
	}
	s.Add(cluster.Namespaces, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "cache", Labels: map[string]string{"team": "platform"}}})
	s.MarkKnown(cluster.Namespaces, cluster.AllNamespaces)
	if got := inv.PodLabels.PodsMatch(platform, redis, shopRef); got != checks.Absent {
		t.Errorf("namespace selector, no pod: %v, want absent", got)
	}

	// A workload's pods count, but not the asking workload's own.
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: "cache", Name: "redis"},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "redis"}},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "r", Image: "redis"}}},
		}},
	}
	s.AddTarget(checks.NewTarget(dep, "apps/v1", "Deployment"))
	if got := inv.PodLabels.PodsMatch(platform, redis, shopRef); got != checks.Present {
		t.Errorf("a redis Deployment in cache: %v, want present", got)
	}
	self := checks.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "cache", Name: "redis"}
	if got := inv.PodLabels.PodsMatch(cacheNS, redis, self); got != checks.Absent {
		t.Errorf("asked by the redis Deployment itself: %v, want absent", got)
	}
	s.DeleteWorkload(self)
	if got := inv.PodLabels.PodsMatch(cacheNS, redis, shopRef); got != checks.Absent {
		t.Errorf("the Deployment removed: %v, want absent", got)
	}
}
