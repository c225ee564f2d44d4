package why

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/podlint/podlint/checks"
)

func table(t *testing.T) *Table {
	t.Helper()
	tb, err := NewTable(Rules())
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// TestRuleTable holds every row to the table's contract: documented,
// templates that render, podlint checks that exist.
func TestRuleTable(t *testing.T) {
	tb := table(t)
	full := Vars{Namespace: "shop", Pod: "web-1", Container: "app", Node: "worker-1", Kind: "deployment", Name: "web",
		Image: "registry.example.com/web:1", Registry: "registry.example.com", Host: "registry.example.com", Detail: "detail",
		Count: 2, Total: 3, Nodes: "2 of 3 nodes", ExitCode: 1, Ref: "web-config", Port: "9100/TCP", Other: "monitoring/node-exporter",
		Memory: "1024m", Scheduler: "kube-scheduler", Age: "5m", Pods: 230}
	ids := map[string]bool{}
	for i := range tb.Rules {
		r := &tb.Rules[i]
		t.Run(r.Key(), func(t *testing.T) {
			ids[r.ID] = true
			if r.State == "" || r.Means == "" || r.Summary == "" || r.Fix == "" {
				t.Errorf("row %s lacks State, Means, Summary or Fix", r.Key())
			}
			if (r.On == Derived) != (r.Detect != "") {
				t.Errorf("row %s: Derived rows, and only they, say how they are detected (Detect)", r.Key())
			}
			if r.On == Derived && (len(r.Patterns) > 0 || len(r.Reasons) > 0) {
				t.Errorf("row %s: a Derived row matches no message", r.Key())
			}
			for _, c := range r.Checks {
				if checks.Lookup(c) == nil {
					t.Errorf("row %s names check %q, which is not in the catalogue", r.Key(), c)
				}
			}
			for _, v := range []Vars{full, placeholders()} {
				sum, fix := tb.Render(r, v)
				for _, s := range []string{sum, fix} {
					if strings.Contains(s, "<no value>") || strings.Contains(s, "{{") {
						t.Errorf("row %s renders %q", r.Key(), s)
					}
				}
			}
			// Fixes name the pod's own objects, not placeholders; only
			// the node-capacity fix is about every node alike.
			_, fix := tb.Render(r, full)
			named := false
			for _, s := range []string{"shop", "worker-1", "registry.example.com", "web", "9100/TCP"} {
				named = named || strings.Contains(fix, s)
			}
			if !named && r.ID != "too-many-pods" && r.On != Log {
				t.Errorf("row %s: the fix names none of the pod's objects:\n%s", r.Key(), fix)
			}
		})
	}
	// The IDs of issue 14, exactly.
	want := []string{"scheduler-not-running", "node-selector-mismatch", "taint-not-tolerated", "insufficient-resources", "too-many-pods",
		"host-port-in-use", "pod-affinity-mismatch", "topology-spread-mismatch", "volume-not-bound", "daemonset-host-port-conflict",
		"sandbox-image-pull-failed", "sandbox-memory-too-small", "sandbox-create-failed", "volume-mount-failed", "image-not-found",
		"image-pull-unauthorized", "registry-http-not-https", "registry-certificate-untrusted", "image-corrupt", "registry-qps-exceeded",
		"image-pull-timeout", "registry-unreachable", "invalid-image-name", "image-inspect-failed", "oom-killed", "liveness-probe-failed",
		"read-only-filesystem", "subpath-mount-missing", "container-exits", "container-start-failed", "config-reference-missing",
		"quota-exceeded", "limit-range-rejected", "pod-security-rejected", "service-account-missing", "priority-class-missing",
		"admission-webhook-denied", "node-not-ready", "finalizer-blocked", "volume-cleanup-busy", "termination-pending",
		"kubelet-status-lag", "log-hint", "namespace-terminating", "unknown"}
	for _, id := range want {
		if !ids[id] {
			t.Errorf("no row for cause %s", id)
		}
	}
	if len(ids) != len(want) {
		t.Errorf("%d causes in the table, want exactly the %d of issue 14", len(ids), len(want))
	}
}

// matchCase is one message and the row it must select. Image pull rows
// have a wording per runtime.
type matchCase struct {
	row     string
	on      Source
	reason  string
	message string
	facts   Facts
}

func matchCases() []matchCase {
	tiny := Facts{TinyMemory: true}
	return []matchCase{
		{"volume-not-bound", Scheduler, "FailedScheduling", "pod has unbound immediate PersistentVolumeClaims", Facts{}},
		{"volume-not-bound", Scheduler, "FailedScheduling", "node(s) had volume node affinity conflict", Facts{}},
		{"volume-not-bound", Scheduler, "FailedScheduling", `persistentvolumeclaim "data" not found`, Facts{}},
		{"too-many-pods", Scheduler, "FailedScheduling", "Insufficient pods", Facts{}},
		{"too-many-pods", Scheduler, "FailedScheduling", "Too many pods", Facts{}},
		{"insufficient-resources", Scheduler, "FailedScheduling", "Insufficient cpu", Facts{}},
		{"insufficient-resources", Scheduler, "FailedScheduling", "Insufficient nvidia.com/gpu", Facts{}},
		{"insufficient-resources", Scheduler, "FailedScheduling", "Insufficient ephemeral-storage", Facts{}},
		{"host-port-in-use", Scheduler, "FailedScheduling", "node(s) didn't have free ports for the requested pod ports", Facts{}},
		{"host-port-in-use", Scheduler, "FailedScheduling", "PodFitsHostPorts", Facts{}},
		{"pod-affinity-mismatch", Scheduler, "FailedScheduling", "node(s) didn't match pod anti-affinity rules", Facts{}},
		{"pod-affinity-mismatch", Scheduler, "FailedScheduling", "node(s) didn't satisfy existing pods anti-affinity rules", Facts{}},
		{"pod-affinity-mismatch", Scheduler, "FailedScheduling", "node(s) didn't match pod affinity rules", Facts{}},
		{"topology-spread-mismatch", Scheduler, "FailedScheduling", "node(s) didn't match pod topology spread constraints (missing required label)", Facts{}},
		{"taint-not-tolerated", Scheduler, "FailedScheduling", "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }", Facts{}},
		{"taint-not-tolerated", Scheduler, "FailedScheduling", "node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't tolerate", Facts{}},
		{"taint-not-tolerated", Scheduler, "FailedScheduling", "node(s) were unschedulable", Facts{}},
		{"node-selector-mismatch", Scheduler, "FailedScheduling", "node(s) didn't match Pod's node affinity/selector", Facts{}},
		{"node-selector-mismatch", Scheduler, "FailedScheduling", "node(s) didn't match node selector", Facts{}},
		{"node-selector-mismatch", Scheduler, "FailedScheduling", "MatchNodeSelector", Facts{}},

		{"sandbox-memory-too-small", Sandbox, "FailedCreatePodSandBox", `Failed create pod sandbox: rpc error: code = Unknown desc = failed to start sandbox container for pod "x": Error response from daemon: OCI runtime create failed: container_linux.go:348: starting container process caused "process_linux.go:301: running exec setns process for init caused \"signal: killed\"": unknown`, tiny},
		{"sandbox-memory-too-small", Sandbox, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.", tiny},
		{"sandbox-memory-too-small", Container, "StartError", "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: container init was OOM-killed (memory limit too low?): unknown", tiny},
		{"sandbox-image-pull-failed", Sandbox, "FailedCreatePodSandBox", `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox image "registry.k8s.io/pause:3.9": failed to pull image "registry.k8s.io/pause:3.9": dial tcp 34.96.108.209:443: i/o timeout`, Facts{}},
		{"sandbox-image-pull-failed", Sandbox, "FailedCreatePodSandBox", `Failed create pod sandbox: rpc error: code = Unknown desc = failed pulling image "k8s.gcr.io/pause:3.2": Error response from daemon: Get https://k8s.gcr.io/v2/: net/http: request canceled while waiting for connection`, Facts{}},
		{"sandbox-image-pull-failed", Sandbox, "FailedCreatePodSandBox", `Failed to create pod sandbox: rpc error: code = Unknown desc = error creating pod sandbox with name "k8s_web_shop_1": initializing source docker://registry.k8s.io/pause:3.9: pinging container registry registry.k8s.io: Get "https://registry.k8s.io/v2/": dial tcp: lookup registry.k8s.io: no such host`, Facts{}},
		{"sandbox-create-failed", Sandbox, "FailedCreatePodSandBox", "Failed create pod sandbox.", Facts{}},
		{"sandbox-create-failed", Sandbox, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.", Facts{}},
		{"sandbox-create-failed", Sandbox, "FailedCreatePodSandBox", `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "9c1f": plugin type="calico" failed (add): error getting ClusterInformation: connection is unauthorized: Unauthorized`, Facts{}},
		{"volume-mount-failed", Mount, "FailedMount", `MountVolume.SetUp failed for volume "config" : configmap "web-config" not found`, Facts{}},
		{"volume-mount-failed", Mount, "FailedAttachVolume", `Multi-Attach error for volume "pvc-1" Volume is already exclusively attached to one node and can't be attached to another`, Facts{}},

		{"registry-qps-exceeded", Pull, "Failed", `Failed to pull image "172.27.129.211:35000/metricbeat-prophet:6.0.1": pull QPS exceeded.`, Facts{}},
		{"registry-http-not-https", Pull, "Failed", `failed to do request: Head "https://172.27.129.211:35000/v2/app/manifests/1": http: server gave HTTP response to HTTPS client`, Facts{}},
		{"registry-http-not-https", Pull, "Failed", `Error response from daemon: Get https://172.27.129.211:35000/v2/: http: server gave HTTP response to HTTPS client`, Facts{}},
		{"registry-certificate-untrusted", Pull, "Failed", `failed to do request: Head "https://r:5000/v2/web/manifests/1": tls: failed to verify certificate: x509: certificate signed by unknown authority`, Facts{}},
		{"registry-certificate-untrusted", Pull, "Failed", `Error response from daemon: Get https://r:5000/v2/: x509: certificate signed by unknown authority`, Facts{}},
		{"registry-certificate-untrusted", Pull, "Failed", `pinging container registry r:5000: Get "https://r:5000/v2/": x509: certificate is valid for a.example, not r`, Facts{}},
		{"image-pull-unauthorized", Pull, "Failed", `failed to resolve reference "docker02:35000/cart:2.1": pulling from host docker02:35000 failed with status code [manifests 2.1]: 401 Unauthorized`, Facts{}},
		{"image-pull-unauthorized", Pull, "Failed", `failed to resolve reference "docker02:35000/cart:2.1": failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized`, Facts{}},
		{"image-pull-unauthorized", Pull, "Failed", `failed to resolve reference "docker.io/acme/api:3": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`, Facts{}},
		{"image-pull-unauthorized", Pull, "Failed", `Error response from daemon: pull access denied for acme/api, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`, Facts{}},
		{"image-pull-unauthorized", Pull, "Failed", `Error response from daemon: Get "https://docker02:35000/v2/cart/manifests/2.1": no basic auth credentials`, Facts{}},
		{"image-pull-unauthorized", Pull, "Failed", `reading manifest 2.1 in docker02:35000/cart: unauthorized: authentication required`, Facts{}},
		{"image-pull-unauthorized", Pull, "Failed", `failed to resolve reference "h.lbhyun.com/app/web:1.0": unexpected status code [manifests 1.0]: 401 Unauthorized`, Facts{}},
		{"image-pull-unauthorized", Pull, "Failed", `failed to resolve reference "harbor.corp/lan/app:1": pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials`, Facts{}},
		{"image-pull-unauthorized", Pull, "Failed", `failed to resolve reference "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1": unexpected status from HEAD request to https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/v2/app/manifests/1: 403 Forbidden`, Facts{}},
		{"image-corrupt", Pull, "Failed", `rpc error: code = Unknown desc = error pulling image configuration: unknown blob`, Facts{}},
		{"image-corrupt", Pull, "Failed", `failed commit on ref "layer-sha256:4f4f": unexpected commit digest sha256:9d2c, expected sha256:4f4f: failed precondition`, Facts{}},
		{"image-corrupt", Pull, "Failed", `writing blob: storing blob to file "/var/tmp/storage1": happened during read: Digest did not match, expected sha256:1, got sha256:2`, Facts{}},
		{"image-corrupt", Pull, "Failed", `failed to copy: httpReadSeeker: failed open: content at https://r/v2/web/blobs/sha256:4f4f not found: not found`, Facts{}},
		{"image-not-found", Pull, "Failed", `failed to resolve reference "registry.example.com/web:1.4.3": registry.example.com/web:1.4.3: not found`, Facts{}},
		{"image-not-found", Pull, "Failed", `Error response from daemon: manifest for nginx:1.99 not found: manifest unknown: manifest unknown`, Facts{}},
		{"image-not-found", Pull, "Failed", `initializing source docker://quay.io/acme/web:v9: reading manifest v9 in quay.io/acme/web: manifest unknown`, Facts{}},
		{"image-not-found", Pull, "Failed", `no matching manifest for linux/arm64/v8 in the manifest list entries`, Facts{}},
		{"image-not-found", Pull, "ErrImageNeverPull", `Container image "web:dev" is not present with pull policy of Never`, Facts{}},
		{"registry-unreachable", Pull, "Failed", `failed to do request: Head "https://gcr.io/v2/x/manifests/2.0": dial tcp 142.250.74.116:443: i/o timeout`, Facts{}},
		{"registry-unreachable", Pull, "Failed", `Error response from daemon: Get https://docker02:35000/v2/: dial tcp: lookup docker02 on 10.96.0.10:53: no such host`, Facts{}},
		{"registry-unreachable", Pull, "Failed", `pinging container registry r: Get "https://r/v2/": dial tcp 10.0.0.9:443: connect: connection refused`, Facts{}},
		{"image-pull-timeout", Pull, "Failed", `rpc error: code = DeadlineExceeded desc = context deadline exceeded`, Facts{}},
		{"image-pull-timeout", Pull, "Failed", `rpc error: code = Canceled desc = Cancel pulling image "x" because of no progress for 1m0s, latest progress: "a3ed: Downloading"`, Facts{}},
		{"image-pull-timeout", Pull, "Failed", `failed to copy: read tcp 10.0.0.5:44566->104.18.123.25:443: read: i/o timeout`, Facts{}},
		{"invalid-image-name", Container, "InvalidImageName", `Failed to apply default image tag "Web:1": couldn't parse image name "Web:1": invalid reference format: repository name (Web) must be lowercase`, Facts{}},
		{"invalid-image-name", Pull, "Failed", `couldn't parse image reference "web::1": invalid reference format`, Facts{}},
		{"image-inspect-failed", Container, "ImageInspectError", `Failed to inspect image "pms:175": rpc error: code = Unknown desc = Error response from daemon: readlink /mnt/disk0/docker/data/overlay2: invalid argument`, Facts{}},

		{"oom-killed", Container, "OOMKilled", "", Facts{}},
		{"liveness-probe-failed", Probe, "Unhealthy", `Liveness probe failed: Get "http://10.244.2.17:8080/healthz": dial tcp 10.244.2.17:8080: connect: connection refused`, Facts{}},
		{"liveness-probe-failed", Probe, "Killing", "Container app failed liveness probe, will be restarted", Facts{}},
		{"liveness-probe-failed", Probe, "Unhealthy", "Startup probe failed: HTTP probe failed with statuscode: 503", Facts{}},
		{"config-reference-missing", Container, "CreateContainerConfigError", `configmap "web-config" not found`, Facts{}},
		{"config-reference-missing", Container, "CreateContainerConfigError", `secret "db" not found`, Facts{}},
		{"config-reference-missing", Container, "CreateContainerConfigError", `couldn't find key password in Secret shop/db`, Facts{}},
		{"read-only-filesystem", Container, "StartError", `error mounting "/var/lib/kubelet/pods/x/volumes/kubernetes.io~empty-dir/log" to rootfs at "/logs": mkdir /run/containerd/rootfs/logs: read-only file system: unknown`, Facts{}},
		{"read-only-filesystem", Container, "RunContainerError", `failed to start container "d41d": Error response from daemon: OCI runtime create failed: container_linux.go:348: starting container process caused "mkdir /merged/collect: read-only file system": unknown`, Facts{}},
		{"subpath-mount-missing", Container, "Failed", `Error: failed to start container "metricbeat": Error response from daemon: OCI runtime create failed: mounting "/var/lib/kubelet/pods/54d4/volume-subpaths/config/metricbeat/0" to rootfs "/merged" at "/merged/etc/metricbeat.yml" caused "no such file or directory": unknown`, Facts{}},
		{"subpath-mount-missing", Container, "StartError", `error mounting "/var/lib/kubelet/pods/54d4/volume-subpaths/config/app/0" to rootfs at "/etc/app.yml": stat /var/lib/kubelet/pods/54d4/volume-subpaths/config/app/0: no such file or directory: unknown`, Facts{}},
		{"container-start-failed", Container, "StartError", `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/app/start.sh": permission denied: unknown`, Facts{}},
		{"container-start-failed", Container, "CreateContainerError", `failed to generate container "x" spec: failed to apply OCI options: no command specified`, Facts{}},
		{"container-start-failed", Container, "ContainerCannotRun", `OCI runtime create failed: container_linux.go:380: starting container process caused: exec: "node": executable file not found in $PATH: unknown`, Facts{}},
		{"container-start-failed", Container, "CreateContainerConfigError", `container has runAsNonRoot and image will run as root (pod: "web_shop(1)", container: app)`, Facts{}},

		{"log-hint/ipv6-disabled", Log, "", `nginx: [emerg] socket() [::]:8000 failed (97: Address family not supported by protocol)`, Facts{}},
		{"log-hint/dns-failure", Log, "", `dial tcp: lookup postgres.shop.svc.cluster.local on 10.96.0.10:53: no such host`, Facts{}},
		{"log-hint/dns-failure", Log, "", `java.net.UnknownHostException: kafka-0.kafka: Name or service not known`, Facts{}},
		{"log-hint/dns-failure", Log, "", `Error: getaddrinfo ENOTFOUND mongo`, Facts{}},
		{"log-hint/connection-refused", Log, "", `redis: dial tcp 10.96.114.7:6379: connect: connection refused`, Facts{}},
		{"log-hint/connection-refused", Log, "", `Error: connect ECONNREFUSED 10.96.0.20:5432`, Facts{}},
		{"log-hint/permission-denied", Log, "", `mkdir: can't create directory '/var/lib/grafana/plugins': Permission denied`, Facts{}},
		{"log-hint/permission-denied", Log, "", `open /data/db/WiredTiger.lock: permission denied`, Facts{}},

		{"admission-webhook-denied", Create, "FailedCreate", `Error creating: admission webhook "validate.kyverno.svc-fail" denied the request: policy violation`, Facts{}},
		{"admission-webhook-denied", Create, "FailedCreate", `Error creating: Internal error occurred: failed calling webhook "mutate.example.com": failed to call webhook: Post "https://w.svc:443/mutate": dial tcp 10.96.1.1:443: connect: connection refused`, Facts{}},
		{"quota-exceeded", Create, "FailedCreate", `Error creating: pods "web-5b9d-" is forbidden: exceeded quota: compute, requested: requests.cpu=100m, used: requests.cpu=1950m, limited: requests.cpu=2`, Facts{}},
		{"quota-exceeded", Create, "FailedCreate", `Error creating: pods "web-5b9d-" is forbidden: failed quota: compute: must specify limits.cpu for: app; limits.memory for: app`, Facts{}},
		{"limit-range-rejected", Create, "FailedCreate", `Error creating: pods "web-5b9d-" is forbidden: maximum memory usage per Container is 128Mi, but limit is 256Mi`, Facts{}},
		{"limit-range-rejected", Create, "FailedCreate", `Error creating: pods "web-5b9d-" is forbidden: [minimum cpu usage per Pod is 100m, but request is 50m, memory max limit to request ratio per Container is 2, but provided ratio is 4.000000]`, Facts{}},
		{"pod-security-rejected", Create, "FailedCreate", `Error creating: pods "web-5b9d-x" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false`, Facts{}},
		{"pod-security-rejected", Create, "FailedCreate", `Error creating: pods "web-5b9d-" is forbidden: unable to validate against any pod security policy: [spec.containers[0].securityContext.privileged: Invalid value: true: Privileged containers are not allowed]`, Facts{}},
		{"service-account-missing", Create, "FailedCreate", `Error creating: pods "web-5b9d-" is forbidden: error looking up service account shop/reporter: serviceaccount "reporter" not found`, Facts{}},
		{"priority-class-missing", Create, "FailedCreate", `Error creating: pods "web-5b9d-" is forbidden: no PriorityClass with name business-critical was found`, Facts{}},
		{"volume-cleanup-busy", Teardown, "FailedKillPod", `error killing pod: failed to "KillPodSandbox" for "c74b" with KillPodSandboxError: "rpc error: code = Unknown desc = Error response from daemon: unlinkat /var/lib/docker/containers/fa3b/mounts/shm: device or resource busy"`, Facts{}},
	}
}

// TestRuleMatches is the table-driven test of the message rows: every
// such row has at least one case, the image pull rows one per runtime.
func TestRuleMatches(t *testing.T) {
	tb := table(t)
	covered := map[string]bool{}
	for _, c := range matchCases() {
		covered[c.row] = true
		t.Run(c.row, func(t *testing.T) {
			r := tb.Match(c.on, c.reason, c.message, c.facts)
			if r == nil {
				t.Fatalf("no row matches %s %q", c.reason, c.message)
			}
			if r.Key() != c.row {
				t.Errorf("%s %q matched %s, want %s", c.reason, c.message, r.Key(), c.row)
			}
		})
	}
	for i := range tb.Rules {
		r := &tb.Rules[i]
		if r.On != Derived && !covered[r.Key()] {
			t.Errorf("row %s has no test case", r.Key())
		}
	}
	if r := tb.Match(Sandbox, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.", Facts{}); r == nil || r.ID == "sandbox-memory-too-small" {
		t.Errorf("sandbox-memory-too-small must need a tiny memory value, got %v", r)
	}
	if r := tb.Match(Pull, "Failed", "something nobody has seen before", Facts{}); r != nil {
		t.Errorf("an unknown pull error matched %s", r.Key())
	}
}

// TestEveryRowHasFixture: each row has a dump under testdata named after
// it (log-hint rows as log-hint.SUB), the derived rows included.
func TestEveryRowHasFixture(t *testing.T) {
	tb := table(t)
	for i := range tb.Rules {
		key := strings.ReplaceAll(tb.Rules[i].Key(), "/", ".")
		var found []string
		for _, pat := range []string{key + ".yaml", key + ".json", key + ".*.yaml", key + ".*.json"} {
			m, err := filepath.Glob(filepath.Join("testdata", pat))
			if err != nil {
				t.Fatal(err)
			}
			found = append(found, m...)
		}
		if len(found) == 0 {
			t.Errorf("row %s has no fixture testdata/%s[.VARIANT].yaml or .json", tb.Rules[i].Key(), key)
		}
	}
}

func TestParseScheduling(t *testing.T) {
	for _, tc := range []struct {
		msg   string
		total int
		want  []string
	}{
		{"0/4 nodes are available: 2 Insufficient cpu.", 4, []string{"2 Insufficient cpu"}},
		{"0/5 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 4 Insufficient cpu. preemption: 0/5 nodes are available: 1 Preemption is not helpful for scheduling, 4 No preemption victims found for incoming pod.",
			5, []string{"1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }", "4 Insufficient cpu"}},
		{"0/3 nodes are available: 1 node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't tolerate, 2 node(s) didn't match node selector.",
			3, []string{"1 node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't tolerate", "2 node(s) didn't match node selector"}},
		{"No nodes are available that match all of the predicates: Insufficient pods (3).", 0, []string{"3 Insufficient pods"}},
		{"0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.", 3, []string{"pod has unbound immediate PersistentVolumeClaims"}},
		{"no nodes available to schedule pods", 0, []string{"no nodes available to schedule pods"}},
	} {
		total, cls := parseScheduling(tc.msg)
		var got []string
		for _, c := range cls {
			got = append(got, c.String())
		}
		if total != tc.total || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("parseScheduling(%q) = %d %q, want %d %q", tc.msg, total, got, tc.total, tc.want)
		}
	}
}
