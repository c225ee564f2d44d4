package checks

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// WorkloadKind is a kind whose objects carry a pod spec: one of the owners
// NewTarget understands.
type WorkloadKind struct {
	// GroupVersionKind is the version podlint decodes the kind at.
	schema.GroupVersionKind
	// Resource is the kind's plural, as admission rules and RBAC name it.
	Resource string
	// RunsPods is false for PodTemplate: Kubernetes stores it but nothing
	// built in creates pods from it, so the webhook leaves it alone (the
	// CLI still checks the template it holds).
	RunsPods bool
}

// WorkloadKinds is the one list of workload kinds. The front ends read it
// (the webhook's request filter, and through a test its admission rules in
// manifests/); NewTarget's type switch must build a pod spec for exactly
// these kinds, which a test in package manifest holds it to.
func WorkloadKinds() []WorkloadKind {
	all := workloadKinds()
	return all[:]
}

// workloadKinds is the table as an array, which LookupWorkloadKind ranges
// over without allocating: the webhook looks up every request's kind.
func workloadKinds() [9]WorkloadKind {
	core, apps, batch := corev1.SchemeGroupVersion, appsv1.SchemeGroupVersion, batchv1.SchemeGroupVersion
	return [...]WorkloadKind{
		{core.WithKind("Pod"), "pods", true},
		{core.WithKind("ReplicationController"), "replicationcontrollers", true},
		{core.WithKind("PodTemplate"), "podtemplates", false},
		{apps.WithKind("Deployment"), "deployments", true},
		{apps.WithKind("ReplicaSet"), "replicasets", true},
		{apps.WithKind("StatefulSet"), "statefulsets", true},
		{apps.WithKind("DaemonSet"), "daemonsets", true},
		{batch.WithKind("Job"), "jobs", true},
		{batch.WithKind("CronJob"), "cronjobs", true},
	}
}

// LookupWorkloadKind finds a workload kind by group and kind, whatever the
// version: an admission request names the kind at the version its rule
// matched.
func LookupWorkloadKind(gk schema.GroupKind) (WorkloadKind, bool) {
	for _, w := range workloadKinds() {
		if w.GroupKind() == gk {
			return w, true
		}
	}
	return WorkloadKind{}, false
}
