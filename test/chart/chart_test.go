package chart

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/podlint/podlint/lint/cli"
)

const ns = "podlint-system"

func TestDefaultsRenderTheKustomizeBase(t *testing.T) {
	sameObjects(t, helmTemplate(t), kustomize(t, "manifests"))
}

func TestCertManagerRendersTheOverlay(t *testing.T) {
	sameObjects(t, helmTemplate(t, "--set", "certMode=cert-manager"), kustomize(t, "manifests/overlays/cert-manager"))
}

// lookup walks a JSON-shaped object: strings are map keys, ints list
// indexes.
func lookup(t *testing.T, o any, path ...any) any {
	t.Helper()
	cur := o
	for i, p := range path {
		switch p := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("%v: not a map at %v", path, path[:i])
			}
			cur = m[p]
		case int:
			l, ok := cur.([]any)
			if !ok || p >= len(l) {
				t.Fatalf("%v: no item %d at %v", path, p, path[:i])
			}
			cur = l[p]
		}
	}
	return cur
}

const (
	deployment = "apps/v1 Deployment " + ns + "/podlint-webhook"
	pdb        = "policy/v1 PodDisruptionBudget " + ns + "/podlint-webhook"
	vwc        = "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration <nil>/podlint"
	configMap  = "v1 ConfigMap " + ns + "/podlint-config"
	namespace  = "v1 Namespace <nil>/" + ns
)

func container(t *testing.T, r *rendering) any {
	return lookup(t, r.get(t, deployment), "spec", "template", "spec", "containers", 0)
}

func args(t *testing.T, r *rendering) []string {
	var out []string
	for _, a := range lookup(t, container(t, r), "args").([]any) {
		out = append(out, a.(string))
	}
	return out
}

