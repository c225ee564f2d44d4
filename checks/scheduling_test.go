package checks_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

// fourNodes is the example cluster: two workers with hdd disks and
// two control-plane nodes with ssd disks and the control-plane taint.
const fourNodes = `
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: worker-1, labels: {disktype: hdd, kubernetes.io/arch: amd64}}
  status: {allocatable: {cpu: "4", memory: 16Gi, pods: "110", ephemeral-storage: 100Gi}}
- apiVersion: v1
  kind: Node
  metadata: {name: worker-2, labels: {disktype: hdd, kubernetes.io/arch: amd64}}
  status: {allocatable: {cpu: "4", memory: 16Gi, pods: "110", ephemeral-storage: 100Gi}}
- apiVersion: v1
  kind: Node
  metadata: {name: cp-1, labels: {disktype: ssd, node-role.kubernetes.io/control-plane: "", kubernetes.io/arch: amd64}}
  spec: {taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]}
  status: {allocatable: {cpu: "2", memory: 8Gi, pods: "110"}}
- apiVersion: v1
  kind: Node
  metadata: {name: cp-2, labels: {disktype: ssd, node-role.kubernetes.io/control-plane: "", kubernetes.io/arch: amd64}}
  spec: {taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]}
  status: {allocatable: {cpu: "2", memory: 8Gi, pods: "110"}}
`

const gpuNode = `
- apiVersion: v1
  kind: Node
  metadata: {name: gpu-1, labels: {disktype: ssd, accelerator: a100}}
  spec: {taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]}
  status: {allocatable: {cpu: "32", memory: 256Gi, pods: "110", nvidia.com/gpu: "8"}}
`

// deploy renders a Deployment whose pod spec is the given YAML (indented
// by the caller at four spaces... no: each line is indented here).
func deploy(spec string) string {
	return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  replicas: 2\n  template:\n    spec:\n" + indent(spec, "      ")
}

func daemonset(spec string) string {
	return "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: kube-system}\nspec:\n  template:\n    spec:\n" + indent(spec, "      ")
}

func indent(s, pre string) string {
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pre + l
	}
	return strings.Join(lines, "\n") + "\n"
}

const app = "containers:\n- name: app\n  image: nginx\n"

func TestNodeSelectorUnsatisfiable(t *testing.T) {
	base := "spec.template.spec."
	runClusterCases(t, "node-selector-unsatisfiable", []clusterCase{
		{
			name:     "no node has the value",
			cluster:  fourNodes,
			workload: deploy("nodeSelector: {disktype: nvme}\n" + app),
			want: []string{base + "nodeSelector[disktype]: 0/4 nodes are available: " +
				"2 node(s) didn't match nodeSelector disktype=nvme (they have disktype=hdd), " +
				"2 node(s) didn't match nodeSelector disktype=nvme (they have disktype=ssd); its pods stay Pending"},
		},
		{
			name:     "label missing on every node",
			cluster:  fourNodes,
			workload: deploy("nodeSelector: {pool: batch}\n" + app),
			want:     []string{base + "nodeSelector[pool]: 4 node(s) didn't match nodeSelector pool=batch (they have no pool label)"},
		},
		{
			name:     "each key matches somewhere, never together",
			cluster:  fourNodes,
			workload: deploy("nodeSelector: {disktype: hdd, node-role.kubernetes.io/control-plane: \"\"}\n" + app),
			want:     []string{base + "nodeSelector[disktype]: 0/4 nodes are available: 2 node(s) didn't match nodeSelector disktype=hdd (they have disktype=ssd), 2 node(s) didn't match nodeSelector node-role.kubernetes.io/control-plane= (they have no node-role.kubernetes.io/control-plane label)"},
		},
		{
			name:    "required affinity matchExpressions",
			cluster: fourNodes,
			workload: deploy(`affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/arch, operator: In, values: [arm64]}
` + app),
			want: []string{base + "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]: " +
				"0/4 nodes are available: 4 node(s) didn't match node affinity kubernetes.io/arch In [arm64] (they have kubernetes.io/arch=amd64)"},
		},
		{
			name:    "matchFields on a node name that does not exist",
			cluster: fourNodes,
			workload: deploy(`affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
      - matchFields:
        - {key: metadata.name, operator: In, values: [worker-9]}
` + app),
			want: []string{base + "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0]: " +
				"0/4 nodes are available: 4 node(s) didn't match node affinity metadata.name In [worker-9]"},
		},
		{
			name:     "matchFields on an existing node",
			cluster:  fourNodes,
			workload: deploy("affinity:\n  nodeAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n      nodeSelectorTerms:\n      - matchFields: [{key: metadata.name, operator: In, values: [worker-2]}]\n" + app),
		},
		{
			name:     "selector matches workers",
			cluster:  fourNodes,
			workload: deploy("nodeSelector: {disktype: hdd}\n" + app),
		},
		{
			name:     "nodes unknown: silent",
			cluster:  "",
			workload: deploy("nodeSelector: {disktype: nvme}\n" + app),
		},
		{
			name:     "DaemonSet that matches no node runs nowhere",
			cluster:  fourNodes,
			workload: daemonset("nodeSelector: {accelerator: a100}\n" + app),
			want:     []string{base + "nodeSelector[accelerator]: 0/4 nodes are available: 4 node(s) didn't match nodeSelector accelerator=a100 (they have no accelerator label); the DaemonSet runs no pods"},
		},
	})
}

