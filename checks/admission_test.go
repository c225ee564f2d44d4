package checks_test

import (
	"testing"

	"github.com/podlint/podlint/checks"
)

func TestLimitRangeViolation(t *testing.T) {
	b := "spec.template.spec."
	lr := func(items string) string {
		return "apiVersion: v1\nkind: LimitRange\nmetadata: {name: limits, namespace: shop}\nspec:\n  limits:\n" + indent(items, "  ")
	}
	runClusterCases(t, "limit-range-violation", []clusterCase{
		{
			name:     "limit above max",
			cluster:  lr("- type: Container\n  max: {memory: 1Gi}\n"),
			workload: deploy("containers:\n- name: app\n  image: nginx\n  resources: {limits: {memory: 2Gi}}\n"),
			want:     []string{b + "containers[0].resources.limits[memory]: maximum memory usage per Container is 1Gi, but limit is 2Gi (LimitRange \"limits\"); every pod the controller creates is refused (FailedCreate)"},
		},
		{
			name:     "request below min (request defaulted from the limit)",
			cluster:  lr("- type: Container\n  min: {cpu: 200m}\n"),
			workload: deploy("containers:\n- name: app\n  image: nginx\n  resources: {limits: {cpu: 100m}}\n"),
			want:     []string{b + "containers[0].resources.requests[cpu]: minimum cpu usage per Container is 200m, but request is 100m"},
		},
		{
			name:     "min gives the default request: no finding",
			cluster:  lr("- type: Container\n  min: {cpu: 200m}\n"),
			workload: deploy(app),
		},
		{
			name: "container defaults add up past the Pod max",
			cluster: lr("- type: Container\n  default: {memory: 2Gi}\n  defaultRequest: {memory: 256Mi}\n") + "---\n" +
				"apiVersion: v1\nkind: LimitRange\nmetadata: {name: caps, namespace: shop}\nspec:\n  limits:\n  - type: Pod\n    max: {memory: 3Gi}\n",
			workload: deploy(app + "- name: sidecar\n  image: envoy\n"),
			want:     []string{"spec.template.spec: maximum memory usage per Pod is 3Gi, but limit is 4Gi (LimitRange \"caps\")"},
		},
		{
			name:     "a defaulted limit is named as such",
			cluster:  lr("- type: Container\n  default: {cpu: \"2\"}\n  defaultRequest: {cpu: 100m}\n  maxLimitRequestRatio: {cpu: \"4\"}\n"),
			workload: deploy(app),
			want:     []string{"spec.template.spec.containers[0].resources.limits[cpu]: cpu max limit to request ratio per Container is 4, but provided ratio is 20.000000 (the limit was set by LimitRange \"limits\"'s default) (LimitRange \"limits\")"},
		},
		{
			name:     "limit to request ratio",
			cluster:  lr("- type: Container\n  maxLimitRequestRatio: {cpu: \"2\"}\n"),
			workload: deploy("containers:\n- name: app\n  image: nginx\n  resources: {requests: {cpu: 100m}, limits: {cpu: \"1\"}}\n"),
			want:     []string{b + "containers[0].resources.limits[cpu]: cpu max limit to request ratio per Container is 2, but provided ratio is 10.000000"},
		},
		{
			name:    "pod total above the Pod max",
			cluster: lr("- type: Pod\n  max: {cpu: \"1\"}\n"),
			workload: deploy(`containers:
- {name: a, image: x, resources: {limits: {cpu: 600m}}}
- {name: b, image: x, resources: {limits: {cpu: 600m}}}
`),
			want: []string{"spec.template.spec: maximum cpu usage per Pod is 1, but limit is 1200m"},
		},
		{
			name:     "within bounds",
			cluster:  lr("- type: Container\n  max: {memory: 1Gi}\n  min: {memory: 64Mi}\n"),
			workload: deploy("containers:\n- name: app\n  image: nginx\n  resources: {requests: {memory: 128Mi}, limits: {memory: 512Mi}}\n"),
		},
		{
			name:     "LimitRanges unknown: silent",
			cluster:  nothingKnown,
			workload: deploy("containers:\n- name: app\n  image: nginx\n  resources: {limits: {memory: 200Gi}}\n"),
		},
	})
}