// TestValues sets each value the chart documents and checks that it lands
// where it should.
func TestValues(t *testing.T) {
	config := filepath.Join(t.TempDir(), "podlint.yaml")
	const configText = "checks:\n  disable: [cpu-unit-missing]\nregistries:\n  private: [registry.example.com]\n"
	if err := os.WriteFile(config, []byte(configText), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		flags []string
		check func(t *testing.T, r *rendering)
	}{
		{"replicas", []string{"--set", "replicas=3"}, func(t *testing.T, r *rendering) {
			if got := lookup(t, r.get(t, deployment), "spec", "replicas"); got != 3.0 {
				t.Errorf("replicas = %v", got)
			}
			r.get(t, pdb)
		}},
		{"one replica has no PodDisruptionBudget", []string{"--set", "replicas=1"}, func(t *testing.T, r *rendering) {
			if _, ok := r.objects[pdb]; ok {
				t.Error("a PodDisruptionBudget with minAvailable 1 of 1 replica blocks every drain")
			}
		}},
		{"resources", []string{"--set", "resources.limits.memory=512Mi", "--set", "resources.requests.cpu=200m"}, func(t *testing.T, r *rendering) {
			res := lookup(t, container(t, r), "resources")
			if lookup(t, res, "limits", "memory") != "512Mi" || lookup(t, res, "requests", "cpu") != "200m" || lookup(t, res, "limits", "cpu") != "1" {
				t.Errorf("resources = %v", res)
			}
		}},
		{"mode warn", []string{"--set", "mode=warn"}, func(t *testing.T, r *rendering) {
			if a := args(t, r); !slices.Contains(a, "--mode=warn") {
				t.Errorf("args = %q, want --mode=warn", a)
			}
		}},
		{"mode enforce is the binary's default and adds no flag", nil, func(t *testing.T, r *rendering) {
			for _, a := range args(t, r) {
				if strings.HasPrefix(a, "--mode") {
					t.Errorf("args hold %q", a)
				}
			}
		}},
		{"config from a file", []string{"--set-file", "config=" + config}, func(t *testing.T, r *rendering) {
			if got := lookup(t, r.get(t, configMap), "data", ".podlint.yaml"); got != configText {
				t.Errorf(".podlint.yaml = %q, want %q", got, configText)
			}
		}},
		{"image", []string{"--set", "image.repository=registry.example.com/podlint-webhook", "--set", "image.tag=v9.8.7", "--set", "image.pullPolicy=Always"}, func(t *testing.T, r *rendering) {
			c := container(t, r)
			if lookup(t, c, "image") != "registry.example.com/podlint-webhook:v9.8.7" || lookup(t, c, "imagePullPolicy") != "Always" {
				t.Errorf("image %v, pull policy %v", lookup(t, c, "image"), lookup(t, c, "imagePullPolicy"))
			}
		}},
		{"image by digest", []string{"--set", "image.digest=sha256:" + strings.Repeat("ab", 32)}, func(t *testing.T, r *rendering) {
			if got := lookup(t, container(t, r), "image"); got != "ghcr.io/podlint/podlint-webhook@sha256:"+strings.Repeat("ab", 32) {
				t.Errorf("image = %v", got)
			}
		}},
		{"namespace exclusions keep podlint's own", []string{"--set", "excludeNamespaces={kube-system,legacy}"}, func(t *testing.T, r *rendering) {
			for i := range 2 {
				got := lookup(t, r.get(t, vwc), "webhooks", i, "namespaceSelector", "matchExpressions", 0, "values")
				want := []any{"kube-system", "legacy", ns}
				if !slices.Equal(got.([]any), want) {
					t.Errorf("webhook %d excludes %v, want %v", i, got, want)
				}
			}
		}},
		{"another, existing namespace", []string{"--set", "namespace.name=lint", "--set", "namespace.create=false", "--set", "certMode=cert-manager"}, func(t *testing.T, r *rendering) {
			for k, o := range r.objects {
				if strings.Contains(k, " Namespace ") {
					t.Errorf("rendered %s with namespace.create=false", k)
				}
				if m := o["metadata"].(map[string]any); m["namespace"] != nil && m["namespace"] != "lint" {
					t.Errorf("%s is in namespace %v", k, m["namespace"])
				}
			}
			w := r.get(t, vwc)
			if got := lookup(t, w, "webhooks", 0, "clientConfig", "service", "namespace"); got != "lint" {
				t.Errorf("webhook service namespace = %v", got)
			}
			if got := lookup(t, w, "webhooks", 1, "namespaceSelector", "matchExpressions", 0, "values"); !slices.Contains(got.([]any), any("lint")) {
				t.Errorf("webhook does not leave out its own namespace: %v", got)
			}
			if got := lookup(t, w, "metadata", "annotations", "cert-manager.io/inject-ca-from"); got != "lint/podlint-webhook-cert" {
				t.Errorf("inject-ca-from = %v", got)
			}
			cert := r.get(t, "cert-manager.io/v1 Certificate lint/podlint-webhook-cert")
			if got := lookup(t, cert, "spec", "dnsNames", 2); got != "podlint-webhook.lint.svc" {
				t.Errorf("certificate DNS name = %v", got)
			}
			for _, s := range lookup(t, r.get(t, "rbac.authorization.k8s.io/v1 ClusterRoleBinding <nil>/podlint-webhook"), "subjects").([]any) {
				if lookup(t, s, "namespace") != "lint" {
					t.Errorf("ClusterRoleBinding subject %v", s)
				}
			}
		}},
		{"cert-manager with an existing issuer", []string{"--set", "certMode=cert-manager", "--set", "certManager.issuerRef.kind=ClusterIssuer", "--set", "certManager.issuerRef.name=corp-ca"}, func(t *testing.T, r *rendering) {
			if _, ok := r.objects["cert-manager.io/v1 Issuer "+ns+"/podlint-selfsigned"]; ok {
				t.Error("self-signed Issuer rendered although issuerRef is set")
			}
			cert := r.get(t, "cert-manager.io/v1 Certificate "+ns+"/podlint-webhook-cert")
			if lookup(t, cert, "spec", "issuerRef", "kind") != "ClusterIssuer" || lookup(t, cert, "spec", "issuerRef", "name") != "corp-ca" {
				t.Errorf("issuerRef = %v", lookup(t, cert, "spec", "issuerRef"))
			}
		}},
		{"scheduling and extra args", []string{"--set", "nodeSelector.pool=system", "--set", "tolerations[0].key=dedicated,tolerations[0].operator=Exists", "--set", "extraArgs={--timeout=1s}", "--set", "commonLabels.team=platform"}, func(t *testing.T, r *rendering) {
			spec := lookup(t, r.get(t, deployment), "spec", "template", "spec")
			if lookup(t, spec, "nodeSelector", "pool") != "system" || lookup(t, spec, "tolerations", 0, "key") != "dedicated" {
				t.Errorf("pod spec = %v", spec)
			}
			if a := args(t, r); a[len(a)-1] != "--timeout=1s" {
				t.Errorf("args = %q", a)
			}
			for k, o := range r.objects {
				if lookup(t, o, "metadata", "labels", "team") != "platform" {
					t.Errorf("%s lacks the common label", k)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, helmTemplate(t, tt.flags...))
		})
	}
}

// TestSchemaRefusesBadValues: values.schema.json stops a typo before it
// reaches the cluster.
func TestSchemaRefusesBadValues(t *testing.T) {
	tests := []struct {
		set, want string
	}{
		{"mode=block", "mode"},
		{"certMode=manual", "certMode"},
		{"replicas=0", "replicas"},
		{"replica=3", "replica"},
		{"image.digest=latest", "digest"},
		{"namespace.name=Podlint_System", "namespace"},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			_, err := helmRun(t, "--set", tt.set)
			if err == nil {
				t.Fatalf("helm template --set %s succeeded", tt.set)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "schema") {
				t.Errorf("error does not name %q and the schema: %v", tt.want, err)
			}
		})
	}
}

