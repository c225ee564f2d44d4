package checks_test

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

func TestImageNameInvalid(t *testing.T) {
	tests := []struct {
		image string
		want  string // substring of the message; "" means no finding
	}{
		{"nginx", ""},
		{"nginx:1.27", ""},
		{"docker02:35000/shop/api:2.3.1", ""},
		{"registry.k8s.io/pause@sha256:7031c1b283388d2c2e09b57badb803c05ebed362dc88d84b480cc47f72a21097", ""},
		{"", "image is empty"},
		{"Nginx:1.27", `image "Nginx:1.27" is not a valid image reference (repository name (library/Nginx) must be lowercase)`},
		{"registry.example.com/Team/App:1", "must be lowercase"},
		{"nginx :1.27", `image "nginx :1.27" contains whitespace`},
		{"nginx:1.27 ", "contains whitespace"},
		{"nginx:-bad", `image "nginx:-bad" is not a valid image reference (invalid reference format)`},
		{"nginx@sha256:abc", "invalid reference format"},
		{"nginx:1.27@sha256:0000", "invalid reference format"},
		{"$IMAGE", `contains the unrendered template placeholder "$IMAGE"`},
		{"registry.example.com/app:${TAG}", `contains the unrendered template placeholder "${TAG}"`},
		{"gcr.io/<PROJECT_ID>/app:1.0", `contains the unrendered template placeholder "<PROJECT_ID>"`},
		{"gcr.io/<PROJECT_ID>/app:${TAG}", `contains the unrendered template placeholders "<PROJECT_ID>" and "${TAG}"`},
		{"{{ .Values.image }}", `contains the unrendered template placeholder "{{ .Values.image }}"`},
		{"https://registry.example.com/app:1", "is not a valid image reference"},
		{"REGION-docker.pkg.dev/PROJECT_ID/repo/app:v1", `contains "REGION" and "PROJECT_ID", which look like unrendered placeholders`},
		{"CONTAINER_IMAGE", `contains "CONTAINER_IMAGE", which looks like an unrendered placeholder`},
		{"NGINX", `contains "NGINX", which looks like an unrendered placeholder`},
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			spec := corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: tt.image}}}
			fs := runStatic(t, "image-name-invalid", deploymentTarget(spec, nil), checks.Inventory{}, nil)
			if tt.want == "" {
				if len(fs) != 0 {
					t.Fatalf("unexpected findings %q", findingLines(fs))
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("got %d findings %q, want 1", len(fs), findingLines(fs))
			}
			if !strings.Contains(fs[0].Message, tt.want) {
				t.Errorf("message %q lacks %q", fs[0].Message, tt.want)
			}
			if fs[0].Field != c0+".image" || fs[0].Symptom != checks.InvalidImageName || fs[0].Container != "app" {
				t.Errorf("finding at %s, symptom %s, container %q", fs[0].Field, fs[0].Symptom, fs[0].Container)
			}
		})
	}
}

func TestImageNameInvalidEmpty(t *testing.T) {
	spec := corev1.PodSpec{Containers: []corev1.Container{{Name: "oauth-proxy"}, {Name: "app", Image: "nginx"}}}
	const path = "spec.template.spec.containers[0].image"
	tests := []struct {
		name string
		raw  checks.ScalarSource
		want int
	}{
		{"written empty", rawScalars{path: {Text: "", Tag: "!!str"}}, 1},
		{"written null", rawScalars{path: {Text: "", Tag: "!!null"}}, 1},
		{"key absent, as in a kustomize patch", rawScalars{}, 0},
		{"source unknown (webhook)", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := runStatic(t, "image-name-invalid", deploymentTarget(spec, tt.raw), checks.Inventory{}, nil)
			if len(fs) != tt.want {
				t.Fatalf("got %q, want %d findings", findingLines(fs), tt.want)
			}
			if tt.want == 1 && (fs[0].Field != path || !strings.HasPrefix(fs[0].Message, "image is empty")) {
				t.Errorf("finding %q", findingLines(fs))
			}
		})
	}
}