func TestNodeSelectorUnsatisfiableNodesPresentButNotKnown(t *testing.T) {
	// Nodes from the inputs of a run are present but the kind is not
	// known: the check must not conclude anything from them.
	st := clusterStore(t, fourNodes)
	fresh := cluster.New()
	nodes, _ := st.Inventory().Nodes.Nodes()
	for _, n := range nodes {
		fresh.Add(cluster.Nodes, n)
	}
	if fs := runCluster(t, "node-selector-unsatisfiable", workload(t, deploy("nodeSelector: {disktype: nvme}\n"+app)), fresh); len(fs) != 0 {
		t.Fatalf("unknown nodes gave findings:\n%s", clusterLines(fs))
	}
}

func TestSchedulingSilentWithZeroKnownNodes(t *testing.T) {
	// A cluster whose node list is known but empty (coming up, virtual
	// control plane): reporting every pod would make the webhook deny
	// every workload.
	st := cluster.New()
	st.MarkKnown(cluster.Nodes, cluster.AllNamespaces)
	for _, id := range schedulingCheckIDs() {
		for _, w := range []string{deploy(app), deploy("nodeSelector: {disktype: ssd}\n" + app)} {
			if fs := runCluster(t, id, workload(t, w), st); len(fs) != 0 {
				t.Errorf("%s with zero known nodes:\n%s", id, clusterLines(fs))
			}
		}
	}
}

func TestTaintNotTolerated(t *testing.T) {
	base := "spec.template.spec."
	notReady := `
apiVersion: v1
kind: Node
metadata: {name: edge-1, labels: {zone: edge}}
spec:
  unschedulable: true
  taints:
  - {key: node.kubernetes.io/not-ready, effect: NoExecute}
status: {allocatable: {cpu: "2", memory: 4Gi, pods: "110"}}
`
	runClusterCases(t, "taint-not-tolerated", []clusterCase{
		{
			name:     "issue example: selector rules out workers, taint rules out control plane",
			cluster:  fourNodes,
			workload: deploy("nodeSelector: {disktype: ssd}\n" + app),
			want: []string{base + "tolerations: 0/4 nodes are available: 2 node(s) didn't match nodeSelector disktype=ssd (they have disktype=hdd), " +
				"2 node(s) had untolerated taint node-role.kubernetes.io/control-plane:NoSchedule; its pods stay Pending"},
		},
		{
			name:     "tolerated",
			cluster:  fourNodes,
			workload: deploy("nodeSelector: {disktype: ssd}\ntolerations:\n- {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}\n" + app),
		},
		{
			name:     "taint with a value, toleration with the wrong value",
			cluster:  "apiVersion: v1\nkind: List\nitems:" + gpuNode,
			workload: deploy("tolerations:\n- {key: nvidia.com/gpu, operator: Equal, value: absent, effect: NoSchedule}\n" + app),
			want:     []string{base + "tolerations: 0/1 nodes are available: 1 node(s) had untolerated taint nvidia.com/gpu=present:NoSchedule"},
		},
		{
			name:     "PreferNoSchedule does not block",
			cluster:  "apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\nspec: {taints: [{key: spot, effect: PreferNoSchedule}]}\n",
			workload: deploy(app),
		},
		{
			name:     "Deployment on a cordoned, not-ready node",
			cluster:  notReady,
			workload: deploy(app),
			want:     []string{base + "tolerations: 0/1 nodes are available: 1 node(s) had untolerated taint node.kubernetes.io/not-ready:NoExecute"},
		},
		{
			name:     "DaemonSet gets the controller's tolerations",
			cluster:  notReady,
			workload: daemonset(app),
		},
		{
			name:     "DaemonSet still blocked by a control-plane taint",
			cluster:  fourNodes,
			workload: daemonset("nodeSelector: {node-role.kubernetes.io/control-plane: \"\"}\n" + app),
			want:     []string{base + "tolerations: 0/4 nodes are available: 2 node(s) didn't match nodeSelector node-role.kubernetes.io/control-plane= (they have no node-role.kubernetes.io/control-plane label), 2 node(s) had untolerated taint node-role.kubernetes.io/control-plane:NoSchedule; the DaemonSet runs no pods"},
		},
		{
			name:     "nodes unknown: silent",
			workload: deploy("nodeSelector: {disktype: ssd}\n" + app),
		},
	})
}

