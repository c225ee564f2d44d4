package checks_test

import (
	"strings"
	"testing"
)

// nodeExporter is a cluster DaemonSet holding 9100 with hostNetwork on the
// nodes labelled monitoring=true (without control-plane toleration).
const nodeExporter = `
- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: node-exporter, namespace: monitoring}
  spec:
    template:
      spec:
        hostNetwork: true
        nodeSelector: {monitoring: "true"}
        containers:
        - name: node-exporter
          image: quay.io/prometheus/node-exporter:v1.8.2
          ports: [{containerPort: 9100}]
`

func hostPortCluster(withNodes bool) string {
	nodes := strings.TrimPrefix(fourNodes, "\napiVersion: v1\nkind: List\nitems:")
	// worker-1 runs the exporter; worker-2 does not.
	nodes = strings.Replace(nodes, "{name: worker-1, labels: {disktype: hdd,", "{name: worker-1, labels: {monitoring: \"true\", disktype: hdd,", 1)
	if !withNodes {
		nodes = ""
	}
	return "apiVersion: v1\nkind: List\nitems:" + nodes + nodeExporter
}

func TestHostPortConflictCluster(t *testing.T) {
	b := "spec.template.spec."
	port := func(p string) string {
		return "containers:\n- name: app\n  image: app\n  ports: [{containerPort: " + p + ", hostPort: " + p + "}]\n"
	}
	runClusterCases(t, "host-port-conflict", []clusterCase{
		{
			name:     "nodes unknown: the DaemonSet is assumed everywhere",
			cluster:  hostPortCluster(false),
			workload: deploy("nodeSelector: {disktype: hdd}\n" + port("9100")),
			want:     []string{b + "containers[0].ports[0].hostPort: host port 9100/TCP is also claimed by DaemonSet/monitoring/node-exporter"},
			severity: "error",
		},
		{
			name:     "nodes known, the DaemonSet on every eligible node: still an error",
			cluster:  strings.Replace(hostPortCluster(true), "{name: worker-2, labels: {", "{name: worker-2, labels: {monitoring: \"true\", ", 1),
			workload: deploy("nodeSelector: {disktype: hdd}\n" + port("9100")),
			want:     []string{b + "containers[0].ports[0].hostPort: host port 9100/TCP is also claimed by DaemonSet/monitoring/node-exporter"},
			severity: "error",
		},
		{
			name:     "nodes known, one replica fits the node without the DaemonSet",
			cluster:  hostPortCluster(true),
			workload: strings.Replace(deploy("nodeSelector: {disktype: hdd}\n"+port("9100")), "replicas: 2", "replicas: 1", 1),
		},
		{
			name:    "nodes known, no node runs both",
			cluster: hostPortCluster(true),
			// The control-plane nodes carry no monitoring label; the
			// selectors alone cannot prove it, the nodes do.
			workload: deploy("nodeSelector: {disktype: ssd}\ntolerations: [{operator: Exists}]\n" + port("9100")),
		},
		{
			name:     "replicas outnumber the nodes with the port free",
			cluster:  hostPortCluster(true),
			workload: deploy("nodeSelector: {disktype: hdd}\n" + port("9100")),
			want:     []string{b + "containers[0].ports[0].hostPort: 2 replicas each need host port 9100/TCP on their own node, but only 1 of the 2 eligible node(s) have it free, DaemonSet/monitoring/node-exporter holds it on the others; 1 pod(s) stay Pending"},
			severity: "warning",
		},
		{
			name:     "replicas outnumber eligible nodes, no DaemonSet involved",
			cluster:  hostPortCluster(true),
			workload: strings.Replace(deploy(port("8080")), "replicas: 2", "replicas: 3", 1),
			want:     []string{b + "containers[0].ports[0].hostPort: 3 replicas each need host port 8080/TCP on their own node, but only 2 node(s) are eligible (nodeSelector, node affinity, taints); 1 pod(s) can never be scheduled and stay Pending"},
			severity: "error",
		},
		{
			name:     "a StatefulSet outnumbering its eligible nodes, the DaemonSet holding the first port on all of them: the error is at the second",
			cluster:  strings.Replace(hostPortCluster(true), "{name: worker-2, labels: {", "{name: worker-2, labels: {monitoring: \"true\", ", 1),
			workload: strings.Replace(strings.Replace(deploy("nodeSelector: {disktype: hdd}\ncontainers:\n- name: app\n  image: app\n  ports: [{containerPort: 9100, hostPort: 9100}, {containerPort: 8080, hostPort: 8080}]\n"), "replicas: 2", "replicas: 3", 1), "kind: Deployment", "kind: StatefulSet", 1),
			want: []string{
				b + "containers[0].ports[0].hostPort: host port 9100/TCP is also claimed by DaemonSet/monitoring/node-exporter",
				b + "containers[0].ports[1].hostPort: 3 replicas each need host port 8080/TCP on their own node, but only 2 node(s) are eligible (nodeSelector, node affinity, taints); 1 pod(s) can never be scheduled and stay Pending",
			},
			severity: "error",
		},
		{
			name:     "a Job outnumbering its nodes: parallelism may be met over time, so still a warning",
			cluster:  hostPortCluster(true),
			workload: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: batch, namespace: shop}\nspec:\n  parallelism: 3\n  template:\n    spec:\n      nodeSelector: {disktype: hdd}\n      restartPolicy: Never\n" + indent(port("8080"), "      "),
			want:     []string{b + "containers[0].ports[0].hostPort: 3 replicas each need host port 8080/TCP on their own node, but only 2 of the 2 eligible node(s) have it free; 1 pod(s) stay Pending"},
			severity: "warning",
		},
		{
			name:     "enough nodes",
			cluster:  hostPortCluster(true),
			workload: deploy(port("8080")),
		},
	})
}
