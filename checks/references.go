package checks

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The reference checks report "does not exist" only on Absent: the kind was
// listed in the pod's namespace and the name was not among the results.
// Unknown (no snapshot, a forbidden kind, another namespace) stays silent.

// objRef is one reference from a pod spec to a named object.
type objRef struct {
	name      string
	path      *field.Path
	container string
	// volume is the volume's name for volume sources ("" for env).
	volume   string
	optional bool
}

// The kinds configRefs follows, named as the kubelet's messages name them.
const (
	configMapKind = "configmap"
	secretKind    = "secret"
)

// configRefs lists the objects of kind (configMapKind or secretKind) that a
// pod spec needs before its containers start: volumes, projected sources,
// env valueFrom and envFrom. Image pull secrets have their own check
// because their absence leads to a different failure.
func configRefs(t *Target, kind string) []objRef {
	var out []objRef
	add := func(k, name string, path *field.Path, container, volume string, optional *bool) {
		if k == kind {
			out = append(out, objRef{name, path, container, volume, optional != nil && *optional})
		}
	}
	vols := t.SpecPath.Child("volumes")
	for i, v := range t.Spec.Volumes {
		vp := vols.Index(i)
		if cm := v.ConfigMap; cm != nil {
			add(configMapKind, cm.Name, vp.Child("configMap", "name"), "", v.Name, cm.Optional)
		}
		if s := v.Secret; s != nil {
			add(secretKind, s.SecretName, vp.Child("secret", "secretName"), "", v.Name, s.Optional)
		}
		if pr := v.Projected; pr != nil {
			for j, src := range pr.Sources {
				sp := vp.Child("projected", "sources").Index(j)
				if cm := src.ConfigMap; cm != nil {
					add(configMapKind, cm.Name, sp.Child("configMap", "name"), "", v.Name, cm.Optional)
				}
				if s := src.Secret; s != nil {
					add(secretKind, s.Name, sp.Child("secret", "name"), "", v.Name, s.Optional)
				}
			}
		}
	}
	for _, c := range t.Containers() {
		for j, e := range c.Container.Env {
			if e.ValueFrom == nil {
				continue
			}
			vp := c.Path.Child("env").Index(j).Child("valueFrom")
			if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
				add(configMapKind, r.Name, vp.Child("configMapKeyRef", "name"), c.Container.Name, "", r.Optional)
			}
			if r := e.ValueFrom.SecretKeyRef; r != nil {
				add(secretKind, r.Name, vp.Child("secretKeyRef", "name"), c.Container.Name, "", r.Optional)
			}
		}
		for k, e := range c.Container.EnvFrom {
			ep := c.Path.Child("envFrom").Index(k)
			if r := e.ConfigMapRef; r != nil {
				add(configMapKind, r.Name, ep.Child("configMapRef", "name"), c.Container.Name, "", r.Optional)
			}
			if r := e.SecretRef; r != nil {
				add(secretKind, r.Name, ep.Child("secretRef", "name"), c.Container.Name, "", r.Optional)
			}
		}
	}
	return out
}

// reportMissing reports each non-optional reference whose object is Absent,
// in the kubelet's words for the failure it causes.
func reportMissing(p *Pass, kind string, refs []objRef, presence func(ns, name string) Presence) {
	ns := p.Target.Namespace()
	for _, r := range refs {
		if r.optional || r.name == "" || presence(ns, r.name) != Absent {
			continue
		}
		if r.volume != "" {
			p.Report(r.path, "", "MountVolume.SetUp failed for volume %q: %s %q not found in namespace %q; the pod stays in ContainerCreating (FailedMount)",
				r.volume, kind, r.name, ns)
			continue
		}
		p.Report(r.path, r.container, "%s %q not found in namespace %q; container %q does not start (CreateContainerConfigError)",
			kind, r.name, ns, r.container)
	}
}

