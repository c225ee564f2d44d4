package checks_test

import (
	"strings"
	"testing"
)

// affinityCluster: three workers, namespaces shop and cache, a redis pod
// in cache.
const affinityCluster = `
apiVersion: v1
kind: List
metadata:
  annotations: {podlint.io/listed-kinds: "Node,Namespace,Pod"}
items:
- {apiVersion: v1, kind: Node, metadata: {name: w1, labels: {kubernetes.io/hostname: w1}}}
- {apiVersion: v1, kind: Node, metadata: {name: w2, labels: {kubernetes.io/hostname: w2}}}
- {apiVersion: v1, kind: Node, metadata: {name: w3, labels: {kubernetes.io/hostname: w3}}}
- {apiVersion: v1, kind: Namespace, metadata: {name: shop, labels: {team: shop}}}
- {apiVersion: v1, kind: Namespace, metadata: {name: cache, labels: {team: platform}}}
- apiVersion: v1
  kind: Pod
  metadata: {name: redis-0, namespace: cache, labels: {app: redis}}
  spec: {nodeName: w1, containers: [{name: r, image: redis}]}
  status: {phase: Running}
`

func TestPodAffinityUnsatisfiable(t *testing.T) {
	// deploy returns a Deployment labelled app=api with replicas, extra
	// deployment spec lines and an affinity block (YAML under affinity:).
	deploy := func(replicas, extra, affinity string) string {
		return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  replicas: " + replicas + "\n" + indent(extra, "  ") +
			"  template:\n    metadata: {labels: {app: api, tier: backend}}\n    spec:\n      containers: [{name: app, image: app}]\n      affinity:\n" + indent(affinity, "        ")
	}
	aff := func(term string) string {
		return "podAffinity:\n  requiredDuringSchedulingIgnoredDuringExecution:\n  - " + strings.ReplaceAll(term, "\n", "\n    ") + "\n"
	}
	anti := func(term string) string {
		return "podAntiAffinity:\n  requiredDuringSchedulingIgnoredDuringExecution:\n  - " + strings.ReplaceAll(term, "\n", "\n    ") + "\n"
	}
	const affPath = "spec.template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution"
	const antiPath = "spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey"
	onHost := "\ntopologyKey: kubernetes.io/hostname"
	nodesOnly := strings.Replace(affinityCluster, "Node,Namespace,Pod", "Node", 1)
	nodesOnly = nodesOnly[:strings.Index(nodesOnly, "- {apiVersion: v1, kind: Namespace")]
	runClusterCases(t, "pod-affinity-unsatisfiable", []clusterCase{
		{
			name:     "no redis pod in the pod's own namespace",
			cluster:  affinityCluster,
			workload: deploy("2", "", aff("labelSelector: {matchLabels: {app: redis}}"+onHost)),
			want:     []string{affPath + `[0].labelSelector: 0/3 nodes are available: no pod in namespace "shop" matches this required podAffinity term (selector app=redis)`},
			severity: "error",
		},
		{
			name:     "the redis pod in the namespace the term names",
			cluster:  affinityCluster,
			workload: deploy("2", "", aff("labelSelector: {matchLabels: {app: redis}}\nnamespaces: [cache]"+onHost)),
		},
		{
			name:     "an empty namespaceSelector covers every namespace",
			cluster:  affinityCluster,
			workload: deploy("2", "", aff("labelSelector: {matchLabels: {app: redis}}\nnamespaceSelector: {}"+onHost)),
		},
		{
			name:     "a namespaceSelector that selects no namespace with redis",
			cluster:  affinityCluster,
			workload: deploy("2", "", aff("labelSelector: {matchLabels: {app: redis}}\nnamespaceSelector: {matchLabels: {team: shop}}"+onHost)),
			want:     []string{affPath + `[0].labelSelector: 0/3 nodes are available: no pod in the namespaces matching "team=shop"`},
		},
		{
			name:     "pods not listed: silent",
			cluster:  nodesOnly,
			workload: deploy("2", "", aff("labelSelector: {matchLabels: {app: redis}}"+onHost)),
		},
		{
			name:     "a nil labelSelector matches no pod",
			cluster:  affinityCluster,
			workload: deploy("2", "", aff("topologyKey: kubernetes.io/hostname")),
			want:     []string{affPath + "[0].labelSelector: 0/3 nodes are available: no pod in namespace \"shop\" matches this required podAffinity term (a missing labelSelector matches no pod)"},
		},
		{
			name:     "its own labels only: the first pod goes anywhere",
			cluster:  affinityCluster,
			workload: deploy("2", "", aff("labelSelector: {matchLabels: {app: api}}"+onHost)),
		},
		{
			name:    "its own labels in one term, nothing in the other: the other is reported",
			cluster: affinityCluster,
			workload: deploy("2", "", "podAffinity:\n  requiredDuringSchedulingIgnoredDuringExecution:\n"+
				"  - {labelSelector: {matchLabels: {app: api}}, topologyKey: kubernetes.io/hostname}\n"+
				"  - {labelSelector: {matchLabels: {app: memcached}}, topologyKey: kubernetes.io/hostname}\n"),
			want: []string{affPath + "[1].labelSelector: 0/3 nodes are available: no pod in namespace \"shop\" matches"},
		},
		{
			name:     "mismatchLabelKeys on its own tier: its own pods do not match it",
			cluster:  affinityCluster,
			workload: deploy("2", "", aff("labelSelector: {matchLabels: {app: api}}\nmismatchLabelKeys: [tier]"+onHost)),
			want:     []string{affPath + "[0].labelSelector: 0/3 nodes are available: no pod in namespace \"shop\" matches this required podAffinity term (selector app=api,tier notin (backend))"},
		},
		{
			name:     "anti-affinity: 4 replicas on 3 nodes",
			cluster:  affinityCluster,
			workload: deploy("4", "", anti("labelSelector: {matchLabels: {app: api}}"+onHost)),
			want:     []string{antiPath + `: this required podAntiAffinity term matches the workload's own pods, so at most one of them runs per "kubernetes.io/hostname" domain, and the 3 node(s) the pod can run on (nodeSelector, node affinity, taints) form 3 domain(s): 4 replicas leave 1 pod(s) Pending`},
			severity: "error",
		},
		{
			name:     "anti-affinity: 3 replicas fit, but the rollout surges with maxUnavailable 0",
			cluster:  affinityCluster,
			workload: deploy("3", "", anti("labelSelector: {matchLabels: {app: api}}"+onHost)),
			want:     []string{antiPath + ": this required podAntiAffinity term matches the workload's own pods"},
			severity: "warning",
		},
		{
			name:     "anti-affinity: 3 replicas fit, and matchLabelKeys pod-template-hash keeps the rollout's revisions apart",
			cluster:  affinityCluster,
			workload: deploy("3", "", anti("labelSelector: {matchLabels: {app: api}}\nmatchLabelKeys: [pod-template-hash]"+onHost)),
		},
		{
			name:    "anti-affinity: a Job's extra pods wait for others to finish",
			cluster: affinityCluster,
			workload: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: etl, namespace: shop}\nspec:\n  parallelism: 5\n  template:\n    metadata: {labels: {app: etl}}\n    spec:\n" +
				"      restartPolicy: Never\n      containers: [{name: etl, image: etl}]\n      affinity:\n" + indent(anti("labelSelector: {matchLabels: {app: etl}}"+onHost), "        "),
		},
		{
			name:     "anti-affinity that fits exactly with Recreate",
			cluster:  affinityCluster,
			workload: deploy("3", "strategy: {type: Recreate}\n", anti("labelSelector: {matchLabels: {app: api}}"+onHost)),
		},
		{
			name:     "anti-affinity on a label key no node carries: unrestricted",
			cluster:  affinityCluster,
			workload: deploy("5", "", anti("labelSelector: {matchLabels: {app: api}}\ntopologyKey: rack")),
		},
		{
			name:     "anti-affinity with mismatchLabelKeys on its own labels: replicas do not repel",
			cluster:  affinityCluster,
			workload: deploy("5", "", anti("labelSelector: {matchLabels: {app: api}}\nmismatchLabelKeys: [tier]"+onHost)),
		},
		{
			name:     "anti-affinity in another namespace only: replicas do not repel",
			cluster:  affinityCluster,
			workload: deploy("5", "", anti("labelSelector: {matchLabels: {app: api}}\nnamespaces: [cache]"+onHost)),
		},
		{
			name:     "anti-affinity, nodes unknown: silent",
			cluster:  "",
			workload: deploy("5", "", anti("labelSelector: {matchLabels: {app: api}}"+onHost)),
		},
	})
}
