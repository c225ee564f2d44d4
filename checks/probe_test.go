package checks_test

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podlint/podlint/checks"
)

func TestProbePortUndefined(t *testing.T) {
	named := func(n string) intstr.IntOrString { return intstr.FromString(n) }
	httpProbe := func(port intstr.IntOrString) *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: port}}}
	}
	tcpProbe := func(port intstr.IntOrString) *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: port}}}
	}
	ports := []corev1.ContainerPort{{Name: "web", ContainerPort: 8080}}
	sidecar := corev1.ContainerRestartPolicyAlways
	tests := []struct {
		name string
		c    corev1.Container
		init bool
		want []string
	}{
		{
			name: "liveness on an undeclared name",
			c:    corev1.Container{Name: "api", Ports: ports, LivenessProbe: httpProbe(named("http"))},
			want: []string{`error ` + c0 + `.livenessProbe.httpGet.port: livenessProbe refers to port "http", but container "api" only declares "web"; the probe fails every time and the kubelet keeps restarting the container (CrashLoopBackOff)`},
		},
		{
			name: "readiness tcpSocket without any named ports",
			c:    corev1.Container{Name: "api", ReadinessProbe: tcpProbe(named("grpc"))},
			want: []string{`error ` + c0 + `.readinessProbe.tcpSocket.port: readinessProbe refers to port "grpc", but container "api" declares no named ports; the probe fails every time and the pod never becomes Ready, so it gets no Service traffic and rollouts stall`},
		},
		{
			name: "declared name, number and numeric string are fine",
			c: corev1.Container{Name: "api", Ports: ports, LivenessProbe: httpProbe(named("web")),
				ReadinessProbe: httpProbe(intstr.FromInt32(8080)), StartupProbe: tcpProbe(named("8080"))},
		},
		{
			name: "grpc and exec probes have no named port",
			c: corev1.Container{Name: "api", LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9090}}},
				ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}}},
		},
		{
			name: "startup and lifecycle hooks",
			c: corev1.Container{Name: "api", Ports: ports, StartupProbe: httpProbe(named("admin")),
				Lifecycle: &corev1.Lifecycle{
					PostStart: &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/warm", Port: named("admin")}},
					PreStop:   &corev1.LifecycleHandler{TCPSocket: &corev1.TCPSocketAction{Port: named("drain")}},
				}},
			want: []string{
				`error ` + c0 + `.startupProbe.httpGet.port: startupProbe refers to port "admin", but container "api" only declares "web"; the probe fails every time and the kubelet keeps restarting the container (CrashLoopBackOff)`,
				`error ` + c0 + `.lifecycle.postStart.httpGet.port: postStart refers to port "admin", but container "api" only declares "web"; the hook fails and the kubelet kills the container (FailedPostStartHook, CrashLoopBackOff)`,
				`warning ` + c0 + `.lifecycle.preStop.tcpSocket.port: preStop refers to port "drain", but container "api" only declares "web"; the hook fails at every shutdown and the container gets no graceful stop (FailedPreStopHook)`,
			},
		},
		{
			name: "sidecar probe",
			init: true,
			c:    corev1.Container{Name: "proxy", RestartPolicy: &sidecar, Ports: ports, ReadinessProbe: httpProbe(named("metrics"))},
			want: []string{`error spec.template.spec.initContainers[0].readinessProbe.httpGet.port: readinessProbe refers to port "metrics", but container "proxy" only declares "web"; the probe fails every time and the pod never becomes Ready, so it gets no Service traffic and rollouts stall`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var spec corev1.PodSpec
			if tt.init {
				// The other container declares the port; a probe only
				// sees its own container's ports.
				spec.InitContainers = []corev1.Container{tt.c}
				spec.Containers = []corev1.Container{{Name: "app", Ports: []corev1.ContainerPort{{Name: "metrics", ContainerPort: 9090}}}}
			} else {
				spec.Containers = []corev1.Container{tt.c}
			}
			got := findingLines(runStatic(t, "probe-port-undefined", deploymentTarget(spec, nil), checks.Inventory{}, nil))
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
