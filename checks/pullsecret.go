package checks

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// publicRegistries serve public images without credentials. Private
// repositories exist on several of them, but podlint cannot tell those apart
// from the name, so they are never reported.
func publicRegistries() []string {
	return []string{
		"docker.io", "index.docker.io", "registry-1.docker.io",
		"registry.k8s.io", "k8s.gcr.io", "gcr.io", "*.gcr.io",
		"quay.io", "ghcr.io", "mcr.microsoft.com", "public.ecr.aws",
		"registry.gitlab.com", "nvcr.io", "docker.elastic.co", "cgr.dev",
		"registry.access.redhat.com", "lscr.io", "docker.redpanda.com",
		"registry.opensource.zalan.do", "cr.l5d.io", "registry.suse.com",
	}
}

// privateSuffixes are DNS suffixes that only a private network resolves,
// longest first so that the message names the most specific one.
func privateSuffixes() []string {
	return []string{".cluster.local", ".localdomain", ".home.arpa", ".local", ".internal", ".lan", ".corp", ".svc"}
}

// splitRegistryHost splits the domain of an image reference: "host",
// "host:port", "[v6]" or "[v6]:port" (the only forms the reference grammar
// allows, so a colon after the last "]" always starts the port).
func splitRegistryHost(domain string) (host, port string) {
	host = domain
	if i := strings.LastIndexByte(domain, ':'); i > strings.LastIndexByte(domain, ']') {
		host, port = domain[:i], domain[i+1:]
	}
	return strings.ToLower(strings.Trim(host, "[]")), port
}

// registryMatches tells whether domain (host or host:port) matches a
// configured pattern: "host", "host:port" or "*.example.com". A pattern
// without a port matches the host on any port.
func registryMatches(domain string, patterns []string) bool {
	host, _ := splitRegistryHost(domain)
	domain = strings.ToLower(domain)
	for _, pat := range patterns {
		pat = strings.ToLower(strings.TrimSpace(pat))
		if pat == "" {
			continue
		}
		if suffix, ok := strings.CutPrefix(pat, "*"); ok {
			if strings.HasSuffix(host, suffix) || strings.HasSuffix(domain, suffix) {
				return true
			}
			continue
		}
		if pat == domain || pat == host {
			return true
		}
	}
	return false
}

// registryClass is how image-pull-secret-missing sees a registry.
type registryClass int

const (
	// publicRegistry needs no credentials from the pod.
	publicRegistry registryClass = iota
	// privateReg needs credentials: the name or the configuration says so.
	privateReg
	// unknownRegistry is neither; it is reported only when the
	// configuration asks for it (registries.reportUnknown).
	unknownRegistry
)

// privateRegistry decides whether pulling from domain needs credentials
// the pod must supply, and says why, for the message.
func privateRegistry(domain string, cfg Registries) (class registryClass, why string) {
	host, port := splitRegistryHost(domain)
	switch {
	case registryMatches(domain, cfg.NodeCredentials):
		return publicRegistry, ""
	case registryMatches(domain, cfg.Private):
		return privateReg, "listed as private in the configuration"
	case registryMatches(domain, cfg.Public), registryMatches(domain, publicRegistries()):
		return publicRegistry, ""
	}
	ip, isIP := parseIP(host)
	switch {
	case host == "localhost" || isIP && ip.IsLoopback():
		// A registry on the node itself (kind, minikube, k3d) serves
		// without credentials as a rule.
		return publicRegistry, ""
	case port != "":
		return privateReg, "the host has a port, " + port
	case isIP:
		return privateReg, "the host is an IP address"
	case !strings.Contains(host, "."):
		return privateReg, "the host is a single label, a name only a private network resolves"
	}
	for _, s := range privateSuffixes() {
		if strings.HasSuffix(host, s) {
			return privateReg, "the host ends in " + s + ", a private DNS suffix"
		}
	}
	if cfg.ReportUnknown {
		return unknownRegistry, "reported because registries.reportUnknown is true: the host is not a well-known public registry, has no private-looking name, and is not listed under registries.private, public or nodeCredentials"
	}
	return publicRegistry, ""
}

