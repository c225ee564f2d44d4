package snapshot

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// scale is the size the issue asks podlint to load in under 2 s and
// 500 MiB: 5,000 nodes, 1,000 DaemonSets and 50,000 other objects.
type scale struct{ nodes, daemonSets, others int }

var issueScale = scale{nodes: 5000, daemonSets: 1000, others: 50000}

// writeScaleSnapshot writes a kubectl-shaped List of realistic objects (node
// image lists, pods with status, Secrets and ConfigMaps with data) to path,
// streaming so that the generator does not hold the snapshot in memory.
func writeScaleSnapshot(tb testing.TB, path string, sc scale, f Format) {
	tb.Helper()
	file, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(file, 1<<20)
	first := true
	emit := func(v any) {
		b, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		if f == YAML {
			y, err := yaml.JSONToYAML(b)
			if err != nil {
				tb.Fatal(err)
			}
			lines := strings.Split(strings.TrimRight(string(y), "\n"), "\n")
			for i, l := range lines {
				if i == 0 {
					w.WriteString("- " + l + "\n")
				} else {
					w.WriteString("  " + l + "\n")
				}
			}
			return
		}
		if !first {
			w.WriteString(",\n")
		}
		first = false
		w.Write(b)
	}
	if f == YAML {
		w.WriteString("apiVersion: v1\nitems:\n")
	} else {
		w.WriteString(`{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":[` + "\n")
	}
	for i := range sc.nodes {
		emit(genNode(i))
	}
	for i := range sc.daemonSets {
		emit(genDaemonSet(i))
	}
	// The mix of a busy cluster: mostly pods, ConfigMaps and Secrets.
	namespaces := max(1, sc.others/50)
	for i := range sc.others {
		ns := fmt.Sprintf("team-%d", i%namespaces)
		switch r := i % 50; {
		case r == 0:
			emit(&corev1.Namespace{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
				ObjectMeta: meta(ns, "", map[string]string{"pod-security.kubernetes.io/enforce": "baseline", "kubernetes.io/metadata.name": ns}),
				Spec:       corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{"kubernetes"}},
				Status:     corev1.NamespaceStatus{Phase: corev1.NamespaceActive},
			})
		case r == 1:
			emit(&corev1.LimitRange{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "LimitRange"},
				ObjectMeta: meta("limits", ns, nil),
				Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
					Type:           corev1.LimitTypeContainer,
					Default:        corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("512Mi")},
					DefaultRequest: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
					Max:            corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("8Gi")},
				}}},
			})
		case r == 2:
			emit(&corev1.ResourceQuota{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ResourceQuota"},
				ObjectMeta: meta("quota", ns, nil),
				Spec:       corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"requests.cpu": resource.MustParse("20"), "limits.memory": resource.MustParse("64Gi"), "pods": resource.MustParse("100")}},
				Status: corev1.ResourceQuotaStatus{
					Hard: corev1.ResourceList{"requests.cpu": resource.MustParse("20"), "limits.memory": resource.MustParse("64Gi"), "pods": resource.MustParse("100")},
					Used: corev1.ResourceList{"requests.cpu": resource.MustParse("3"), "limits.memory": resource.MustParse("12Gi"), "pods": resource.MustParse("17")},
				},
			})
		case r < 5:
			emit(&corev1.PersistentVolumeClaim{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
				ObjectMeta: meta(fmt.Sprintf("data-%d", i), ns, map[string]string{"app": "db"}),
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")}},
					VolumeName:  fmt.Sprintf("pvc-%08d", i),
				},
				Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound},
			})
		case r < 11:
			emit(&corev1.ServiceAccount{
				TypeMeta:         metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
				ObjectMeta:       meta(fmt.Sprintf("sa-%d", i), ns, nil),
				ImagePullSecrets: []corev1.LocalObjectReference{{Name: "registry"}},
			})
		case r < 21:
			typ := corev1.SecretTypeOpaque
			if r == 11 {
				typ = corev1.SecretTypeDockerConfigJson
			}
			emit(&corev1.Secret{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
				ObjectMeta: meta(fmt.Sprintf("secret-%d", i), ns, nil),
				Type:       typ,
				Data:       map[string][]byte{"password": []byte(strings.Repeat("s3cr3t-", 40)), "token": []byte(strings.Repeat("x", 600))},
			})
		case r < 31:
			emit(&corev1.ConfigMap{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
				ObjectMeta: meta(fmt.Sprintf("config-%d", i), ns, map[string]string{"app": "web"}),
				Data:       map[string]string{"app.properties": strings.Repeat("key=value\n", 100)},
			})
		default:
			emit(genPod(i, ns, sc.nodes))
		}
	}
	if f == YAML {
		w.WriteString("kind: List\nmetadata:\n  resourceVersion: \"\"\n")
	} else {
		w.WriteString("\n]}\n")
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := file.Close(); err != nil {
		tb.Fatal(err)
	}
}

func meta(name, ns string, labels map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name: name, Namespace: ns, Labels: labels,
		UID:               "3f1c2a9e-6b1d-4c1e-9d7a-0b6f1e2d3c4b",
		ResourceVersion:   "123456789",
		CreationTimestamp: metav1.Unix(1700000000, 0),
	}
}

