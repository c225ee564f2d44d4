package checks

import (
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// clusterPod builds the pod the API server would store for the target: the
// template's metadata, the namespace the pod lands in, and the defaults that
// matter to scheduling and admission (requests copied from limits). The spec
// is deep-copied so that checks may add tolerations or LimitRange defaults
// without touching the target other checks see.
func clusterPod(t *Target) *corev1.Pod {
	pod := &corev1.Pod{Spec: *t.Spec.DeepCopy()}
	meta := t.TemplateMeta
	if meta == nil {
		meta = t.Meta
	}
	if meta != nil {
		pod.ObjectMeta = *meta.DeepCopy()
	}
	pod.Namespace = t.Namespace()
	if pod.Name == "" && t.Meta != nil {
		pod.Name = t.Meta.Name
	}
	defaultRequestsFromLimits(&pod.Spec)
	if t.IsDaemonSet() {
		addDaemonSetTolerations(&pod.Spec)
	}
	return pod
}

// defaultRequestsFromLimits mirrors the API defaulting that runs before any
// admission plugin or scheduler sees a pod: a resource with a limit and no
// request gets the limit as its request (SetDefaults_Pod, and the same for
// pod-level resources).
func defaultRequestsFromLimits(spec *corev1.PodSpec) {
	def := func(r *corev1.ResourceRequirements) {
		for name, q := range r.Limits {
			if _, ok := r.Requests[name]; ok {
				continue
			}
			if r.Requests == nil {
				r.Requests = corev1.ResourceList{}
			}
			r.Requests[name] = q.DeepCopy()
		}
	}
	for i := range spec.InitContainers {
		def(&spec.InitContainers[i].Resources)
	}
	for i := range spec.Containers {
		def(&spec.Containers[i].Resources)
	}
	if spec.Resources != nil {
		def(spec.Resources)
	}
}

// addDaemonSetTolerations adds the tolerations the DaemonSet controller puts
// on every pod it creates, so that DaemonSets run on nodes that are not
// ready, under pressure or cordoned. They are restated from
// k8s.io/kubernetes pkg/controller/daemon/util.AddOrUpdateDaemonPodTolerations
// because podlint must not import k8s.io/kubernetes.
func addDaemonSetTolerations(spec *corev1.PodSpec) {
	add := func(key string, effect corev1.TaintEffect) {
		spec.Tolerations = append(spec.Tolerations, corev1.Toleration{
			Key: key, Operator: corev1.TolerationOpExists, Effect: effect,
		})
	}
	add(corev1.TaintNodeNotReady, corev1.TaintEffectNoExecute)
	add(corev1.TaintNodeUnreachable, corev1.TaintEffectNoExecute)
	add(corev1.TaintNodeDiskPressure, corev1.TaintEffectNoSchedule)
	add(corev1.TaintNodeMemoryPressure, corev1.TaintEffectNoSchedule)
	add(corev1.TaintNodePIDPressure, corev1.TaintEffectNoSchedule)
	add(corev1.TaintNodeUnschedulable, corev1.TaintEffectNoSchedule)
	if spec.HostNetwork {
		add(corev1.TaintNodeNetworkUnavailable, corev1.TaintEffectNoSchedule)
	}
}

// clusterPodView is clusterPod for checks that only read the pod (the
// scheduling checks): it shares the target's spec and metadata and copies
// only what defaulting changes — the container list and requests of a
// container whose limits fill its requests, the pod-level resources, the
// tolerations of a DaemonSet's pods. Deep-copying the whole spec was a
// large part of a review's allocations. The result must not be modified.
func clusterPodView(t *Target) *corev1.Pod {
	pod := &corev1.Pod{Spec: *t.Spec}
	meta := t.TemplateMeta
	if meta == nil {
		meta = t.Meta
	}
	if meta != nil {
		pod.ObjectMeta = *meta
	}
	pod.Namespace = t.Namespace()
	if pod.Name == "" && t.Meta != nil {
		pod.Name = t.Meta.Name
	}
	spec := &pod.Spec
	spec.InitContainers = defaultedContainers(spec.InitContainers)
	spec.Containers = defaultedContainers(spec.Containers)
	if r := spec.Resources; r != nil && needsDefaultRequests(r) {
		c := *r
		c.Requests = maps.Clone(r.Requests)
		defaultRequestsFromLimits(&corev1.PodSpec{Resources: &c})
		spec.Resources = &c
	}
	if t.IsDaemonSet() {
		spec.Tolerations = slices.Clip(slices.Clone(spec.Tolerations))
		addDaemonSetTolerations(spec)
	}
	return pod
}

// defaultedContainers returns cs with requests defaulted from limits,
// copying the list and a container's requests only when one changes.
func defaultedContainers(cs []corev1.Container) []corev1.Container {
	if !slices.ContainsFunc(cs, func(c corev1.Container) bool { return needsDefaultRequests(&c.Resources) }) {
		return cs
	}
	out := slices.Clone(cs)
	for i := range out {
		if r := &out[i].Resources; needsDefaultRequests(r) {
			r.Requests = maps.Clone(r.Requests)
			defaultRequestsFromLimits(&corev1.PodSpec{Containers: out[i : i+1]})
		}
	}
	return out
}

// needsDefaultRequests tells whether a limit has no request beside it.
func needsDefaultRequests(r *corev1.ResourceRequirements) bool {
	for name := range r.Limits {
		if _, ok := r.Requests[name]; !ok {
			return true
		}
	}
	return false
}