// serviceAccountName is the ServiceAccount the pod runs as.
func serviceAccountName(spec *corev1.PodSpec) string {
	switch {
	case spec.ServiceAccountName != "":
		return spec.ServiceAccountName
	case spec.DeprecatedServiceAccount != "":
		return spec.DeprecatedServiceAccount
	}
	return "default"
}

func imagePullSecretMissing() *Check {
	return &Check{
		ID:       "image-pull-secret-missing",
		Title:    "Private registry image without imagePullSecrets",
		Severity: Warning,
		Symptom:  ImagePullBackOff,
		Description: `The image comes from a registry that needs credentials, yet neither the pod's imagePullSecrets nor those of its ServiceAccount (when the ServiceAccount is known) supply any. ` +
			`The kubelet then pulls anonymously, the registry answers "unauthorized" or "no basic auth credentials", and the container waits in ErrImagePull and then ImagePullBackOff. ` +
			`A registry counts as private when the configuration lists it as private, or when its host has a port (docker02:35000), is an IP address, is a single label, or ends in .local, .internal, .lan, .corp, .svc or .cluster.local. ` +
			`Well-known public registries (docker.io, registry.k8s.io, quay.io, ghcr.io, gcr.io, mcr.microsoft.com, public.ecr.aws, …), registries on the node itself (localhost), registries the configuration lists as public or as authenticated by the nodes, and images with imagePullPolicy Never are not reported; other hosts ("unknown registries") only when the configuration sets registries.reportUnknown.`,
		Uses: "The registry rules of the configuration, and the pod's ServiceAccount for its imagePullSecrets: a ServiceAccount among the inputs applied with the workload, or from " + fromCluster + ". " +
			"When the account is not known the finding is still made (most pods run as an account without pull secrets) and says so.",
		Remediation: `Create a kubernetes.io/dockerconfigjson Secret for the registry and list it under spec.imagePullSecrets or on the pod's ServiceAccount, or list the registry under registries.nodeCredentials if the nodes authenticate themselves.`,
		Bad: `spec:
  containers:
  - name: api
    image: docker02:35000/shop/api:2.3.1`,
		Good: `spec:
  imagePullSecrets:
  - name: docker02-pull
  containers:
  - name: api
    image: docker02:35000/shop/api:2.3.1`,
		Run: func(p *Pass) {
			t := p.Target
			if len(t.Spec.ImagePullSecrets) > 0 {
				return
			}
			saName := serviceAccountName(t.Spec)
			saNote := fmt.Sprintf("podlint does not know ServiceAccount %q", saName)
			if p.Inv.ServiceAccounts != nil {
				sa, pres := p.Inv.ServiceAccounts.ServiceAccount(t.Namespace(), saName)
				switch {
				case pres == Present && sa != nil:
					if len(sa.ImagePullSecrets) > 0 {
						return
					}
					saNote = fmt.Sprintf("its ServiceAccount %q%s has none either", saName, p.origin(sa, nil))
				case pres == Present:
					// Copies of the ServiceAccount disagree on their
					// pull secrets: podlint cannot tell.
					return
				}
			}
			var cfg Registries
			if p.Config != nil {
				cfg = p.Config.Registries
			}
			for _, c := range t.Containers() {
				if c.Container.ImagePullPolicy == corev1.PullNever {
					continue
				}
				domain, err := imageDomain(p, c.Container.Image)
				if err != nil {
					continue
				}
				class, why := privateRegistry(domain, cfg)
				what := "a private registry"
				switch class {
				case publicRegistry:
					continue
				case unknownRegistry:
					what = "an unknown registry"
				}
				p.Report(c.Path.Child("image"), c.Container.Name,
					"image %q comes from %s, %s (%s), but the pod has no imagePullSecrets and %s; the kubelet pulls without credentials",
					c.Container.Image, domain, what, why, saNote)
			}
		},
	}
}