func configMapNotFound() *Check {
	return &Check{
		ID:       "configmap-not-found",
		Title:    "A referenced ConfigMap does not exist",
		Severity: Error,
		Symptom:  CreateContainerConfigError,
		Description: "The kubelet resolves configMap volumes, projected configMap sources, configMapKeyRef env " +
			"values and envFrom configMapRef before it starts a container. When the ConfigMap is missing from the " +
			"pod's namespace, a volume leaves the pod in ContainerCreating (FailedMount) and an env reference " +
			"fails with CreateContainerConfigError, retried until the ConfigMap appears. References marked " +
			"optional: true are skipped.",
		Uses:        referenceUses("ConfigMaps"),
		Remediation: "Create the ConfigMap in the pod's namespace (or apply it with the workload), fix the name, or mark the reference optional: true if the pod can run without it.",
		Bad: `envFrom:
- configMapRef:
    name: app-confg   # the ConfigMap is app-config
`,
		Good: `envFrom:
- configMapRef:
    name: app-config
`,
		Cluster:          true,
		MissingReference: true,
		Run: func(p *Pass) {
			if p.Inv.ConfigMaps == nil {
				return
			}
			reportMissing(p, configMapKind, configRefs(p.Target, configMapKind), p.Inv.ConfigMaps.ConfigMap)
		},
	}
}

func secretNotFound() *Check {
	return &Check{
		ID:       "secret-not-found",
		Title:    "A referenced Secret does not exist",
		Severity: Error,
		Symptom:  CreateContainerConfigError,
		Description: "The kubelet resolves secret volumes, projected secret sources, secretKeyRef env values and " +
			"envFrom secretRef before it starts a container. When the Secret is missing from the pod's namespace, " +
			"a volume leaves the pod in ContainerCreating (FailedMount) and an env reference fails with " +
			"CreateContainerConfigError. References marked optional: true are skipped. podlint never reads Secret data.",
		Uses:        referenceUses("Secrets"),
		Remediation: "Create the Secret in the pod's namespace before the workload, fix the name, or mark the reference optional: true.",
		Bad: `env:
- name: DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: db-creds   # not in this namespace
      key: password
`,
		Good: `env:
- name: DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: db-credentials
      key: password
`,
		Cluster:          true,
		MissingReference: true,
		Run: func(p *Pass) {
			if p.Inv.Secrets == nil {
				return
			}
			reportMissing(p, secretKind, configRefs(p.Target, secretKind), func(ns, name string) Presence {
				_, pr := p.Inv.Secrets.Secret(ns, name)
				return pr
			})
		},
	}
}

func pvcNotFound() *Check {
	return &Check{
		ID:       "pvc-not-found",
		Title:    "A referenced PersistentVolumeClaim does not exist",
		Severity: Error,
		Symptom:  Pending,
		Description: "A persistentVolumeClaim volume binds the pod to an existing claim in its namespace. When the " +
			"claim is missing, the scheduler refuses every node (persistentvolumeclaim \"data\" not found) and " +
			"the pod stays Pending. A StatefulSet volume named like one of its volumeClaimTemplates is not a " +
			"reference: the controller creates those claims per replica.",
		Uses:        referenceUses("PersistentVolumeClaims"),
		Remediation: "Create the PersistentVolumeClaim in the pod's namespace, fix claimName, or use a StatefulSet volumeClaimTemplate or a generic ephemeral volume.",
		Bad: `volumes:
- name: data
  persistentVolumeClaim:
    claimName: data-pvc   # no such claim
`,
		Good: `volumes:
- name: data
  persistentVolumeClaim:
    claimName: data
`,
		Cluster:          true,
		MissingReference: true,
		Run: func(p *Pass) {
			if p.Inv.PVCs == nil {
				return
			}
			t := p.Target
			templates := map[string]bool{}
			for _, n := range statefulSetClaimTemplates(t) {
				templates[n] = true
			}
			ns := t.Namespace()
			for i, v := range t.Spec.Volumes {
				c := v.PersistentVolumeClaim
				if c == nil || c.ClaimName == "" || templates[c.ClaimName] {
					continue
				}
				if p.Inv.PVCs.PersistentVolumeClaim(ns, c.ClaimName) != Absent {
					continue
				}
				p.Report(t.SpecPath.Child("volumes").Index(i).Child("persistentVolumeClaim", "claimName"), "",
					"persistentvolumeclaim %q not found in namespace %q; the scheduler places the pod on no node and it stays Pending",
					c.ClaimName, ns)
			}
		},
	}
}

// podServiceAccount returns the account a pod runs as and the field that
// names it; "" means the namespace's default account.
func podServiceAccount(t *Target) (string, *field.Path) {
	if n := t.Spec.ServiceAccountName; n != "" {
		return n, t.SpecPath.Child("serviceAccountName")
	}
	if n := t.Spec.DeprecatedServiceAccount; n != "" {
		return n, t.SpecPath.Child("serviceAccount")
	}
	return "", t.SpecPath.Child("serviceAccountName")
}

