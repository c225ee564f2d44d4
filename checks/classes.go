package checks

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// builtinPriorityClasses always exist: the API server creates them at
// start and refuses to delete them.
var builtinPriorityClasses = map[string]bool{
	"system-cluster-critical": true,
	"system-node-critical":    true,
}

func priorityClassNotFound() *Check {
	return &Check{
		ID:       "priority-class-not-found",
		Title:    "The PriorityClass does not exist",
		Severity: Error,
		Symptom:  FailedCreate,
		Description: "The Priority admission plugin resolves priorityClassName when a pod is created and refuses " +
			"the pod when no PriorityClass has that name (no PriorityClass with name … was found). A Deployment, " +
			"StatefulSet, Job or DaemonSet is admitted, but every pod its controller creates is refused: FailedCreate " +
			"events and no pod. PriorityClasses are cluster-scoped; system-cluster-critical and system-node-critical " +
			"always exist. Reported only when the cluster's PriorityClasses are known (snapshot, --live, webhook) " +
			"and the class is not among them or the inputs.",
		Remediation: "Create the PriorityClass (kind: PriorityClass, apiVersion: scheduling.k8s.io/v1) before the workload, or fix priorityClassName to one that exists (kubectl get priorityclasses).",
		Bad: `spec:
  priorityClassName: high-priority   # the cluster has "high"
`,
		Good: `spec:
  priorityClassName: high
`,
		Cluster:          true,
		MissingReference: true,
		Uses:             classUses("PriorityClasses (system-cluster-critical and system-node-critical always exist)") + " In the webhook the finding only warns: the class may be created later in the same kubectl apply.",
		Run: func(p *Pass) {
			if p.Inv.PriorityClasses == nil {
				return
			}
			t := p.Target
			name := t.Spec.PriorityClassName
			if name == "" || builtinPriorityClasses[name] || p.Inv.PriorityClasses.PriorityClass(name) != Absent {
				return
			}
			p.Report(t.SpecPath.Child("priorityClassName"), "",
				"no PriorityClass with name %s was found; the Priority admission plugin refuses every pod (FailedCreate)", name)
		},
	}
}

func runtimeClassNotFound() *Check {
	return &Check{
		ID:       "runtime-class-not-found",
		Title:    "The RuntimeClass does not exist",
		Severity: Error,
		Symptom:  FailedCreate,
		Description: "The RuntimeClass admission plugin looks up runtimeClassName when a pod is created (to add its " +
			"overhead and scheduling constraints) and refuses the pod when the RuntimeClass does not exist. A " +
			"workload is admitted, but its controller's pod creations fail with FailedCreate. RuntimeClasses are " +
			"cluster-scoped. Reported only when the cluster's RuntimeClasses are known and the class is not among " +
			"them or the inputs.",
		Remediation: "Create the RuntimeClass (node.k8s.io/v1) with the handler the nodes' container runtime is configured for, or fix runtimeClassName (kubectl get runtimeclasses).",
		Bad: `spec:
  runtimeClassName: gvisor   # the cluster's class is "gvisor-runsc"
`,
		Good: `spec:
  runtimeClassName: gvisor-runsc
`,
		Cluster:          true,
		MissingReference: true,
		Uses:             classUses("RuntimeClasses") + " In the webhook the finding only warns: the class may be created later in the same kubectl apply.",
		Run: func(p *Pass) {
			if p.Inv.RuntimeClasses == nil {
				return
			}
			t := p.Target
			name := t.Spec.RuntimeClassName
			if name == nil || *name == "" || p.Inv.RuntimeClasses.RuntimeClass(*name) != Absent {
				return
			}
			p.Report(t.SpecPath.Child("runtimeClassName"), "",
				"RuntimeClass %q not found; every pod is refused at creation (FailedCreate)", *name)
		},
	}
}

// betaStorageClassAnnotation is the storage class a claim names the old
// way; it wins over spec.storageClassName.
const betaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class"