// secretRef names a Secret for Pass.origin: lookups hand out a Secret's
// metadata, not the object, so its origin is asked by reference.
func secretRef(namespace, name string) ObjectRef {
	return ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: namespace, Name: name}
}

// pullSecretTypeOK tells whether the kubelet reads pull credentials from a
// Secret of this type; it silently ignores every other type.
func pullSecretTypeOK(t corev1.SecretType) bool {
	return t == corev1.SecretTypeDockerConfigJson || t == corev1.SecretTypeDockercfg
}

func imagePullSecretWrongType() *Check {
	return &Check{
		ID:       "image-pull-secret-wrong-type",
		Title:    "imagePullSecrets names a Secret of the wrong type",
		Severity: Error,
		Symptom:  ImagePullBackOff,
		Description: `The kubelet only reads registry credentials from Secrets of type kubernetes.io/dockerconfigjson (key .dockerconfigjson) or kubernetes.io/dockercfg (key .dockercfg). ` +
			`An imagePullSecret that names an Opaque or any other Secret is skipped without an error, the image is pulled anonymously, and a private registry refuses it: the container ends in ImagePullBackOff. ` +
			`Checked for the pod's imagePullSecrets and for those of its ServiceAccount.`,
		Uses:        "The type of each Secret named, and the pod's ServiceAccount: from the inputs applied with the workload, or from " + fromCluster + ". Copies of one Secret with different types make its type unknown. " + namespaceUnknown + " Silent for a Secret whose type is not known.",
		Remediation: `Recreate the Secret with kubectl create secret docker-registry (type kubernetes.io/dockerconfigjson), or point imagePullSecrets at such a Secret.`,
		Bad: `apiVersion: v1
kind: Secret
metadata:
  name: regcred
type: Opaque
data:
  .dockerconfigjson: eyJhdXRocyI6e319`,
		Good: `apiVersion: v1
kind: Secret
metadata:
  name: regcred
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: eyJhdXRocyI6e319`,
		Run: func(p *Pass) {
			t := p.Target
			if p.Inv.Secrets == nil {
				return
			}
			ns := t.Namespace()
			wrongType := func(name string) (corev1.SecretType, bool) {
				if name == "" {
					return "", false
				}
				m, pres := p.Inv.Secrets.Secret(ns, name)
				if pres != Present || m == nil || !m.TypeKnown || pullSecretTypeOK(m.Type) {
					return "", false
				}
				if m.Type == "" {
					return corev1.SecretTypeOpaque, true
				}
				return m.Type, true
			}
			for i, ref := range t.Spec.ImagePullSecrets {
				if typ, bad := wrongType(ref.Name); bad {
					p.Report(t.SpecPath.Child("imagePullSecrets").Index(i).Child("name"), "",
						"imagePullSecret %q is a Secret of type %q%s; the kubelet only reads pull credentials from kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg Secrets and pulls without them",
						ref.Name, typ, p.origin(secretRef(ns, ref.Name), field.NewPath("type")))
				}
			}
			if p.Inv.ServiceAccounts == nil {
				return
			}
			saName := serviceAccountName(t.Spec)
			sa, pres := p.Inv.ServiceAccounts.ServiceAccount(ns, saName)
			if pres != Present || sa == nil {
				return
			}
			for _, ref := range sa.ImagePullSecrets {
				if typ, bad := wrongType(ref.Name); bad {
					p.Report(t.SpecPath.Child("serviceAccountName"), "",
						"ServiceAccount %q%s lists imagePullSecret %q, a Secret of type %q%s; the kubelet only reads pull credentials from kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg Secrets and pulls without them",
						saName, p.origin(sa, nil), ref.Name, typ, p.origin(secretRef(ns, ref.Name), field.NewPath("type")))
				}
			}
		},
	}
}