func TestResourceQuotaViolation(t *testing.T) {
	b := "spec.template.spec."
	quota := func(name, spec string) string {
		return "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: " + name + ", namespace: shop}\nspec:\n" + indent(spec, "  ")
	}
	runClusterCases(t, "resource-quota-violation", []clusterCase{
		{
			name:     "quota on limits, containers without limits",
			cluster:  quota("compute", "hard: {limits.cpu: \"4\", limits.memory: 8Gi, requests.cpu: \"2\"}"),
			workload: deploy("containers:\n- name: app\n  image: nginx\n  resources: {requests: {cpu: 100m}}\n- name: log\n  image: fluentbit\n"),
			want:     []string{b + "containers[0].resources: failed quota: compute: must specify limits.cpu for: app,log; limits.memory for: app,log; requests.cpu for: log; every pod the controller creates is refused (FailedCreate)"},
		},
		{
			name: "LimitRange defaults satisfy the quota",
			cluster: quota("compute", "hard: {limits.cpu: \"4\", limits.memory: 8Gi}") + "---\n" +
				"apiVersion: v1\nkind: LimitRange\nmetadata: {name: defaults, namespace: shop}\nspec:\n  limits:\n  - type: Container\n    default: {cpu: 500m, memory: 512Mi}\n",
			workload: deploy(app),
		},
		{
			name:     "one pod over the hard memory",
			cluster:  quota("small", "hard: {requests.memory: 1Gi}"),
			workload: deploy("containers:\n- name: app\n  image: nginx\n  resources: {requests: {memory: 2Gi}}\n"),
			want:     []string{b + "containers[0].resources.requests[memory]: exceeded quota: small, requested: requests.memory=2Gi, used: requests.memory=0, limited: requests.memory=1Gi; one pod alone is over the hard limit"},
		},
		{
			name:     "no pods allowed",
			cluster:  quota("frozen", "hard: {pods: \"0\"}"),
			workload: deploy(app),
			want:     []string{"spec.template.spec: exceeded quota: frozen, requested: pods=1, used: pods=0, limited: pods=0"},
		},
		{
			name:     "GPU quota",
			cluster:  quota("gpus", "hard: {requests.nvidia.com/gpu: \"1\"}"),
			workload: deploy("containers:\n- name: t\n  image: x\n  resources: {limits: {nvidia.com/gpu: 2}}\n"),
			want:     []string{b + "containers[0].resources.limits[nvidia.com/gpu]: exceeded quota: gpus, requested: requests.nvidia.com/gpu=2"},
		},
		{
			name:     "BestEffort-scoped quota does not apply to a pod with requests",
			cluster:  quota("be", "hard: {pods: \"0\"}\nscopes: [BestEffort]"),
			workload: deploy("containers:\n- name: app\n  image: nginx\n  resources: {requests: {cpu: 100m}}\n"),
		},
		{
			name:     "BestEffort-scoped quota applies to a pod without",
			cluster:  quota("be", "hard: {pods: \"0\"}\nscopes: [BestEffort]"),
			workload: deploy(app),
			want:     []string{"spec.template.spec: exceeded quota: be"},
		},
		{
			name:     "scope podlint cannot evaluate: skipped",
			cluster:  quota("xns", "hard: {pods: \"0\"}\nscopes: [CrossNamespacePodAffinity]"),
			workload: deploy(app),
		},
		{
			name:     "quotas unknown: silent",
			cluster:  nothingKnown,
			workload: deploy(app),
		},
	})
}

func TestPodSecurityViolation(t *testing.T) {
	ns := func(labels string) string {
		return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {" + labels + "}\n"
	}
	restrictedOK := `securityContext:
  runAsNonRoot: true
  seccompProfile: {type: RuntimeDefault}
containers:
- name: app
  image: nginx-unprivileged
  securityContext:
    allowPrivilegeEscalation: false
    capabilities: {drop: [ALL]}
`
	runClusterCases(t, "pod-security-violation", []clusterCase{
		{
			name:     "restricted namespace refuses a plain pod",
			cluster:  ns("pod-security.kubernetes.io/enforce: restricted"),
			workload: deploy(app),
			want: []string{`spec.template.spec: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), ` +
				`unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), ` +
				`seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost") (namespace "shop" label pod-security.kubernetes.io/enforce); every pod the controller creates is refused (FailedCreate)`},
			severity: "error",
		},
		{
			name:     "restricted namespace, compliant pod",
			cluster:  ns("pod-security.kubernetes.io/enforce: restricted"),
			workload: deploy(restrictedOK),
		},
		{
			name:     "baseline refuses hostNetwork",
			cluster:  ns("pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/enforce-version: v1.30"),
			workload: deploy("hostNetwork: true\n" + app),
			want:     []string{`spec.template.spec: violates PodSecurity "baseline:v1.30": host namespaces (hostNetwork=true)`},
		},
		{
			name:     "warn label gives a warning",
			cluster:  ns("pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/warn: restricted"),
			workload: deploy(app),
			want:     []string{`spec.template.spec: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false`},
			severity: "warning",
		},
		{
			name:     "privileged namespace",
			cluster:  ns("pod-security.kubernetes.io/enforce: privileged"),
			workload: deploy("hostNetwork: true\ncontainers: [{name: app, image: x, securityContext: {privileged: true}}]\n"),
		},
		{
			name:     "namespace unknown: silent",
			cluster:  nothingKnown,
			workload: deploy(app),
		},
	})
}

func BenchmarkPodSecurityViolation(b *testing.B) {
	st := clusterStore(b, "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: restricted}}\n")
	target := workload(b, deploy(app))
	e := &checks.Engine{Checks: []*checks.Check{checks.Lookup("pod-security-violation")}, Config: checks.DefaultConfig()}
	inv := st.Inventory()
	for b.Loop() {
		if len(e.RunTarget(target, inv).Findings) != 1 {
			b.Fatal("want one finding")
		}
	}
}
