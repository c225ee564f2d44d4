package checks

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// probeUse is one place a container refers to a port by name, with what
// the kubelet does when it cannot resolve it.
type probeUse struct {
	what    string
	port    intstr.IntOrString
	path    *field.Path
	outcome string
	// lenient marks handlers whose failure does not keep a pod stuck.
	lenient bool
}

func probeUses(c *corev1.Container, path *field.Path) []probeUse {
	var out []probeUse
	addHandler := func(what string, hp *field.Path, httpGet *corev1.HTTPGetAction, tcp *corev1.TCPSocketAction, outcome string, lenient bool) {
		if httpGet != nil {
			out = append(out, probeUse{what, httpGet.Port, hp.Child("httpGet", "port"), outcome, lenient})
		}
		if tcp != nil {
			out = append(out, probeUse{what, tcp.Port, hp.Child("tcpSocket", "port"), outcome, lenient})
		}
	}
	probe := func(what string, pr *corev1.Probe, outcome string) {
		if pr != nil {
			addHandler(what, path.Child(what), pr.HTTPGet, pr.TCPSocket, outcome, false)
		}
	}
	probe("livenessProbe", c.LivenessProbe, "the probe fails every time and the kubelet keeps restarting the container (CrashLoopBackOff)")
	probe("startupProbe", c.StartupProbe, "the probe fails every time and the kubelet keeps restarting the container (CrashLoopBackOff)")
	probe("readinessProbe", c.ReadinessProbe, "the probe fails every time and the pod never becomes Ready, so it gets no Service traffic and rollouts stall")
	if lc := c.Lifecycle; lc != nil {
		lp := path.Child("lifecycle")
		if h := lc.PostStart; h != nil {
			addHandler("postStart", lp.Child("postStart"), h.HTTPGet, h.TCPSocket, "the hook fails and the kubelet kills the container (FailedPostStartHook, CrashLoopBackOff)", false)
		}
		if h := lc.PreStop; h != nil {
			addHandler("preStop", lp.Child("preStop"), h.HTTPGet, h.TCPSocket, "the hook fails at every shutdown and the container gets no graceful stop (FailedPreStopHook)", true)
		}
	}
	return out
}

func probePortUndefined() *Check {
	return &Check{
		ID:       "probe-port-undefined",
		Title:    "Probe or lifecycle hook refers to an undeclared named port",
		Severity: Error,
		Symptom:  CrashLoopBackOff,
		Description: `An httpGet or tcpSocket probe or lifecycle handler may name its port ("port: http"); the kubelet resolves the name against the same container's ports[].name only (a numeric string also works). ` +
			`When no port of that container has the name, the handler fails with "couldn't find port" on every attempt: a failing liveness or startup probe makes the kubelet restart the container over and over (CrashLoopBackOff), ` +
			`a failing readiness probe keeps the pod out of Ready (no traffic, a stalled rollout), a failing postStart hook kills the container, and a failing preStop hook (reported as a warning) skips the graceful shutdown. ` +
			`The API server accepts all of these, because the name itself is well-formed.`,
		Remediation: `Declare the port with that name under the container's ports, or refer to the port by number.`,
		Bad: `ports:
- containerPort: 8080
  name: web
livenessProbe:
  httpGet:
    path: /healthz
    port: http`,
		Good: `ports:
- containerPort: 8080
  name: http
livenessProbe:
  httpGet:
    path: /healthz
    port: http`,
		Run: func(p *Pass) {
			for _, c := range p.Target.Containers() {
				names := map[string]bool{}
				for _, port := range c.Container.Ports {
					if port.Name != "" {
						names[port.Name] = true
					}
				}
				for _, u := range probeUses(c.Container, c.Path) {
					if u.port.Type != intstr.String || u.port.StrVal == "" || names[u.port.StrVal] {
						continue
					}
					if _, err := strconv.Atoi(u.port.StrVal); err == nil {
						continue
					}
					sev := p.check.Severity
					if u.lenient {
						sev = Warning
					}
					declared := "declares no named ports"
					if len(names) > 0 {
						declared = "only declares " + quotedNames(names)
					}
					p.ReportAs(sev, u.path, c.Container.Name, "%s refers to port %q, but container %q %s; %s",
						u.what, u.port.StrVal, c.Container.Name, declared, u.outcome)
				}
			}
		},
	}
}

func quotedNames(set map[string]bool) string {
	names := slices.Sorted(maps.Keys(set))
	for i, n := range names {
		names[i] = strconv.Quote(n)
	}
	return strings.Join(names, ", ")
}