func genNode(i int) *corev1.Node {
	name := fmt.Sprintf("node-%05d", i)
	zone := fmt.Sprintf("eu-west-1%c", 'a'+rune(i%3))
	n := &corev1.Node{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"},
		ObjectMeta: meta(name, "", map[string]string{
			"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
			"topology.kubernetes.io/zone": zone, "topology.kubernetes.io/region": "eu-west-1",
			"node.kubernetes.io/instance-type": "m5.2xlarge", "disktype": []string{"ssd", "hdd"}[i%2],
			"pool": fmt.Sprintf("pool-%d", i%20),
		}),
		Spec: corev1.NodeSpec{PodCIDR: "10.0.0.0/24", ProviderID: "aws:///" + zone + "/i-0123456789abcdef0"},
		Status: corev1.NodeStatus{
			Capacity:    corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("8"), corev1.ResourceMemory: resource.MustParse("32408604Ki"), corev1.ResourcePods: resource.MustParse("110"), corev1.ResourceEphemeralStorage: resource.MustParse("104845292Ki")},
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("7910m"), corev1.ResourceMemory: resource.MustParse("31391772Ki"), corev1.ResourcePods: resource.MustParse("110"), corev1.ResourceEphemeralStorage: resource.MustParse("95551679124")},
			Addresses:   []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.0.1.2"}, {Type: corev1.NodeHostName, Address: name}},
			NodeInfo:    corev1.NodeSystemInfo{KubeletVersion: "v1.32.4", ContainerRuntimeVersion: "containerd://1.7.27", OSImage: "Ubuntu 24.04 LTS", KernelVersion: "6.8.0", OperatingSystem: "linux", Architecture: "amd64"},
		},
	}
	if i%10 == 0 {
		n.Spec.Taints = []corev1.Taint{{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}}
	}
	for _, c := range []corev1.NodeConditionType{"MemoryPressure", "DiskPressure", "PIDPressure", "Ready", "NetworkUnavailable"} {
		n.Status.Conditions = append(n.Status.Conditions, corev1.NodeCondition{Type: c, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficient" + string(c), Message: "kubelet has sufficient resources", LastHeartbeatTime: metav1.Unix(1700000000, 0), LastTransitionTime: metav1.Unix(1700000000, 0)})
	}
	for j := range 20 {
		n.Status.Images = append(n.Status.Images, corev1.ContainerImage{
			Names:     []string{fmt.Sprintf("registry.example.com/team/app-%d@sha256:%064d", j, j), fmt.Sprintf("registry.example.com/team/app-%d:v1.%d.0", j, j)},
			SizeBytes: int64(100000000 + j),
		})
	}
	return n
}

func genDaemonSet(i int) *appsv1.DaemonSet {
	name := fmt.Sprintf("agent-%d", i)
	labels := map[string]string{"app": name}
	return &appsv1.DaemonSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: meta(name, fmt.Sprintf("system-%d", i%10), labels),
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					HostNetwork:  i%4 == 0,
					NodeSelector: map[string]string{"pool": fmt.Sprintf("pool-%d", i%20)},
					Tolerations:  []corev1.Toleration{{Key: "node-role.kubernetes.io/control-plane", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}},
					Containers: []corev1.Container{{
						Name: "agent", Image: "registry.example.com/agent:v1",
						Ports:     []corev1.ContainerPort{{Name: "metrics", ContainerPort: int32(9100 + i%500), HostPort: int32(9100 + i%500)}},
						Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("64Mi")}},
					}},
				},
			},
		},
	}
}

func genPod(i int, ns string, nodes int) *corev1.Pod {
	phase := corev1.PodRunning
	if i%17 == 0 {
		phase = corev1.PodSucceeded
	}
	c := corev1.Container{
		Name: "app", Image: "registry.example.com/team/app:v1.2.3",
		Args:  []string{"--port=8080", "--log-level=info"},
		Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
		Env: []corev1.EnvVar{
			{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
			{Name: "CONFIG", Value: "/etc/app/app.properties"},
		},
		Resources:    corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")}, Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")}},
		VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/app"}, {Name: "kube-api-access", MountPath: "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnly: true}},
	}
	return &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: meta(fmt.Sprintf("web-%d-7d9f8c6b5-x2k4p", i), ns, map[string]string{"app": "web", "pod-template-hash": "7d9f8c6b5"}),
		Spec: corev1.PodSpec{
			NodeName:           fmt.Sprintf("node-%05d", i%max(1, nodes)),
			ServiceAccountName: "default",
			Containers:         []corev1.Container{c},
			Volumes: []corev1.Volume{
				{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "web-config"}}}},
				{Name: "kube-api-access", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token"}}}}}},
			},
			Tolerations: []corev1.Toleration{{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute}},
		},
		Status: corev1.PodStatus{
			Phase:  phase,
			HostIP: "10.0.1.2", PodIP: "10.1.2.3",
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Unix(1700000000, 0)}},
			ContainerStatuses: []corev1.ContainerStatus{{
				Name: "app", Ready: true, Image: "registry.example.com/team/app:v1.2.3", ImageID: "registry.example.com/team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
				ContainerID: "containerd://0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
				State:       corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Unix(1700000000, 0)}},
			}},
		},
	}
}
