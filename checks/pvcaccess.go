package checks

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// SharedClaims returns the claims a target's volumes name that all its
// pods share: every persistentVolumeClaim volume except a StatefulSet's
// claim templates, which give each replica its own claim. The store
// indexes targets by them.
func SharedClaims(t *Target) []string {
	if t.Spec == nil {
		return nil
	}
	templates := statefulSetClaimTemplates(t)
	var out []string
	for _, v := range t.Spec.Volumes {
		c := v.PersistentVolumeClaim
		if c == nil || c.ClaimName == "" || slices.Contains(templates, c.ClaimName) || slices.Contains(out, c.ClaimName) {
			continue
		}
		out = append(out, c.ClaimName)
	}
	return out
}

func pvcAccessModeConflict() *Check {
	return &Check{
		ID:       "pvc-access-mode-conflict",
		Title:    "A single-node claim is used by more than one pod",
		Severity: Error,
		Symptom:  ContainerCreating,
		Description: "A ReadWriteOncePod claim can be used by one pod in the whole cluster: the scheduler keeps " +
			"every other pod that mounts it Pending (node has pod using PersistentVolumeClaim with the same name " +
			"and ReadWriteOncePod access mode), so a workload with more than one replica, or two workloads " +
			"mounting it, always leaves pods stuck: an error. A ReadWriteOnce claim attaches to one node: pods " +
			"on that node share it, pods the scheduler puts elsewhere stay in ContainerCreating (Multi-Attach " +
			"error for volume … Volume is already used by pod(s) …); that is a warning, since the pods may land " +
			"on one node. Claims that also allow ReadOnlyMany or ReadWriteMany are not reported, nor a " +
			"StatefulSet's volumeClaimTemplates (each replica gets its own claim), nor workloads with 0 " +
			"replicas.",
		Uses: "The claim's spec.accessModes: from its copies among the inputs applied with the workload (unknown when they disagree), or from " + fromCluster + " (the PVC row keeps names and access modes only). " +
			"The other users of the claim: the workloads applied with it that mount it (for a namespace, those with that namespace anywhere in the run), and the cluster's watched workloads. " +
			namespaceUnknown + " Silent while the access modes are not known.",
		Remediation: "Give each pod its own claim (a StatefulSet volumeClaimTemplate, or a generic ephemeral volume), use a ReadWriteMany storage class for shared data, or run one replica (with strategy Recreate, so a rollout does not start a second pod while the first holds the claim).",
		Bad: `kind: Deployment
spec:
  replicas: 3
  template:
    spec:
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data   # accessModes: [ReadWriteOncePod]
`,
		Good: `kind: StatefulSet
spec:
  replicas: 3
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOncePod]
`,
		Cluster: true,
		Run: func(p *Pass) {
			inv := p.Inv.PVCUses
			t := p.Target
			if inv == nil || t.Replicas == 0 {
				return
			}
			ns := t.Namespace()
			for i, v := range t.Spec.Volumes {
				c := v.PersistentVolumeClaim
				if c == nil || !slices.Contains(SharedClaims(t), c.ClaimName) {
					continue
				}
				modes, known := inv.PVCAccessModes(ns, c.ClaimName)
				if !known {
					continue
				}
				rwop := slices.Contains(modes, corev1.ReadWriteOncePod)
				rwo := slices.Contains(modes, corev1.ReadWriteOnce)
				if slices.Contains(modes, corev1.ReadWriteMany) || slices.Contains(modes, corev1.ReadOnlyMany) || (!rwop && !rwo) {
					continue
				}
				why := ""
				if t.Replicas > 1 {
					why = fmt.Sprintf("its %d replicas", t.Replicas)
				}
				for _, o := range inv.ClaimUsers(ns, c.ClaimName) {
					if o == t || sameObject(t, o) || o.Replicas == 0 {
						continue
					}
					if why != "" {
						why += " and "
					}
					why += o.Ref.String() + " as well"
					break
				}
				if why == "" {
					continue
				}
				path := t.SpecPath.Child("volumes").Index(i).Child("persistentVolumeClaim", "claimName")
				if rwop {
					p.Report(path, "",
						"persistentvolumeclaim %q is ReadWriteOncePod, usable by one pod only, but it is mounted by %s; every other pod stays Pending", c.ClaimName, why)
					continue
				}
				p.ReportAs(Warning, path, "",
					"persistentvolumeclaim %q is ReadWriteOnce and attaches to one node, but it is mounted by %s; pods placed on another node stay in ContainerCreating (Multi-Attach error)", c.ClaimName, why)
			}
		},
	}
}