// TestHelmLint runs helm's own checks in strict mode.
func TestHelmLint(t *testing.T) {
	helm := helmBinary(t)
	for _, set := range []string{"certMode=self", "certMode=cert-manager"} {
		home := t.TempDir()
		cmd := exec.CommandContext(t.Context(), helm, "lint", "--strict", "--kube-version", kubeVersion, chartDir(t), "--set", set)
		cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+home, "HELM_CONFIG_HOME="+home, "HELM_DATA_HOME="+home)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("helm lint --strict --set %s: %v\n%s", set, err, out)
		}
	}
}

// TestPodlintFindsNothing lints the rendered chart the way the README says
// users lint theirs: helm template | podlint -.
func TestPodlintFindsNothing(t *testing.T) {
	for _, flags := range [][]string{
		nil,
		{"--set", "certMode=cert-manager"},
		{"--set", "replicas=1", "--set", "mode=warn", "--set", "namespace.name=lint"},
	} {
		r := helmTemplate(t, flags...)
		var stdout, stderr bytes.Buffer
		code := cli.Main(t.Context(), []string{"--fail-on", "info", "-o", "json", "-"}, bytes.NewReader(r.raw), &stdout, &stderr)
		var report struct {
			Findings []any `json:"findings"`
			Errors   []any `json:"errors"`
			Summary  struct {
				Objects int `json:"objects"`
				Skipped int `json:"skipped"`
			} `json:"summary"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
			t.Fatalf("podlint -o json: %v\n%s%s", err, stdout.String(), stderr.String())
		}
		// Every object was read, only cert-manager's skipped as kinds
		// podlint does not know, and none has a finding.
		foreign := 0
		for k := range r.objects {
			if strings.HasPrefix(k, "cert-manager.io/") {
				foreign++
			}
		}
		if code != 0 || len(report.Findings) != 0 || len(report.Errors) != 0 ||
			report.Summary.Objects != len(r.objects) || report.Summary.Skipped != foreign {
			t.Errorf("podlint on helm template %q: exit %d, %d objects read of %d, %d skipped of %d\n%s%s",
				flags, code, report.Summary.Objects, len(r.objects), report.Summary.Skipped, foreign, stdout.String(), stderr.String())
		}
	}
}
