package checks_test

import (
	"strings"
	"testing"
)

func TestTopologySpreadUnsatisfiable(t *testing.T) {
	// spread returns a 2-replica Deployment labelled app=api with extra
	// pod-spec lines and one constraint (YAML lines of a list item).
	spread := func(spec, constraint string) string {
		return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  replicas: 2\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n" +
			indent(spec+"containers: [{name: app, image: app}]\ntopologySpreadConstraints:\n- "+strings.ReplaceAll(constraint, "\n", "\n  ")+"\n", "      ")
	}
	const c = "spec.template.spec.topologySpreadConstraints[0]."
	cpKey := "maxSkew: 1\ntopologyKey: node-role.kubernetes.io/control-plane\nwhenUnsatisfiable: DoNotSchedule\nlabelSelector: {matchLabels: {app: api}}"
	diskDomains := "maxSkew: 1\nminDomains: 2\ntopologyKey: disktype\nwhenUnsatisfiable: DoNotSchedule\nlabelSelector: {matchLabels: {app: api}}"
	runClusterCases(t, "topology-spread-unsatisfiable", []clusterCase{
		{
			name:     "the key only on nodes whose taint the pod does not tolerate",
			cluster:  fourNodes,
			workload: spread("", cpKey),
			want:     []string{c + "topologyKey: 0/4 nodes are available: 2 node(s) the pod can run on lack label \"node-role.kubernetes.io/control-plane\""},
			severity: "error",
		},
		{
			name:     "tolerating the taint, part of the placeable nodes carry the key: silent",
			cluster:  fourNodes,
			workload: spread("tolerations: [{operator: Exists}]\n", cpKey),
		},
		{
			name:     "ScheduleAnyway is never a filter",
			cluster:  fourNodes,
			workload: spread("", strings.Replace(cpKey, "DoNotSchedule", "ScheduleAnyway", 1)),
		},
		{
			name:     "nodes unknown: silent",
			cluster:  "",
			workload: spread("", cpKey),
		},
		{
			name:     "minDomains counts the domains the nodeSelector allows (nodeAffinityPolicy Honor)",
			cluster:  fourNodes,
			workload: spread("nodeSelector: {disktype: hdd}\n", diskDomains),
			want:     []string{c + "minDomains: minDomains 2 is above the 1 domain(s) of \"disktype\" the nodes form, so the scheduler takes the global minimum as 0 and each domain holds at most maxSkew (1) matching pod(s): 1 in all; 2 replicas leave 1 pod(s) Pending"},
			severity: "error",
		},
		{
			name:     "nodeAffinityPolicy Ignore counts every node's domain",
			cluster:  fourNodes,
			workload: spread("nodeSelector: {disktype: hdd}\n", diskDomains+"\nnodeAffinityPolicy: Ignore"),
		},
		{
			name:     "a labelSelector that does not select the pod's own labels: silent",
			cluster:  fourNodes,
			workload: spread("nodeSelector: {disktype: hdd}\n", strings.Replace(diskDomains, "app: api", "app: other", 1)),
		},
	})
}