func TestInsufficientNodeResources(t *testing.T) {
	base := "spec.template.spec."
	gpuCluster := "apiVersion: v1\nkind: List\nitems:" + strings.TrimPrefix(fourNodes, "\napiVersion: v1\nkind: List\nitems:") + gpuNode
	gpuPod := "tolerations:\n- {key: nvidia.com/gpu, operator: Exists}\ncontainers:\n- name: train\n  image: trainer\n  resources:\n    limits: {nvidia.com/gpu: 2}\n"
	runClusterCases(t, "insufficient-node-resources", []clusterCase{
		{
			name:     "GPU request without GPU nodes",
			cluster:  fourNodes,
			workload: deploy(gpuPod),
			want: []string{base + "containers[0].resources.limits[nvidia.com/gpu]: 0/4 nodes are available: 2 Insufficient nvidia.com/gpu, " +
				"2 node(s) had untolerated taint node-role.kubernetes.io/control-plane:NoSchedule; the pod requests nvidia.com/gpu 2 and no eligible node allocates any"},
		},
		{
			name:     "GPU request with a GPU node",
			cluster:  gpuCluster,
			workload: deploy(gpuPod),
		},
		{
			name:     "cpu request larger than any worker",
			cluster:  fourNodes,
			workload: deploy("containers:\n- name: app\n  image: nginx\n  resources:\n    requests: {cpu: \"6\", memory: 1Gi}\n"),
			want: []string{base + "containers[0].resources.requests[cpu]: 0/4 nodes are available: 2 Insufficient cpu, 2 node(s) had untolerated taint " +
				"node-role.kubernetes.io/control-plane:NoSchedule; the pod requests cpu 6, the largest eligible node allocates 4"},
		},
		{
			name:    "init container larger than the app containers",
			cluster: fourNodes,
			workload: deploy(`initContainers:
- name: migrate
  image: migrate
  resources: {requests: {memory: 20Gi}}
containers:
- name: app
  image: nginx
  resources: {requests: {memory: 1Gi}}
`),
			want: []string{base + "initContainers[0].resources.requests[memory]: 0/4 nodes are available: 2 Insufficient memory"},
		},
		{
			name:    "sidecars add up with the app containers",
			cluster: fourNodes,
			workload: deploy(`initContainers:
- name: proxy
  image: envoy
  restartPolicy: Always
  resources: {requests: {cpu: "2"}}
containers:
- name: app
  image: nginx
  resources: {requests: {cpu: "3"}}
`),
			want: []string{base + "containers[0].resources.requests[cpu]: 2 Insufficient cpu"},
		},
		{
			name:     "pod-level resources",
			cluster:  fourNodes,
			workload: deploy("resources:\n  requests: {memory: 32Gi}\n" + app),
			want:     []string{base + "resources.requests[memory]: 2 Insufficient memory"},
		},
		{
			name:     "fits a worker",
			cluster:  fourNodes,
			workload: deploy("containers:\n- name: app\n  image: nginx\n  resources:\n    requests: {cpu: \"3\", memory: 8Gi}\n"),
		},
		{
			name:     "ephemeral-storage not published is not zero",
			cluster:  "apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\nstatus: {allocatable: {cpu: \"4\", memory: 8Gi}}\n",
			workload: deploy("containers:\n- name: app\n  image: nginx\n  resources:\n    requests: {ephemeral-storage: 50Gi}\n"),
		},
		{
			name:     "selector and taint problems are left to the other checks",
			cluster:  fourNodes,
			workload: deploy("nodeSelector: {disktype: nvme}\n" + gpuPod),
		},
		{
			name:    "DaemonSet pods Pending on the small nodes",
			cluster: fourNodes,
			workload: daemonset(`tolerations: [{operator: Exists}]
containers:
- name: agent
  image: agent
  resources: {requests: {cpu: "3"}}
`),
			want: []string{base + "containers[0].resources.requests[cpu]: 2 of 4 eligible node(s) cannot hold the DaemonSet's pod: 2 Insufficient cpu"},
		},
		{
			name:     "nodes unknown: silent",
			workload: deploy(gpuPod),
		},
	})
}