func TestImageNameInvalidAllContainerLists(t *testing.T) {
	spec := corev1.PodSpec{
		InitContainers: []corev1.Container{{Name: "init", Image: "$INIT_IMAGE"}},
		Containers:     []corev1.Container{{Name: "app", Image: "nginx"}},
		EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name: "debug", Image: "Busybox"}}},
	}
	var got []string
	for _, f := range runStatic(t, "image-name-invalid", deploymentTarget(spec, nil), checks.Inventory{}, nil) {
		got = append(got, f.Field)
	}
	want := []string{"spec.template.spec.initContainers[0].image", "spec.template.spec.ephemeralContainers[0].image"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestImagePullSecretMissingRegistries(t *testing.T) {
	cfg := checks.DefaultConfig()
	cfg.Registries = checks.Registries{
		Private:         []string{"ghcr.io", "*.registry.acme.io"},
		Public:          []string{"mirror.example.org:5000"},
		NodeCredentials: []string{"*.dkr.ecr.eu-west-1.amazonaws.com", "harbor.corp"},
	}
	unknown := checks.DefaultConfig()
	unknown.Registries.ReportUnknown = true
	tests := []struct {
		image string
		cfg   *checks.Config
		why   string // "" means not reported
	}{
		{"docker02:35000/shop/api:2.3.1", nil, "the host has a port, 35000"},
		{"10.0.0.1/team/app", nil, "the host is an IP address"},
		{"[fd00::1]:5000/app", nil, "the host has a port, 5000"},
		// Without a dot or port the first component is a Docker Hub
		// namespace, exactly as the kubelet reads it.
		{"docker02/app", nil, ""},
		{"registry.local/x", nil, "the host ends in .local"},
		{"registry.gitlab.svc.cluster.local/x", nil, "the host ends in .cluster.local"},
		{"my.registry.corp/x", nil, "the host ends in .corp"},
		{"nexus.internal/x", nil, "the host ends in .internal"},
		{"nas.lan/x", nil, "the host ends in .lan"},
		{"nginx", nil, ""},
		{"library/nginx:1.27", nil, ""},
		{"ghcr.io/x", nil, ""},
		{"quay.io/prometheus/node-exporter:v1.8.2", nil, ""},
		{"registry.k8s.io/pause:3.10", nil, ""},
		{"eu.gcr.io/project/app", nil, ""},
		{"mcr.microsoft.com/dotnet/aspnet:8.0", nil, ""},
		{"public.ecr.aws/nginx/nginx", nil, ""},
		{"localhost:5000/x", nil, ""},
		{"127.0.0.1:5000/x", nil, ""},
		{"registry.example.com/x", nil, ""},
		{"registry.example.com/x", unknown, "registry.example.com, an unknown registry (reported because registries.reportUnknown is true"},
		{"ghcr.io/x", unknown, ""},
		{"ghcr.io/acme/x", cfg, "listed as private in the configuration"},
		{"eu.registry.acme.io/x", cfg, "listed as private in the configuration"},
		{"mirror.example.org:5000/x", cfg, ""},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/app", cfg, ""},
		{"harbor.corp/x", cfg, ""},
		{"harbor.corp:8443/x", cfg, ""},
		{"Invalid Image", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			spec := corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: tt.image}}}
			fs := runStatic(t, "image-pull-secret-missing", deploymentTarget(spec, nil), checks.Inventory{}, tt.cfg)
			if tt.why == "" {
				if len(fs) != 0 {
					t.Fatalf("unexpected findings %q", findingLines(fs))
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("got %d findings %q, want 1", len(fs), findingLines(fs))
			}
			if !strings.Contains(fs[0].Message, tt.why) || fs[0].Field != c0+".image" || fs[0].Severity != checks.Warning {
				t.Errorf("finding %q lacks %q", findingLines(fs), tt.why)
			}
		})
	}
}

func TestImagePullSecretMissingServiceAccount(t *testing.T) {
	store := cluster.New()
	store.Add(cluster.ServiceAccounts, &corev1.ServiceAccount{
		ObjectMeta:       metav1.ObjectMeta{Name: "builder", Namespace: "shop"},
		ImagePullSecrets: []corev1.LocalObjectReference{{Name: "docker02-pull"}},
	})
	store.Add(cluster.ServiceAccounts, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "shop"}})
	private := "docker02:35000/shop/api:2.3.1"
	tests := []struct {
		name string
		spec corev1.PodSpec
		want string
	}{
		{"default ServiceAccount without secrets", corev1.PodSpec{}, `the pod has no imagePullSecrets and its ServiceAccount "default" has none either`},
		{"ServiceAccount with secrets", corev1.PodSpec{ServiceAccountName: "builder"}, ""},
		{"deprecated serviceAccount field", corev1.PodSpec{DeprecatedServiceAccount: "builder"}, ""},
		{"ServiceAccount not among the inputs", corev1.PodSpec{ServiceAccountName: "ci"}, `podlint does not know ServiceAccount "ci"`},
		{"pod secrets", corev1.PodSpec{ImagePullSecrets: []corev1.LocalObjectReference{{Name: "docker02-pull"}}}, ""},
		{"pull policy Never", corev1.PodSpec{}, "never"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := corev1.Container{Name: "api", Image: private}
			if tt.want == "never" {
				c.ImagePullPolicy = corev1.PullNever
				tt.want = ""
			}
			tt.spec.Containers = []corev1.Container{c}
			fs := runStatic(t, "image-pull-secret-missing", deploymentTarget(tt.spec, nil), store.Inventory(), nil)
			switch {
			case tt.want == "" && len(fs) != 0:
				t.Fatalf("unexpected findings %q", findingLines(fs))
			case tt.want != "" && (len(fs) != 1 || !strings.Contains(fs[0].Message, tt.want)):
				t.Fatalf("findings %q, want one containing %q", findingLines(fs), tt.want)
			}
		})
	}
}

