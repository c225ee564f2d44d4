package checks

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// keyRef is one reference from a pod spec to a key of a ConfigMap or
// Secret.
type keyRef struct {
	object, key string
	path        *field.Path
	container   string
	// volume is the volume's name for volume items and subPaths.
	volume string
	// subPath marks a volumeMount subPath naming a key.
	subPath  bool
	optional bool
}

// keyRefs lists the key references of kind (configMapKind or secretKind):
// env valueFrom keys, volume and projected items, and subPaths into a
// volume that projects every key (no items) as a file of its name.
func keyRefs(t *Target, kind string) []keyRef {
	var out []keyRef
	opt := func(b *bool) bool { return b != nil && *b }
	items := func(obj string, its []corev1.KeyToPath, path *field.Path, volume string, optional *bool) {
		for i, it := range its {
			out = append(out, keyRef{obj, it.Key, path.Child("items").Index(i).Child("key"), "", volume, false, opt(optional)})
		}
	}
	// whole maps a volume projecting every key of one object to it.
	type whole struct {
		obj      string
		optional bool
	}
	wholes := map[string]whole{}
	vols := t.SpecPath.Child("volumes")
	for i, v := range t.Spec.Volumes {
		vp := vols.Index(i)
		switch {
		case kind == configMapKind && v.ConfigMap != nil:
			items(v.ConfigMap.Name, v.ConfigMap.Items, vp.Child("configMap"), v.Name, v.ConfigMap.Optional)
			if len(v.ConfigMap.Items) == 0 {
				wholes[v.Name] = whole{v.ConfigMap.Name, opt(v.ConfigMap.Optional)}
			}
		case kind == secretKind && v.Secret != nil:
			items(v.Secret.SecretName, v.Secret.Items, vp.Child("secret"), v.Name, v.Secret.Optional)
			if len(v.Secret.Items) == 0 {
				wholes[v.Name] = whole{v.Secret.SecretName, opt(v.Secret.Optional)}
			}
		case v.Projected != nil:
			for j, src := range v.Projected.Sources {
				sp := vp.Child("projected", "sources").Index(j)
				if cm := src.ConfigMap; kind == configMapKind && cm != nil {
					items(cm.Name, cm.Items, sp.Child("configMap"), v.Name, cm.Optional)
				}
				if s := src.Secret; kind == secretKind && s != nil {
					items(s.Name, s.Items, sp.Child("secret"), v.Name, s.Optional)
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
			if r := e.ValueFrom.ConfigMapKeyRef; kind == configMapKind && r != nil {
				out = append(out, keyRef{r.Name, r.Key, vp.Child("configMapKeyRef", "key"), c.Container.Name, "", false, opt(r.Optional)})
			}
			if r := e.ValueFrom.SecretKeyRef; kind == secretKind && r != nil {
				out = append(out, keyRef{r.Name, r.Key, vp.Child("secretKeyRef", "key"), c.Container.Name, "", false, opt(r.Optional)})
			}
		}
		for j, m := range c.Container.VolumeMounts {
			w, ok := wholes[m.Name]
			// A subPath with a slash goes below a key (keys hold no
			// slash); "..data" and friends are the atomic writer's.
			if !ok || m.SubPath == "" || strings.Contains(m.SubPath, "/") || strings.HasPrefix(m.SubPath, "..") {
				continue
			}
			out = append(out, keyRef{w.obj, m.SubPath, c.Path.Child("volumeMounts").Index(j).Child("subPath"), c.Container.Name, m.Name, true, w.optional})
		}
	}
	return out
}

// reportMissingKeys reports each non-optional key reference whose object's
// keys are known and lack the key, in the kubelet's words.
func reportMissingKeys(p *Pass, kind string, refs []keyRef, keysOf func(ns, name string) (map[string]bool, bool)) {
	ns := p.Target.Namespace()
	for _, r := range refs {
		if r.optional || r.object == "" || r.key == "" {
			continue
		}
		keys, known := keysOf(ns, r.object)
		if !known || keys[r.key] {
			continue
		}
		switch {
		case r.subPath:
			p.Report(r.path, r.container, "%s %s/%s has no key %q, so volume %q has no such file; the subPath mount fails and container %q does not start (CreateContainerError)",
				kind, ns, r.object, r.key, r.volume, r.container)
		case r.volume != "":
			p.Report(r.path, "", "MountVolume.SetUp failed for volume %q: %s references non-existent config key: %s (%s/%s); the pod stays in ContainerCreating (FailedMount)",
				r.volume, kind, r.key, ns, r.object)
		default:
			p.Report(r.path, r.container, "couldn't find key %s in %s %s/%s; container %q does not start (CreateContainerConfigError)",
				r.key, kindTitle(kind), ns, r.object, r.container)
		}
	}
}

func kindTitle(kind string) string {
	if kind == configMapKind {
		return "ConfigMap"
	}
	return "Secret"
}

func configMapKeyNotFound() *Check {
	return &Check{
		ID:       "configmap-key-not-found",
		Title:    "A referenced ConfigMap key does not exist",
		Severity: Error,
		Symptom:  CreateContainerConfigError,
		Description: "The kubelet reads each configMapKeyRef key before it starts the container, and each items[].key " +
			"of a configMap volume or projected source before it mounts the volume. A key the ConfigMap lacks " +
			"fails the container with CreateContainerConfigError (couldn't find key) or leaves the pod in " +
			"ContainerCreating (FailedMount: references non-existent config key). A volumeMount subPath into a " +
			"configMap volume without items names a key as a file; without that key the mount fails " +
			"(CreateContainerError). References marked optional: true are skipped. Reported only when the " +
			"ConfigMap's keys are known: from a ConfigMap among the inputs, a snapshot or --live (key names only, " +
			"never values), or the webhook's cache, which drops values as it reads; a ConfigMap without any key " +
			"is treated as unread.",
		Remediation: "Add the key to the ConfigMap (applied with the workload or before it), fix the key name, or mark the reference optional: true if the container can run without it.",
		Bad: `env:
- name: LOG_LEVEL
  valueFrom:
    configMapKeyRef:
      name: app-config
      key: log_level   # the ConfigMap has LOG_LEVEL
`,
		Good: `env:
- name: LOG_LEVEL
  valueFrom:
    configMapKeyRef:
      name: app-config
      key: LOG_LEVEL
`,
		Cluster:          true,
		MissingReference: true,
		Uses: keyUses("ConfigMap", "and, for a known namespace, of the cluster's from "+fromCluster+" (key names only).") +
			" In the webhook the finding only warns: the ConfigMap may be updated later in the same kubectl apply.",
		Run: func(p *Pass) {
			if p.Inv.ConfigMapKeys == nil {
				return
			}
			reportMissingKeys(p, configMapKind, keyRefs(p.Target, configMapKind), p.Inv.ConfigMapKeys.ConfigMapKeys)
		},
	}
}

func secretKeyNotFound() *Check {
	return &Check{
		ID:       "secret-key-not-found",
		Title:    "A referenced Secret key does not exist",
		Severity: Error,
		Symptom:  CreateContainerConfigError,
		Description: "The kubelet reads each secretKeyRef key before it starts the container, and each items[].key " +
			"of a secret volume or projected source before it mounts the volume. A key the Secret lacks fails the " +
			"container with CreateContainerConfigError (couldn't find key) or leaves the pod in ContainerCreating " +
			"(FailedMount). References marked optional: true are skipped. Secret keys are checked against Secrets " +
			"among the inputs always; against the cluster's Secrets only with the secret-keys opt-in (--live --secret-keys, podlint-webhook --secret-keys), because " +
			"reading key names means listing whole Secrets (podlint keeps the names and drops the values). " +
			"Without it, cluster Secrets stay silent.",
		Remediation: "Add the key to the Secret, fix the key name, or mark the reference optional: true if the container can run without it.",
		Bad: `env:
- name: DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: db-credentials
      key: pasword   # the Secret has "password"
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
		Uses: keyUses("Secret", "and of the cluster's only with the secret-keys opt-in, --live --secret-keys or podlint-webhook --secret-keys (listing key names means listing whole Secrets; snapshot files never carry them); without it cluster Secrets stay silent.") +
			" In the webhook the finding only warns: the Secret may be updated later in the same kubectl apply.",
		Run: func(p *Pass) {
			if p.Inv.Secrets == nil {
				return
			}
			reportMissingKeys(p, secretKind, keyRefs(p.Target, secretKind), func(ns, name string) (map[string]bool, bool) {
				m, pr := p.Inv.Secrets.Secret(ns, name)
				if pr != Present || m == nil || !m.KeysKnown {
					return nil, false
				}
				return m.Keys, true
			})
		},
	}
}
