package checks

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// memoryValuesKey is the Pass.Shared key of memoryValues.
type memoryValuesKey struct{}

// memoryValues lists the memory and ephemeral-storage quantities of the
// target, computed once for the memory checks (each value's text as
// written is a lookup in Raw); read-only.
func memoryValues(p *Pass) []quantityValue {
	return p.Shared(memoryValuesKey{}, func() any {
		return resourceValues(p.Target, corev1.ResourceMemory, corev1.ResourceEphemeralStorage)
	}).([]quantityValue)
}

// milliMemory tells whether memory-unit-milli reports v.
func milliMemory(v quantityValue) (num string, ok bool) {
	form, num := classify(v.Text)
	return num, form == formMilli && v.Q.Sign() > 0
}

// bareMemory tells whether memory-unit-missing reports v.
func bareMemory(v quantityValue) bool {
	form, _ := classify(v.Text)
	return form == formBare && v.Q.Sign() > 0 && v.Q.Cmp(*resource.NewQuantity(1<<20, resource.BinarySI)) < 0
}

func memoryUnitMilli() *Check {
	return &Check{
		ID:       "memory-unit-milli",
		Title:    "Memory written with the milli suffix m",
		Severity: Error,
		Symptom:  ContainerCreating,
		Description: `A memory or ephemeral-storage quantity ends in a lower-case "m", which Kubernetes reads as milli (one thousandth), not mega: "1024m" is 1.024 bytes and "1000m" is exactly 1 byte. ` +
			`The API server accepts these values without a word because they are valid quantities. ` +
			`With such a limit the kubelet cannot create the pod's cgroup or the runtime refuses to start the container (minimum memory limit), so the pod stays in ContainerCreating with FailedCreatePodSandBox or RunContainerError events; ` +
			`with such a request the scheduler reserves no memory for the pod. ` +
			`The check covers container and init, sidecar and ephemeral container requests and limits, pod-level spec.resources and spec.overhead.`,
		Remediation: `Use a binary unit such as Mi or Gi ("1024Mi", "1Gi"); "M" (mega) also works, "m" never does for memory.`,
		Bad: `resources:
  limits:
    memory: 1024m`,
		Good: `resources:
  limits:
    memory: 1024Mi`,
		Run: func(p *Pass) {
			for _, v := range memoryValues(p) {
				num, ok := milliMemory(v)
				if !ok {
					continue
				}
				p.Report(v.Path, v.Container, "%s %q is %s (m means milli); did you mean %q?",
					v.What, v.Text, bytesString(v.Q), num+"Mi")
			}
		},
	}
}

func memoryUnitMissing() *Check {
	return &Check{
		ID:       "memory-unit-missing",
		Title:    "Memory written as a bare number of bytes",
		Severity: Error,
		Symptom:  ContainerCreating,
		Description: `A memory or ephemeral-storage quantity without a unit counts bytes: "memory: 4" is 4 bytes, whether YAML holds the number 4 or the string "4". ` +
			`Values below 1Mi are never meant. As a limit, the kubelet cannot create the pod's cgroup or the runtime refuses to start the container, so the pod stays in ContainerCreating (FailedCreatePodSandBox or RunContainerError); ` +
			`as a request, the scheduler reserves nothing for the pod. ` +
			`The suggestion follows one rule: for a plain number n, podlint names n Mi and n Gi, leaving out a reading below the memory minimum (` + defaultMemoryMinimum + ` by default), which no container starts with: "4" suggests "4Gi"; "64" and "512" suggest "64Mi" or "64Gi" and "512Mi" or "512Gi". Numbers with an exponent get no suggestion.`,
		Remediation: `Add the unit you meant, usually Gi or Mi ("4Gi", "512Mi").`,
		Bad: `resources:
  limits:
    memory: 4`,
		Good: `resources:
  limits:
    memory: 4Gi`,
		Run: func(p *Pass) {
			minimum := memoryMinimum(p.Config)
			for _, v := range memoryValues(p) {
				if !bareMemory(v) {
					continue
				}
				suggestion := ""
				if s := bareMemorySuggestions(v.Text, minimum); len(s) > 0 {
					suggestion = "; did you mean " + strings.Join(s, " or ") + "?"
				}
				p.Report(v.Path, v.Container, "%s %q is %s (a number without a unit means bytes)%s",
					v.What, v.Text, bytesString(v.Q), suggestion)
			}
		},
	}
}

func memoryTooSmall() *Check {
	return &Check{
		ID:       "memory-too-small",
		Title:    "Memory limit below the container runtime's minimum",
		Severity: Error,
		Symptom:  ContainerCreating,
		Description: `A memory limit smaller than the container runtime can start a container with (` + defaultMemoryMinimum + ` by default, configurable as the memory minimum). ` +
			`The kubelet writes the limit into the pod and container cgroups; the sandbox or the container process is killed or refused before it runs, so the pod stays in ContainerCreating with FailedCreatePodSandBox or RunContainerError events. ` +
			`Values already reported by memory-unit-milli or memory-unit-missing are not repeated here.`,
		Remediation: `Raise the memory limit to what the application needs, at least the configured minimum.`,
		Bad: `resources:
  limits:
    memory: 1Mi`,
		Good: `resources:
  limits:
    memory: 128Mi`,
		Run: func(p *Pass) {
			minimum := memoryMinimum(p.Config)
			for _, v := range memoryValues(p) {
				if v.Name != corev1.ResourceMemory || !v.Limit || v.Q.Sign() <= 0 || v.Q.Cmp(minimum) >= 0 {
					continue
				}
				if _, milli := milliMemory(v); milli || bareMemory(v) {
					continue
				}
				p.Report(v.Path, v.Container, "%s %q is %s, below %s, the smallest limit the container runtime can start a container with",
					v.What, v.Text, bytesString(v.Q), minimum.String())
			}
		},
	}
}

// memoryMinimum is the configured memory minimum, or its default.
func memoryMinimum(cfg *Config) resource.Quantity {
	if cfg != nil && cfg.MemoryMinimum.Sign() > 0 {
		return cfg.MemoryMinimum
	}
	return resource.MustParse(defaultMemoryMinimum)
}

// bareMemorySuggestions is memory-unit-missing's one rule: a plain number
// n reads as n Mi or n Gi, and a reading below the memory minimum is left
// out because no container starts with it. Quoted, Mi first.
func bareMemorySuggestions(text string, minimum resource.Quantity) []string {
	if !isDecimal(text, false) {
		return nil
	}
	var out []string
	for _, unit := range []string{"Mi", "Gi"} {
		q, err := resource.ParseQuantity(text + unit)
		if err != nil || q.Cmp(minimum) < 0 {
			continue
		}
		out = append(out, strconv.Quote(text+unit))
	}
	return out
}

func bytesString(q resource.Quantity) string {
	if s := decimalString(q); s != "1" {
		return s + " bytes"
	}
	return "1 byte"
}
