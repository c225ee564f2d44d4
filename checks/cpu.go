package checks

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func cpuUnitMissing() *Check {
	return &Check{
		ID:       "cpu-unit-missing",
		Title:    "CPU written as a bare number of cores",
		Severity: Warning,
		Symptom:  Pending,
		Description: `A cpu quantity without a unit counts whole cores: "cpu: 500" asks for 500 cores, where "500m" (half a core) was almost certainly meant. ` +
			`No node has that many cores, so a request this large (or a limit, which becomes the request when none is given) keeps the pod Pending with FailedScheduling "Insufficient cpu". ` +
			`Only bare numbers at or above the configured maximum (100 cores by default) are reported, because real jobs do ask for "cpu: 32".`,
		Remediation: `Write millicores with the m suffix ("500m"), or raise the configured bare-cpu maximum if the workload really needs that many cores.`,
		Bad: `resources:
  requests:
    cpu: 500`,
		Good: `resources:
  requests:
    cpu: 500m`,
		Run: func(p *Pass) {
			maximum := int64(100)
			if p.Config != nil && p.Config.CPUBareMaximum > 0 {
				maximum = p.Config.CPUBareMaximum
			}
			limit := resource.NewQuantity(maximum, resource.DecimalSI)
			for _, v := range resourceValues(p.Target, corev1.ResourceCPU) {
				if form, _ := classify(v.Text); form != formBare || v.Q.Cmp(*limit) < 0 {
					continue
				}
				suggestion := ""
				if isDecimal(v.Text, false) {
					suggestion = `; did you mean "` + v.Text + `m"?`
				}
				p.Report(v.Path, v.Container, "%s %q is %s cores (a number without a unit means cores)%s",
					v.What, v.Text, decimalString(v.Q), suggestion)
			}
		},
	}
}
