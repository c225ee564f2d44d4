package checks_test

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podlint/podlint/checks"
)

const c0 = "spec.template.spec.containers[0]"

func limits(kv ...string) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{Limits: resourceList(kv...)}
}

func resourceList(kv ...string) corev1.ResourceList {
	l := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		l[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return l
}

func appSpec(r corev1.ResourceRequirements) corev1.PodSpec {
	return corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27", Resources: r}}}
}

func TestQuantityChecks(t *testing.T) {
	sidecar := corev1.ContainerRestartPolicyAlways
	tests := []struct {
		name  string
		check string
		spec  corev1.PodSpec
		raw   rawScalars
		cfg   func(*checks.Config)
		want  []string
	}{
		{
			name: "milli limit as written", check: "memory-unit-milli",
			spec: appSpec(limits("memory", "1024m")),
			raw:  rawScalars{c0 + ".resources.limits[memory]": {Text: "1024m", Tag: "!!str"}},
			want: []string{`error ` + c0 + `.resources.limits[memory]: memory limit "1024m" is 1.024 bytes (m means milli); did you mean "1024Mi"?`},
		},
		{
			name: "1000m is one byte though it decodes to 1", check: "memory-unit-milli",
			spec: appSpec(limits("memory", "1000m")),
			raw:  rawScalars{c0 + ".resources.limits[memory]": {Text: "1000m", Tag: "!!str"}},
			want: []string{`error ` + c0 + `.resources.limits[memory]: memory limit "1000m" is 1 byte (m means milli); did you mean "1000Mi"?`},
		},
		{
			name: "milli without raw falls back to the quantity", check: "memory-unit-milli",
			spec: appSpec(limits("memory", "1024m")),
			want: []string{`error ` + c0 + `.resources.limits[memory]: memory limit "1024m" is 1.024 bytes (m means milli); did you mean "1024Mi"?`},
		},
		{
			name: "raw lacking the path falls back too", check: "memory-unit-milli",
			spec: appSpec(limits("memory", "512m")),
			raw:  rawScalars{},
			want: []string{`error ` + c0 + `.resources.limits[memory]: memory limit "512m" is 0.512 bytes (m means milli); did you mean "512Mi"?`},
		},
		{
			name: "ephemeral-storage request, init, sidecar and ephemeral containers", check: "memory-unit-milli",
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{
					{Name: "migrate", Resources: corev1.ResourceRequirements{Requests: resourceList("ephemeral-storage", "500m")}},
					{Name: "proxy", RestartPolicy: &sidecar, Resources: limits("memory", "64m")},
				},
				Containers: []corev1.Container{{Name: "app", Resources: limits("memory", "1Gi")}},
				EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
					Name: "debug", Resources: limits("memory", "128m")}}},
			},
			want: []string{
				`error spec.template.spec.initContainers[0].resources.requests[ephemeral-storage]: ephemeral-storage request "500m" is 0.5 bytes (m means milli); did you mean "500Mi"?`,
				`error spec.template.spec.initContainers[1].resources.limits[memory]: memory limit "64m" is 0.064 bytes (m means milli); did you mean "64Mi"?`,
				`error spec.template.spec.ephemeralContainers[0].resources.limits[memory]: memory limit "128m" is 0.128 bytes (m means milli); did you mean "128Mi"?`,
			},
		},
		{
			name: "pod-level resources and overhead", check: "memory-unit-milli",
			spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "app"}},
				Resources:  &corev1.ResourceRequirements{Limits: resourceList("memory", "2048m")},
				Overhead:   resourceList("memory", "120m", "cpu", "250m"),
			},
			want: []string{
				`error spec.template.spec.resources.limits[memory]: pod memory limit "2048m" is 2.048 bytes (m means milli); did you mean "2048Mi"?`,
				`error spec.template.spec.overhead[memory]: memory overhead "120m" is 0.12 bytes (m means milli); did you mean "120Mi"?`,
			},
		},
		{
			name: "cpu millicores are not memory", check: "memory-unit-milli",
			spec: appSpec(limits("cpu", "500m", "memory", "512Mi")),
		},
		{
			name: "YAML int", check: "memory-unit-missing",
			spec: appSpec(limits("memory", "4")),
			raw:  rawScalars{c0 + ".resources.limits[memory]": {Text: "4", Tag: "!!int"}},
			want: []string{`error ` + c0 + `.resources.limits[memory]: memory limit "4" is 4 bytes (a number without a unit means bytes); did you mean "4Gi"?`},
		},
		{
			name: "YAML string", check: "memory-unit-missing",
			spec: appSpec(corev1.ResourceRequirements{Requests: resourceList("memory", "256")}),
			raw:  rawScalars{c0 + ".resources.requests[memory]": {Text: "256", Tag: "!!str"}},
			want: []string{`error ` + c0 + `.resources.requests[memory]: memory request "256" is 256 bytes (a number without a unit means bytes); did you mean "256Mi" or "256Gi"?`},
		},
		{
			name: "decoded only: 1000m reads as 1 byte", check: "memory-unit-missing",
			spec: appSpec(limits("memory", "1000m")),
			want: []string{`error ` + c0 + `.resources.limits[memory]: memory limit "1" is 1 byte (a number without a unit means bytes); did you mean "1Gi"?`},
		},
		{
			name: "bare bytes of 1Mi and more are deliberate", check: "memory-unit-missing",
			spec: appSpec(limits("memory", "134217728")),
			raw:  rawScalars{c0 + ".resources.limits[memory]": {Text: "134217728", Tag: "!!int"}},
		},
		{
			name: "bare exponent has no suggestion", check: "memory-unit-missing",
			spec: appSpec(limits("memory", "1e3")),
			raw:  rawScalars{c0 + ".resources.limits[memory]": {Text: "1e3", Tag: "!!float"}},
			want: []string{`error ` + c0 + `.resources.limits[memory]: memory limit "1e3" is 1000 bytes (a number without a unit means bytes)`},
		},
		{
			name: "zero is explicit", check: "memory-unit-missing",
			spec: appSpec(corev1.ResourceRequirements{Requests: resourceList("memory", "0")}),
			raw:  rawScalars{c0 + ".resources.requests[memory]": {Text: "0", Tag: "!!int"}},
		},
		{
			name: "milli is not missing", check: "memory-unit-missing",
			spec: appSpec(limits("memory", "1024m")),
			raw:  rawScalars{c0 + ".resources.limits[memory]": {Text: "1024m", Tag: "!!str"}},
		},
		{
			name: "limit with unit below the minimum", check: "memory-too-small",
			spec: appSpec(limits("memory", "1M")),
			raw:  rawScalars{c0 + ".resources.limits[memory]": {Text: "1M", Tag: "!!str"}},
			want: []string{`error ` + c0 + `.resources.limits[memory]: memory limit "1M" is 1000000 bytes, below 6Mi, the smallest limit the container runtime can start a container with`},
		},
		{
			name: "not repeated on milli or bare values", check: "memory-too-small",
			spec: corev1.PodSpec{Containers: []corev1.Container{
				{Name: "a", Resources: limits("memory", "1024m")},
				{Name: "b", Resources: limits("memory", "4")},
			}},
			raw: rawScalars{
				"spec.template.spec.containers[0].resources.limits[memory]": {Text: "1024m"},
				"spec.template.spec.containers[1].resources.limits[memory]": {Text: "4", Tag: "!!int"},
			},
		},
		{
			name: "bare number above 1Mi but below the minimum", check: "memory-too-small",
			spec: appSpec(limits("memory", "2000000")),
			raw:  rawScalars{c0 + ".resources.limits[memory]": {Text: "2000000", Tag: "!!int"}},
			want: []string{`error ` + c0 + `.resources.limits[memory]: memory limit "2000000" is 2000000 bytes, below 6Mi, the smallest limit the container runtime can start a container with`},
		},
		{
			name: "requests and the minimum itself are fine", check: "memory-too-small",
			spec: appSpec(corev1.ResourceRequirements{Requests: resourceList("memory", "1Mi"), Limits: resourceList("memory", "6Mi")}),
		},
		{
			name: "configured minimum", check: "memory-too-small",
			spec: appSpec(limits("memory", "8Mi")),
			cfg:  func(c *checks.Config) { c.MemoryMinimum = resource.MustParse("16Mi") },
			want: []string{`error ` + c0 + `.resources.limits[memory]: memory limit "8Mi" is 8388608 bytes, below 16Mi, the smallest limit the container runtime can start a container with`},
		},
		{
			name: "pod-level limit too small", check: "memory-too-small",
			spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app"}}, Resources: &corev1.ResourceRequirements{Limits: resourceList("memory", "4Ki")}},
			want: []string{`error spec.template.spec.resources.limits[memory]: pod memory limit "4Ki" is 4096 bytes, below 6Mi, the smallest limit the container runtime can start a container with`},
		},
		{
			name: "bare cpu in cores", check: "cpu-unit-missing",
			spec: appSpec(corev1.ResourceRequirements{Requests: resourceList("cpu", "500")}),
			raw:  rawScalars{c0 + ".resources.requests[cpu]": {Text: "500", Tag: "!!int"}},
			want: []string{`warning ` + c0 + `.resources.requests[cpu]: cpu request "500" is 500 cores (a number without a unit means cores); did you mean "500m"?`},
		},
		{
			name: "bare cpu as a string, decoded only", check: "cpu-unit-missing",
			spec: appSpec(limits("cpu", "250")),
			want: []string{`warning ` + c0 + `.resources.limits[cpu]: cpu limit "250" is 250 cores (a number without a unit means cores); did you mean "250m"?`},
		},
		{
			name: "real core counts and millicores pass", check: "cpu-unit-missing",
			spec: appSpec(corev1.ResourceRequirements{Requests: resourceList("cpu", "32"), Limits: resourceList("cpu", "500m")}),
			raw: rawScalars{
				c0 + ".resources.requests[cpu]": {Text: "32", Tag: "!!str"},
				c0 + ".resources.limits[cpu]":   {Text: "500m", Tag: "!!str"},
			},
		},
		{
			name: "1000m is not bare", check: "cpu-unit-missing",
			spec: appSpec(limits("cpu", "100000m")),
			raw:  rawScalars{c0 + ".resources.limits[cpu]": {Text: "100000m"}},
		},
		{
			name: "configured maximum", check: "cpu-unit-missing",
			spec: appSpec(limits("cpu", "32")),
			cfg:  func(c *checks.Config) { c.CPUBareMaximum = 16 },
			want: []string{`warning ` + c0 + `.resources.limits[cpu]: cpu limit "32" is 32 cores (a number without a unit means cores); did you mean "32m"?`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := checks.DefaultConfig()
			if tt.cfg != nil {
				tt.cfg(cfg)
			}
			var raw checks.ScalarSource
			if tt.raw != nil {
				raw = tt.raw
			}
			got := findingLines(runStatic(t, tt.check, deploymentTarget(tt.spec, raw), checks.Inventory{}, cfg))
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