// claimSpec is one claim podlint can check the class of: a
// PersistentVolumeClaim, or a StatefulSet's volumeClaimTemplate.
type claimSpec struct {
	name        string
	annotations map[string]string
	spec        *corev1.PersistentVolumeClaimSpec
	path        *field.Path // of the claim's spec
	meta        *field.Path // of the claim's metadata
}

func claimSpecs(t *Target) []claimSpec {
	switch o := t.Object.(type) {
	case *corev1.PersistentVolumeClaim:
		return []claimSpec{{o.Name, o.Annotations, &o.Spec, field.NewPath("spec"), field.NewPath("metadata")}}
	case *appsv1.StatefulSet:
		var out []claimSpec
		for i := range o.Spec.VolumeClaimTemplates {
			c := &o.Spec.VolumeClaimTemplates[i]
			p := field.NewPath("spec", "volumeClaimTemplates").Index(i)
			out = append(out, claimSpec{c.Name, c.Annotations, &c.Spec, p.Child("spec"), p.Child("metadata")})
		}
		return out
	}
	return nil
}

func storageClassNotFound() *Check {
	return &Check{
		ID:       "storage-class-not-found",
		Title:    "A claim's StorageClass does not exist, or there is no default",
		Severity: Warning,
		Symptom:  Pending,
		Description: "A PersistentVolumeClaim (or a StatefulSet volumeClaimTemplate) is provisioned by the " +
			"StorageClass it names; a claim that names none gets the cluster's default class. When the named class " +
			"does not exist, or the claim names none and no class is marked " +
			"storageclass.kubernetes.io/is-default-class, no provisioner acts: the claim stays Pending, and so does " +
			"every pod that mounts it (unbound immediate PersistentVolumeClaims). It is a warning, not an error: a " +
			"PersistentVolume created by hand with that storageClassName (or without a class) still binds the " +
			"claim, and a default class added later is given to claims without one. storageClassName: \"\" asks " +
			"for no class on purpose and is not reported. Reported only when the cluster's StorageClasses are known.",
		Remediation: "Name a StorageClass the cluster has (kubectl get storageclass), mark one as default, or create the PersistentVolumes the claim should bind to.",
		Bad: `kind: PersistentVolumeClaim
spec:
  storageClassName: fast-ssd   # the cluster has "premium-rwo" and "standard"
`,
		Good: `kind: PersistentVolumeClaim
spec:
  storageClassName: premium-rwo
`,
		Cluster:   true,
		AnyObject: true,
		Uses:      classUses("StorageClasses") + " A class among the inputs marked storageclass.kubernetes.io/is-default-class is a default; that the cluster has no default only a snapshot or --live can say.",
		Run: func(p *Pass) {
			inv := p.Inv.StorageClasses
			if inv == nil {
				return
			}
			for _, c := range claimSpecs(p.Target) {
				if name, ok := c.annotations[betaStorageClassAnnotation]; ok {
					if name != "" && inv.StorageClass(name) == Absent {
						p.Report(c.meta.Child("annotations").Key(betaStorageClassAnnotation), "",
							"storageclass.storage.k8s.io %q not found; claim %q stays Pending until a PersistentVolume of that class exists", name, c.name)
					}
					continue
				}
				if sc := c.spec.StorageClassName; sc != nil {
					if *sc != "" && inv.StorageClass(*sc) == Absent {
						p.Report(c.path.Child("storageClassName"), "",
							"storageclass.storage.k8s.io %q not found; claim %q stays Pending until a PersistentVolume of that class exists", *sc, c.name)
					}
					continue
				}
				if c.spec.VolumeName != "" {
					continue // bound to a named volume, no provisioning
				}
				if exists, known := inv.DefaultStorageClass(); known && !exists {
					p.Report(c.path.Child("storageClassName"), "",
						"claim %q names no StorageClass and the cluster has no default; it stays Pending until a PersistentVolume without a class exists or a default class is set", c.name)
				}
			}
		},
	}
}
