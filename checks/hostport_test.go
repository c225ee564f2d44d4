package checks_test

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

func hostPortSpec(port int32, mod ...func(*corev1.PodSpec)) corev1.PodSpec {
	s := corev1.PodSpec{Containers: []corev1.Container{{
		Name: "agent", Image: "quay.io/prometheus/node-exporter:v1.8.2",
		Ports: []corev1.ContainerPort{{ContainerPort: port, HostPort: port}},
	}}}
	for _, m := range mod {
		m(&s)
	}
	return s
}

func hostNetwork(s *corev1.PodSpec) {
	s.HostNetwork = true
	s.Containers[0].Ports[0].HostPort = 0
}

func selector(kv ...string) func(*corev1.PodSpec) {
	return func(s *corev1.PodSpec) {
		s.NodeSelector = map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			s.NodeSelector[kv[i]] = kv[i+1]
		}
	}
}

func requiredAffinity(terms ...corev1.NodeSelectorTerm) func(*corev1.PodSpec) {
	return func(s *corev1.PodSpec) {
		s.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: terms},
		}}
	}
}

func term(key string, op corev1.NodeSelectorOperator, values ...string) corev1.NodeSelectorTerm {
	return corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: key, Operator: op, Values: values}}}
}

func dsTarget(ns, name string, spec corev1.PodSpec) *checks.Target {
	return checks.NewTarget(daemonSetOf(ns, name, spec), "apps/v1", "DaemonSet")
}

func deployTarget(ns, name string, spec corev1.PodSpec) *checks.Target {
	d := deploymentOf(name, spec)
	d.Namespace = ns
	return checks.NewTarget(d, "apps/v1", "Deployment")
}