func serviceAccountNotFound() *Check {
	return &Check{
		ID:       "service-account-not-found",
		Title:    "The ServiceAccount does not exist",
		Severity: Error,
		Symptom:  FailedCreate,
		Description: "The ServiceAccount admission plugin refuses a pod whose serviceAccountName does not exist " +
			"in its namespace (error looking up service account). A Deployment, Job or DaemonSet is admitted, but " +
			"its controller's pod creations fail with FailedCreate and no pod appears. The namespace's default " +
			"account is never reported: the ServiceAccount controller creates it with the namespace, and a " +
			"missing namespace is a different error.",
		Uses:        referenceUses("ServiceAccounts"),
		Remediation: "Create the ServiceAccount in the pod's namespace (apply it before the workload), or fix serviceAccountName.",
		Bad: `spec:
  serviceAccountName: deployer   # not created in this namespace
`,
		Good: `apiVersion: v1
kind: ServiceAccount
metadata:
  name: deployer
---
# ...
spec:
  serviceAccountName: deployer
`,
		Cluster:          true,
		MissingReference: true,
		Run: func(p *Pass) {
			if p.Inv.ServiceAccounts == nil {
				return
			}
			t := p.Target
			name, path := podServiceAccount(t)
			if name == "" || name == "default" {
				return
			}
			ns := t.Namespace()
			if _, pr := p.Inv.ServiceAccounts.ServiceAccount(ns, name); pr != Absent {
				return
			}
			p.Report(path, "", "error looking up service account %s/%s: serviceaccount %q not found; every pod creation is refused (FailedCreate)",
				ns, name, name)
		},
	}
}

func imagePullSecretNotFound() *Check {
	return &Check{
		ID:       "image-pull-secret-not-found",
		Title:    "An image pull secret does not exist",
		Severity: Error,
		Symptom:  ImagePullBackOff,
		Description: "The kubelet looks up each imagePullSecrets entry in the pod's namespace; a missing one is " +
			"skipped with \"Unable to retrieve some image pull secrets\" and the image is pulled without those " +
			"credentials, which a private registry answers with 401: ErrImagePull, then ImagePullBackOff. A pod " +
			"without its own imagePullSecrets gets its ServiceAccount's (the ServiceAccount admission plugin " +
			"copies them), so those are checked too when the account is known.",
		Uses:        referenceUses("Secrets (and the ServiceAccount, for its imagePullSecrets)"),
		Remediation: "Create the docker-registry Secret in the pod's namespace (kubectl create secret docker-registry), or fix the name in imagePullSecrets or on the ServiceAccount.",
		Bad: `spec:
  imagePullSecrets:
  - name: regcred   # not in this namespace
`,
		Good: `spec:
  imagePullSecrets:
  - name: registry-credentials
`,
		Cluster:          true,
		MissingReference: true,
		Run: func(p *Pass) {
			if p.Inv.Secrets == nil {
				return
			}
			t := p.Target
			ns := t.Namespace()
			absent := func(name string) bool {
				_, pr := p.Inv.Secrets.Secret(ns, name)
				return name != "" && pr == Absent
			}
			if len(t.Spec.ImagePullSecrets) > 0 {
				for i, r := range t.Spec.ImagePullSecrets {
					if absent(r.Name) {
						p.Report(t.SpecPath.Child("imagePullSecrets").Index(i).Child("name"), "",
							"Unable to retrieve some image pull secrets (%s): secret %q not found in namespace %q; images from private registries fail with ImagePullBackOff",
							r.Name, r.Name, ns)
					}
				}
				return
			}
			if p.Inv.ServiceAccounts == nil {
				return
			}
			name, path := podServiceAccount(t)
			if name == "" {
				name = "default"
			}
			sa, pr := p.Inv.ServiceAccounts.ServiceAccount(ns, name)
			if pr != Present || sa == nil {
				return
			}
			for _, r := range sa.ImagePullSecrets {
				if absent(r.Name) {
					p.Report(path, "", "ServiceAccount %s/%s gives the pod image pull secret %q, which is not found in namespace %q; images from private registries fail with ImagePullBackOff",
						ns, name, r.Name, ns)
				}
			}
		},
	}
}

// statefulSetClaimTemplates returns the names of a StatefulSet's
// volumeClaimTemplates, which its pods' volumes may name.
func statefulSetClaimTemplates(t *Target) []string {
	sts, ok := t.Object.(*appsv1.StatefulSet)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(sts.Spec.VolumeClaimTemplates))
	for _, c := range sts.Spec.VolumeClaimTemplates {
		out = append(out, c.Name)
	}
	return out
}