func TestImagePullSecretWrongType(t *testing.T) {
	store := cluster.New()
	store.Add(cluster.Secrets, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "regcred"}, Type: corev1.SecretTypeDockerConfigJson})
	store.Add(cluster.Secrets, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "legacy"}, Type: corev1.SecretTypeDockercfg})
	store.Add(cluster.Secrets, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "registry-login"}, Type: corev1.SecretTypeOpaque})
	// An input Secret without a type: the API server makes it Opaque.
	store.AddTarget(checks.NewTarget(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "untyped"}}, "v1", "Secret"))
	// Name only: a cluster source that could not read the type.
	store.Add(cluster.Secrets, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "name-only"}})
	store.Add(cluster.ServiceAccounts, &corev1.ServiceAccount{
		ObjectMeta:       metav1.ObjectMeta{Name: "builder", Namespace: "shop"},
		ImagePullSecrets: []corev1.LocalObjectReference{{Name: "regcred"}, {Name: "registry-login"}},
	})
	refs := func(names ...string) []corev1.LocalObjectReference {
		var out []corev1.LocalObjectReference
		for _, n := range names {
			out = append(out, corev1.LocalObjectReference{Name: n})
		}
		return out
	}
	tests := []struct {
		name string
		spec corev1.PodSpec
		want []string
	}{
		{"right types", corev1.PodSpec{ImagePullSecrets: refs("regcred", "legacy")}, nil},
		{"opaque and untyped", corev1.PodSpec{ImagePullSecrets: refs("regcred", "registry-login", "untyped")}, []string{
			`error spec.template.spec.imagePullSecrets[1].name: imagePullSecret "registry-login" is a Secret of type "Opaque"; the kubelet only reads pull credentials from kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg Secrets and pulls without them`,
			`error spec.template.spec.imagePullSecrets[2].name: imagePullSecret "untyped" is a Secret of type "Opaque"; the kubelet only reads pull credentials from kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg Secrets and pulls without them`,
		}},
		{"type unknown or secret not among the inputs", corev1.PodSpec{ImagePullSecrets: refs("name-only", "elsewhere")}, nil},
		{"ServiceAccount's secret", corev1.PodSpec{ServiceAccountName: "builder"}, []string{
			`error spec.template.spec.serviceAccountName: ServiceAccount "builder" lists imagePullSecret "registry-login", a Secret of type "Opaque"; the kubelet only reads pull credentials from kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg Secrets and pulls without them`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.Containers = []corev1.Container{{Name: "api", Image: "docker02:35000/shop/api:2.3.1"}}
			got := findingLines(runStatic(t, "image-pull-secret-wrong-type", deploymentTarget(tt.spec, nil), store.Inventory(), nil))
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
	// Without a Secret lookup the check stays silent.
	spec := corev1.PodSpec{ImagePullSecrets: refs("registry-login"), Containers: []corev1.Container{{Name: "api", Image: "nginx"}}}
	if fs := runStatic(t, "image-pull-secret-wrong-type", deploymentTarget(spec, nil), checks.Inventory{}, nil); len(fs) != 0 {
		t.Errorf("unexpected findings %q", findingLines(fs))
	}
}

func TestPlaceholder(t *testing.T) {
	for s, want := range map[string]bool{
		"${CATALOG_RDS_PASSWORD}":   true,
		"$IMAGE":                    true,
		"<PROJECT_ID>":              true,
		"{{ .Values.password }}":    true,
		"REPLACE_TOKEN":             true,
		"CRT":                       true,
		"...base64 encoded data...": true,
		"Y2F0YWxvZw==":              false,
		"hello world":               false,
		"1Gi":                       false,
		"Secret":                    false,
	} {
		if got := checks.Placeholder(s); got != want {
			t.Errorf("Placeholder(%q) = %v, want %v", s, got, want)
		}
	}
}