func TestHostPortConflictBetweenObjects(t *testing.T) {
	const hp = "spec.template.spec.containers[0].ports[0].hostPort"
	tests := []struct {
		name   string
		target *checks.Target
		others []*checks.Target
		want   []string
	}{
		{
			name:   "second node-exporter next to one with hostNetwork",
			target: dsTarget("monitoring", "node-exporter-v2", hostPortSpec(9100)),
			others: []*checks.Target{dsTarget("monitoring", "node-exporter", hostPortSpec(9100, hostNetwork))},
			want:   []string{`error ` + hp + `: host port 9100/TCP is also claimed by DaemonSet/monitoring/node-exporter (spec.template.spec.containers[0].ports[0].containerPort, with hostNetwork); both DaemonSets want a pod on every node they can run on, and there the one that comes second stays Pending`},
		},
		{
			name:   "the hostNetwork DaemonSet reports at its containerPort",
			target: dsTarget("monitoring", "node-exporter", hostPortSpec(9100, hostNetwork)),
			others: []*checks.Target{dsTarget("monitoring", "node-exporter-v2", hostPortSpec(9100))},
			want:   []string{`error spec.template.spec.containers[0].ports[0].containerPort: host port 9100/TCP is also claimed by DaemonSet/monitoring/node-exporter-v2 (spec.template.spec.containers[0].ports[0].hostPort); both DaemonSets want a pod on every node they can run on, and there the one that comes second stays Pending`},
		},
		{
			name:   "Deployment next to a DaemonSet",
			target: deployTarget("shop", "edge", hostPortSpec(9100)),
			others: []*checks.Target{dsTarget("monitoring", "node-exporter", hostPortSpec(9100, hostNetwork))},
			want:   []string{`error ` + hp + `: host port 9100/TCP is also claimed by DaemonSet/monitoring/node-exporter (spec.template.spec.containers[0].ports[0].containerPort, with hostNetwork); the DaemonSet holds it on every node both can run on, so the pods that come second stay Pending`},
		},
		{
			name:   "two Deployments only may collide",
			target: deployTarget("shop", "edge", hostPortSpec(8080)),
			others: []*checks.Target{deployTarget("shop", "edge-canary", hostPortSpec(8080))},
			want:   []string{`warning ` + hp + `: host port 8080/TCP is also claimed by Deployment/shop/edge-canary (spec.template.spec.containers[0].ports[0].hostPort); if both land on one node, the second pod stays Pending`},
		},
		{
			name:   "versions of one object",
			target: dsTarget("monitoring", "node-exporter", hostPortSpec(9100)),
			others: []*checks.Target{dsTarget("monitoring", "node-exporter", hostPortSpec(9100, hostNetwork))},
		},
		{
			name:   "default namespace written and omitted is one object",
			target: dsTarget("", "agent", hostPortSpec(9100)),
			others: []*checks.Target{dsTarget("default", "agent", hostPortSpec(9100, hostNetwork))},
		},
		{
			name:   "same name in another namespace is another object",
			target: dsTarget("a", "agent", hostPortSpec(9100)),
			others: []*checks.Target{dsTarget("b", "agent", hostPortSpec(9100))},
			want:   []string{`error ` + hp + `: host port 9100/TCP is also claimed by DaemonSet/b/agent (spec.template.spec.containers[0].ports[0].hostPort); both DaemonSets want a pod on every node they can run on, and there the one that comes second stays Pending`},
		},
		{
			name:   "different protocol",
			target: dsTarget("kube-system", "dns-agent", hostPortSpec(53, func(s *corev1.PodSpec) { s.Containers[0].Ports[0].Protocol = corev1.ProtocolUDP })),
			others: []*checks.Target{dsTarget("kube-system", "dns-tcp", hostPortSpec(53))},
		},
		{
			name:   "distinct host IPs",
			target: dsTarget("a", "one", hostPortSpec(80, func(s *corev1.PodSpec) { s.Containers[0].Ports[0].HostIP = "10.0.0.1" })),
			others: []*checks.Target{dsTarget("a", "two", hostPortSpec(80, func(s *corev1.PodSpec) { s.Containers[0].Ports[0].HostIP = "10.0.0.2" }))},
		},
		{
			name:   "0.0.0.0 overlaps a specific host IP",
			target: dsTarget("a", "one", hostPortSpec(80, func(s *corev1.PodSpec) { s.Containers[0].Ports[0].HostIP = "10.0.0.1" })),
			others: []*checks.Target{dsTarget("a", "two", hostPortSpec(80, func(s *corev1.PodSpec) { s.Containers[0].Ports[0].HostIP = "0.0.0.0" }))},
			want:   []string{`error ` + hp + `: host port 80/TCP is also claimed by DaemonSet/a/two (spec.template.spec.containers[0].ports[0].hostPort); both DaemonSets want a pod on every node they can run on, and there the one that comes second stays Pending`},
		},
		{
			name:   "disjoint nodeSelectors",
			target: dsTarget("a", "linux", hostPortSpec(9100, selector("kubernetes.io/os", "linux"))),
			others: []*checks.Target{dsTarget("a", "windows", hostPortSpec(9100, selector("kubernetes.io/os", "windows")))},
		},
		{
			name:   "nodeSelector against a disjoint affinity In set",
			target: dsTarget("a", "gpu", hostPortSpec(9100, selector("pool", "gpu"))),
			others: []*checks.Target{dsTarget("a", "general", hostPortSpec(9100, requiredAffinity(term("pool", corev1.NodeSelectorOpIn, "general", "batch"))))},
		},
		{
			name:   "affinity NotIn excludes the other's only value",
			target: dsTarget("a", "gpu", hostPortSpec(9100, selector("pool", "gpu"))),
			others: []*checks.Target{dsTarget("a", "rest", hostPortSpec(9100, requiredAffinity(term("pool", corev1.NodeSelectorOpNotIn, "gpu"))))},
		},
		{
			name:   "DoesNotExist against a selector",
			target: dsTarget("a", "edge", hostPortSpec(9100, selector("edge", "true"))),
			others: []*checks.Target{dsTarget("a", "core", hostPortSpec(9100, requiredAffinity(term("edge", corev1.NodeSelectorOpDoesNotExist))))},
		},
		{
			name:   "overlapping In sets collide",
			target: dsTarget("a", "gpu", hostPortSpec(9100, selector("pool", "gpu"))),
			others: []*checks.Target{dsTarget("a", "mixed", hostPortSpec(9100, requiredAffinity(term("pool", corev1.NodeSelectorOpIn, "gpu", "general"))))},
			want:   []string{`error ` + hp + `: host port 9100/TCP is also claimed by DaemonSet/a/mixed (spec.template.spec.containers[0].ports[0].hostPort); both DaemonSets want a pod on every node they can run on, and there the one that comes second stays Pending`},
		},
		{
			name:   "one alternative term overlaps",
			target: dsTarget("a", "gpu", hostPortSpec(9100, selector("pool", "gpu"))),
			others: []*checks.Target{dsTarget("a", "alt", hostPortSpec(9100, requiredAffinity(
				term("pool", corev1.NodeSelectorOpIn, "general"), term("accelerator", corev1.NodeSelectorOpExists))))},
			want: []string{`error ` + hp + `: host port 9100/TCP is also claimed by DaemonSet/a/alt (spec.template.spec.containers[0].ports[0].hostPort); both DaemonSets want a pod on every node they can run on, and there the one that comes second stays Pending`},
		},
		{
			name:   "different keys cannot be proven disjoint",
			target: dsTarget("a", "one", hostPortSpec(9100, selector("zone", "a"))),
			others: []*checks.Target{dsTarget("a", "two", hostPortSpec(9100, selector("pool", "gpu")))},
			want:   []string{`error ` + hp + `: host port 9100/TCP is also claimed by DaemonSet/a/two (spec.template.spec.containers[0].ports[0].hostPort); both DaemonSets want a pod on every node they can run on, and there the one that comes second stays Pending`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := cluster.New()
			store.AddWorkload(tt.target)
			for _, o := range tt.others {
				store.AddWorkload(o)
			}
			got := findingLines(runStatic(t, "host-port-conflict", tt.target, store.Inventory(), nil))
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestHostPortConflictSameIdentityInLookup(t *testing.T) {
	// The lookup may hand back a different *Target for the object under
	// check (an earlier version of it); the check must not compare the two.
	a := dsTarget("monitoring", "node-exporter", hostPortSpec(9100))
	b := dsTarget("monitoring", "node-exporter", hostPortSpec(9100, hostNetwork))
	store := cluster.New()
	store.AddWorkload(b)
	if fs := runStatic(t, "host-port-conflict", a, store.Inventory(), nil); len(fs) != 0 {
		t.Errorf("unexpected findings %q", findingLines(fs))
	}
}

func TestHostPortConflictInsidePod(t *testing.T) {
	sidecar := corev1.ContainerRestartPolicyAlways
	tests := []struct {
		name string
		spec corev1.PodSpec
		want []string
	}{
		{
			name: "two containers on one host port",
			spec: corev1.PodSpec{Containers: []corev1.Container{
				{Name: "a", Ports: []corev1.ContainerPort{{ContainerPort: 80, HostPort: 8080}}},
				{Name: "b", Ports: []corev1.ContainerPort{{ContainerPort: 81, HostPort: 8080, HostIP: "10.1.2.3"}}},
			}},
			want: []string{`error spec.containers[1].ports[0].hostPort: host port 8080/TCP is claimed twice in this pod (also at spec.containers[0].ports[0].hostPort); only one container can bind it, so the pod is rejected or cannot run`},
		},
		{
			name: "hostNetwork sidecar and app on one containerPort",
			spec: corev1.PodSpec{HostNetwork: true,
				InitContainers: []corev1.Container{{Name: "proxy", RestartPolicy: &sidecar, Ports: []corev1.ContainerPort{{ContainerPort: 15000}}}},
				Containers:     []corev1.Container{{Name: "app", Ports: []corev1.ContainerPort{{ContainerPort: 15000}}}},
			},
			want: []string{`error spec.containers[0].ports[0].containerPort: host port 15000/TCP is claimed twice in this pod (also at spec.initContainers[0].ports[0].containerPort); only one container can bind it, so the pod is rejected or cannot run`},
		},
		{
			name: "TCP and UDP, plain init container, containerPort without hostNetwork",
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{{Name: "init", Ports: []corev1.ContainerPort{{ContainerPort: 53, HostPort: 53}}}},
				Containers: []corev1.Container{
					{Name: "dns", Ports: []corev1.ContainerPort{{ContainerPort: 53, HostPort: 53, Protocol: corev1.ProtocolUDP}, {ContainerPort: 53, HostPort: 53}}},
					{Name: "web", Ports: []corev1.ContainerPort{{ContainerPort: 53}}},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "x"}, Spec: tt.spec}
			target := checks.NewTarget(pod, "v1", "Pod")
			got := findingLines(runStatic(t, "host-port-conflict", target, checks.Inventory{}, nil))
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// A Deployment with several replicas on a hostPort is not a conflict with
// itself; whether there are enough nodes is a cluster-aware question.
func TestHostPortConflictReplicas(t *testing.T) {
	d := deploymentOf("edge", hostPortSpec(443))
	d.Spec.Replicas = new(int32)
	*d.Spec.Replicas = 3
	target := checks.NewTarget(d, "apps/v1", "Deployment")
	store := cluster.New()
	store.AddWorkload(target)
	if fs := runStatic(t, "host-port-conflict", target, store.Inventory(), nil); len(fs) != 0 {
		t.Errorf("unexpected findings %q", findingLines(fs))
	}
}
