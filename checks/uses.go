package checks

// What each check reads beyond the object, in the words docs/checks.md and
// --explain print under "What it uses". The rules they describe live in
// the CLI (lint/applied.go: which inputs count where) and the cluster
// sources; these sentences must say exactly that, no more.

// fromCluster names the cluster sources, the same for every check.
const fromCluster = "a --cluster-snapshot file or --live (in the webhook, its informers)"

// namespaceUnknown is the rule for workloads that name no namespace.
const namespaceUnknown = "A workload without a namespace lives in the namespace of its apply, which podlint knows only from -n/--namespace (or, with --live, the kubeconfig context's namespace); without it, only the namespace-less objects applied with the workload (same directory, the same standard input, or the same rendered kustomization) count, and the cluster's knowledge of any namespace does not."

func nodesUses(what string) string {
	return what + " from " + fromCluster + ". Nodes among the inputs do not count: they are not the cluster's node list. Without known Nodes the check is silent."
}

// referenceUses describes the "does not exist" checks, which need the
// kind listed completely in the namespace.
func referenceUses(kinds string) string {
	return "The " + kinds + " of the pod's namespace. \"Not found\" needs the kind listed completely in that namespace, which only " + fromCluster + " does; " +
		"objects among the inputs applied with the workload (for a namespace-less workload, those of the same directory, standard input or rendered kustomization; for a namespace, those with that namespace anywhere in the run) count as present, but inputs alone never make one missing. " +
		namespaceUnknown + " In the webhook the finding only warns, since the object may be created later in the same kubectl apply (it denies in a terminating namespace)."
}

// policyUses describes the admission checks that evaluate policy objects.
func policyUses(kinds string) string {
	return "The " + kinds + " of the pod's namespace: those among the inputs applied with the workload (for a namespace-less workload, the namespace-less ones of the same directory, standard input or rendered kustomization; for a namespace, those with that namespace anywhere in the run), over those from " + fromCluster + "; an input replaces the cluster's object of the same name. " +
		"Copies of one object that differ make the namespace's list unknown, unless the cluster's copy matches one of them. " +
		namespaceUnknown + " The finding names the file and line of an input object that causes it. Silent when none is known."
}

// classUses describes the checks on cluster-scoped classes a pod or claim
// names.
func classUses(kinds string) string {
	return "The cluster's " + kinds + ". \"Not found\" needs them listed, which only " + fromCluster + " does; " +
		"one among the inputs (anywhere in the run: classes are cluster-scoped) counts as present, but inputs alone never make one missing."
}

// keyUses describes the key checks.
func keyUses(kind, cluster string) string {
	return "The key names (never the values) of the " + kind + " the pod names: of its copies among the inputs applied with the workload (a key any copy has counts, since only one version of it is applied), " +
		cluster + " " + namespaceUnknown + " Silent while no key of the " + kind + " is known."
}