func TestNodePodCapacity(t *testing.T) {
	full := `
apiVersion: v1
kind: List
metadata:
  annotations: {podlint.io/listed-kinds: "Node,Pod"}
items:
- apiVersion: v1
  kind: Node
  metadata: {name: small-1, labels: {pool: small}}
  status: {allocatable: {cpu: "4", memory: 8Gi, pods: "2"}}
- apiVersion: v1
  kind: Node
  metadata: {name: big-1, labels: {pool: big}}
  status: {allocatable: {cpu: "4", memory: 8Gi}}
- {apiVersion: v1, kind: Pod, metadata: {name: a, namespace: x}, spec: {nodeName: small-1}, status: {phase: Running}}
- {apiVersion: v1, kind: Pod, metadata: {name: b, namespace: x}, spec: {nodeName: small-1}, status: {phase: Running}}
- {apiVersion: v1, kind: Pod, metadata: {name: c, namespace: x}, spec: {nodeName: small-1}, status: {phase: Succeeded}}
`
	runClusterCases(t, "node-pod-capacity", []clusterCase{
		{
			name:     "every eligible node is full",
			cluster:  full,
			workload: deploy("nodeSelector: {pool: small}\n" + app),
			want:     []string{"spec.template.spec: 0/2 nodes are available: 1 Too many pods, 1 node(s) didn't match nodeSelector pool=small (they have pool=big)"},
			severity: "warning",
		},
		{
			name:     "a node without allocatable pods takes 110",
			cluster:  full,
			workload: deploy("nodeSelector: {pool: big}\n" + app),
		},
		{
			name:     "pods unknown: silent",
			cluster:  strings.Replace(full[:strings.Index(full, "- {apiVersion: v1, kind: Pod")], "Node,Pod", "Node", 1),
			workload: deploy("nodeSelector: {pool: small}\n" + app),
		},
	})
}

// TestSchedulingChecksAgree runs all four checks together: one stuck pod
// yields exactly one scheduling finding.
func TestSchedulingChecksAgree(t *testing.T) {
	ids := schedulingCheckIDs()
	for _, w := range []string{
		deploy("nodeSelector: {disktype: nvme}\n" + app),
		deploy("nodeSelector: {disktype: ssd}\n" + app),
		deploy("containers:\n- name: app\n  image: x\n  resources: {limits: {nvidia.com/gpu: 1}}\n"),
	} {
		st := clusterStore(t, fourNodes)
		n := 0
		for _, id := range ids {
			n += len(runCluster(t, id, workload(t, w), st))
		}
		if n != 1 {
			t.Errorf("%d findings for\n%s", n, w)
		}
	}
}

func benchStore(b testing.TB, n int) *cluster.Store {
	st := cluster.New()
	for _, node := range genNodes(n) {
		st.Add(cluster.Nodes, node)
	}
	st.MarkKnown(cluster.Nodes, cluster.AllNamespaces)
	return st
}

// BenchmarkSchedulingChecks runs the four scheduling checks for one pod over
// 5,000 nodes. With a nodeSelector the cost follows the matching nodes
// (gpu=true: 10, disktype=ssd: 500), not the cluster; without one every
// node is a candidate but the checks stop at the first that fits.
func BenchmarkSchedulingChecks(b *testing.B) {
	st := benchStore(b, 5000)
	ids := schedulingCheckIDs()
	for _, bc := range []struct{ name, spec string }{
		{"selector-10-eligible", "nodeSelector: {gpu: \"true\", kubernetes.io/os: linux}\ncontainers:\n- {name: a, image: x, resources: {limits: {nvidia.com/gpu: 1}}}\n"},
		{"selector-500-eligible", "nodeSelector: {disktype: ssd, kubernetes.io/os: linux}\n" + app},
		{"no-selector", app},
		{"daemonset-selector-10-eligible", "nodeSelector: {gpu: \"true\"}\n" + app},
		{"unsatisfiable-full-message", "nodeSelector: {disktype: nvme}\n" + app},
	} {
		w := deploy(bc.spec)
		if strings.HasPrefix(bc.name, "daemonset") {
			w = daemonset(bc.spec)
		}
		target := workload(b, w)
		var cs []*checks.Check
		for _, id := range ids {
			cs = append(cs, checks.Lookup(id))
		}
		e := &checks.Engine{Checks: cs, Config: checks.DefaultConfig()}
		inv := st.Inventory()
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				e.RunTarget(target, inv)
			}
		})
	}
}

// countingNodes counts the nodes and node groups a check is handed, which
// is what its cost follows; a count is deterministic where a timing is not.
type countingNodes struct {
	checks.NodeLookup
	handed int
}

func (c *countingNodes) Nodes() ([]*corev1.Node, bool) {
	ns, known := c.NodeLookup.Nodes()
	c.handed += len(ns)
	return ns, known
}

func (c *countingNodes) NodesWithLabel(k, v string) []*corev1.Node {
	ns := c.NodeLookup.NodesWithLabel(k, v)
	c.handed += len(ns)
	return ns
}

func (c *countingNodes) NodeGroups() ([]checks.NodeGroup, bool) {
	gs, known := c.NodeLookup.NodeGroups()
	c.handed += len(gs)
	return gs, known
}

// TestSchedulingCostFollowsNodeGroups shows a review is O(node groups),
// not O(nodes): with or without a nodeSelector, the checks are handed the
// same few groups at 1,000 and 5,000 nodes (genNodes makes 5 groups at
// both sizes; hostnames differ per node but do not split groups). A pod
// whose affinity names nodes (matchFields on metadata.name) must be
// evaluated node by node, which proves the count measures the scan.
func TestSchedulingCostFollowsNodeGroups(t *testing.T) {
	sel := "nodeSelector: {canary: \"true\", kubernetes.io/os: linux}\n" + app
	byName := `affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
      - matchFields: [{key: metadata.name, operator: NotIn, values: [node-1]}]
` + app
	ids := schedulingCheckIDs()
	handed := func(nodes int, spec string) int {
		st := benchStore(t, nodes)
		target := workload(t, deploy(spec))
		inv := st.Inventory()
		cn := &countingNodes{NodeLookup: inv.Nodes}
		inv.Nodes = cn
		for _, id := range ids {
			e := &checks.Engine{Checks: []*checks.Check{checks.Lookup(id)}, Config: checks.DefaultConfig()}
			e.RunTarget(target, inv)
		}
		return cn.handed
	}
	for _, spec := range []string{sel, app, "nodeSelector: {disktype: nvme}\n" + app} {
		small, big := handed(1000, spec), handed(5000, spec)
		if small != big || big > 4*5 || big == 0 {
			t.Errorf("cost grows with the cluster: %d nodes or groups handed at 1,000 nodes, %d at 5,000 (want the same, at most 4 checks x 5 groups)\n%s", small, big, spec)
		}
	}
	if all := handed(1000, byName); all < 1000 {
		t.Errorf("pod naming nodes was shown %d of 1,000 nodes; the count is not measuring the node scan", all)
	}
}

// TestSchedulingChecksShareOneEvaluation: run together, as the engine runs
// them, the four scheduling checks look at the nodes once, not four times.
func TestSchedulingChecksShareOneEvaluation(t *testing.T) {
	ids := schedulingCheckIDs()
	st := benchStore(t, 1000)
	target := workload(t, deploy(app))
	count := func(cs []*checks.Check) int {
		inv := st.Inventory()
		cn := &countingNodes{NodeLookup: inv.Nodes}
		inv.Nodes = cn
		(&checks.Engine{Checks: cs, Config: checks.DefaultConfig()}).RunTarget(target, inv)
		return cn.handed
	}
	var all []*checks.Check
	for _, id := range ids {
		all = append(all, checks.Lookup(id))
	}
	one, together := count(all[:1]), count(all)
	if one == 0 || together != one {
		t.Errorf("one check was shown %d nodes, all four together %d; want the same (one shared evaluation)", one, together)
	}
}

// schedulingCheckIDs are the four checks that share one evaluation of the
// nodes (Pass.Shared).
func schedulingCheckIDs() []string {
	return []string{"node-selector-unsatisfiable", "taint-not-tolerated", "insufficient-node-resources", "node-pod-capacity"}
}
