package why

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"text/template"
)

// Source says which piece of evidence a rule's reasons and patterns are
// matched against.
type Source int

// Sources. A row may name several.
const (
	// Scheduler is one clause of the scheduler's FailedScheduling message
	// ("2 Insufficient cpu") or of the PodScheduled condition.
	Scheduler Source = 1 << iota
	// Pull is an image pull failure: an ErrImagePull waiting message or
	// the kubelet's "Failed to pull image" event.
	Pull
	// Sandbox is a FailedCreatePodSandBox or SandboxChanged event.
	Sandbox
	// Mount is a FailedMount, FailedAttachVolume or FailedMapVolume event.
	Mount
	// Container is a container's waiting or terminated state (reason and
	// message) and the kubelet's Failed events about that container.
	Container
	// Probe is an Unhealthy or Killing event about a container.
	Probe
	// Create is an owner's FailedCreate event or ReplicaFailure condition.
	Create
	// Teardown is an event about a pod that is being deleted.
	Teardown
	// Log is a line of the container's previous log.
	Log
	// Derived rows are decided from the objects' state, not from one
	// message; their Detect field says how.
	Derived
)

func (s Source) String() string {
	names := []string{"scheduler", "image pull", "sandbox", "volume", "container status", "probe", "owner FailedCreate", "pod deletion", "container log", "object state"}
	var out []string
	for i, n := range names {
		if s&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}

// Need is an extra condition on the pod that a row's message alone does
// not prove.
type Need int

// Needs.
const (
	NeedNothing Need = iota
	// NeedTinyMemory: a memory request or limit of the pod is below 6Mi
	// (a bare number of bytes, or "m" for milli).
	NeedTinyMemory
)

// Rule is one row of the table: a cause, what identifies it, and what to
// do. Rows are tried in order; the first match wins, so specific wordings
// come before general ones.
type Rule struct {
	ID string
	// Sub names the kind of log line for log-hint rows.
	Sub string
	// State is what `kubectl get pods` shows (NotCreated for a workload
	// without its pods).
	State string
	On    Source
	// Reasons are the event or status reasons the row applies to; none
	// means any reason of its source.
	Reasons []string
	// Patterns are regular expressions, matched case-insensitively; the
	// message must match one. None means any message.
	Patterns []string
	Needs    Need
	// Detect says, for Derived rows, what the diagnosis checks.
	Detect string
	// Means is what the cause is, for docs/causes.md.
	Means string
	// Summary and Fix are text/template templates over Vars.
	Summary, Fix string
	// Checks are the podlint checks that catch the cause before deploy.
	Checks []string
}

// Key is the row's unique name: the ID, and the sub-reason if any.
func (r *Rule) Key() string {
	if r.Sub != "" {
		return r.ID + "/" + r.Sub
	}
	return r.ID
}

// catchAll tells whether the row takes any message of several reasons
// (container-start-failed), so that a more specific row may explain the
// same failure from other evidence.
func (r *Rule) catchAll() bool { return len(r.Patterns) == 0 && len(r.Reasons) != 1 }

// Vars fill the Summary and Fix templates.
type Vars struct {
	Namespace, Pod, Container, Node string
	// Kind and Name are the object to change: the pod's top owner
	// (deployment, statefulset, ...) or the pod itself; Kind is lower case.
	Kind, Name string
	Image      string
	// Registry is the image's registry host[:port]; Host is without port.
	Registry, Host string
	// Detail is the matched message, clause or value.
	Detail string
	// Count and Total: how many nodes (or containers) the diagnosis
	// explains, out of how many; Nodes words them ("2 of 5 nodes").
	Count, Total int
	Nodes        string
	ExitCode     int32
	// Ref is a referenced object's name (ConfigMap, Secret, claim, ...).
	Ref string
	// Port is a host port with its protocol, "9100/TCP".
	Port string
	// Other is another object involved (the DaemonSet holding a port).
	Other  string
	Memory string
	// Scheduler is the pod's spec.schedulerName.
	Scheduler string
	// Age is how long the state has lasted.
	Age string
	// StatefulSet is true when the pod belongs to a StatefulSet.
	StatefulSet bool
	// Pods is the number of pods on the node.
	Pods int
	// Previous is true when the container restarted, so that its failed
	// run's log is the previous one.
	Previous bool
}

// Rules returns the table. It is a function, not a variable, so nobody
// mutates a shared table; compile it once per run with NewTable.
func Rules() []Rule {
	const describe = "kubectl describe pod {{.Pod}} -n {{.Namespace}}"
	return []Rule{
		// ---- Pending: the scheduler found no node ----
		{
			ID: "scheduler-not-running", State: "Pending", On: Derived,
			Detect:  "The pod has no node, no FailedScheduling event and no PodScheduled condition a minute after it was created, and the scheduler it names is not running: the kube-scheduler Lease in kube-system was not renewed within its lease duration, or no kube-scheduler pod is ready, or no Lease exists for a custom spec.schedulerName.",
			Means:   "No scheduler is looking at the pod, so nothing ever explains why it has no node.",
			Summary: "no scheduler has looked at the pod in {{.Age}}: {{.Detail}}",
			Fix: `Check that the scheduler runs and holds its lease:
  kubectl -n kube-system get pods -l component=kube-scheduler -o wide
  kubectl -n kube-system get lease {{.Scheduler}} -o yaml     # spec.renewTime must be recent
On each control-plane node: ps -elf | grep kube-scheduler; start it with systemctl start kube-scheduler (or restore its static pod manifest in /etc/kubernetes/manifests), then read journalctl -u kube-scheduler.
If spec.schedulerName of pod {{.Pod}} names a scheduler you do not run, fix it in the {{.Kind}} {{.Name}}.`,
		},
		{
			ID: "volume-not-bound", State: "Pending", On: Scheduler,
			Patterns: []string{`unbound (immediate )?persistentvolumeclaim`, `volume node affinity conflict`, `available persistent volumes to bind`, `persistentvolumeclaim "[^"]*" not found`, `no available volume zone`, `max volume count`, `VolumeBinding`, `NoVolumeZoneConflict`, `PersistentVolumeClaim is being deleted`},
			Means:    "A PersistentVolumeClaim of the pod is not bound (no matching PersistentVolume, no default StorageClass, provisioning failed), does not exist, or its volume is pinned to nodes (zone, local volume) the pod cannot use.",
			Summary:  "{{.Nodes}}: {{.Detail}}",
			Fix: `Look at the claims and why they are not bound:
  kubectl -n {{.Namespace}} get pvc
  kubectl -n {{.Namespace}} describe pvc <claim>        # ProvisioningFailed / WaitForFirstConsumer events
  kubectl get storageclass; kubectl get pv
Create the missing claim or a PersistentVolume that matches it, set a StorageClass that can provision, or, for a volume node affinity conflict, run the pod where the volume is (zone, local disk: kubectl get pv <pv> -o jsonpath='{.spec.nodeAffinity}').`,
			Checks: []string{"pvc-not-found"},
		},
		{
			ID: "too-many-pods", State: "Pending", On: Scheduler,
			Patterns: []string{`insufficient pods`, `too many pods`},
			Means:    "The nodes already run as many pods as their kubelet allows (--max-pods, 110 by default).",
			Summary:  "{{.Nodes}} run their maximum number of pods ({{.Detail}})",
			Fix: `See each node's pod capacity and count:
  kubectl describe node <node> | grep -A 7 Capacity
Delete pods you no longer need or add nodes; or raise the kubelet's --max-pods (maxPods in the KubeletConfiguration), e.g. 110 -> 240, and restart the kubelet.
Keep maxPods below what the node's pod CIDR holds: with a /24 per node (flannel's default) at most 254 pods, two of which the network itself takes.`,
			Checks: []string{"node-pod-capacity"},
		},
		{
			ID: "insufficient-resources", State: "Pending", On: Scheduler,
			Patterns: []string{`insufficient \S+`, `PodFitsResources`, `NodeResourcesFit`, `didn't have enough resource`},
			Means:    "No node has enough unreserved CPU, memory, ephemeral storage, GPUs or other extended resources for the pod's requests.",
			Summary:  "{{.Nodes}} do not have the requested resources free ({{.Detail}})",
			Fix: `Compare the pod's requests with what the nodes have left:
  kubectl -n {{.Namespace}} get pod {{.Pod}} -o jsonpath='{range .spec.containers[*]}{.name}{": "}{.resources.requests}{"\n"}{end}'
  kubectl describe nodes | grep -A 8 "Allocated resources"
Lower the requests in the {{.Kind}} {{.Name}} if they are larger than needed (a cpu without unit is cores: 500 means 500 CPUs, 500m is half a CPU), delete pods you no longer need, or add nodes. GPUs and other extended resources must be advertised by a device plugin on the nodes (kubectl get node <node> -o jsonpath='{.status.allocatable}').`,
			Checks: []string{"insufficient-node-resources", "cpu-unit-missing", "memory-unit-missing"},
		},
		{
			ID: "host-port-in-use", State: "Pending", On: Scheduler,
			Patterns: []string{`free ports`, `PodFitsHostPorts`, `NodePorts`},
			Means:    "The pod asks for a host port (hostPort, or a containerPort with hostNetwork) that another pod already holds on every node it could use.",
			Summary:  "{{.Nodes}} already have the pod's host port taken ({{.Detail}})",
			Fix: `Find which pods hold the port on the nodes:
  kubectl get pods -A -o wide --field-selector spec.nodeName=<node>
  kubectl -n {{.Namespace}} get pod {{.Pod}} -o jsonpath='{.spec.containers[*].ports}'
Use another hostPort (and update the Service that points to it), or drop hostPort/hostNetwork and expose the pod through a Service; more replicas than nodes with the port free always leaves some Pending.`,
			Checks: []string{"host-port-conflict"},
		},
		{
			ID: "pod-affinity-mismatch", State: "Pending", On: Scheduler,
			Patterns: []string{`pod affinity`, `anti-affinity`, `MatchInterPodAffinity`, `InterPodAffinity`},
			Means:    "A required podAffinity or podAntiAffinity rule of the pod, or an anti-affinity rule of pods already running, rules out every node.",
			Summary:  "{{.Nodes}} are ruled out by pod (anti-)affinity ({{.Detail}})",
			Fix: `Read the rules and see where the pods they select run:
  kubectl -n {{.Namespace}} get pod {{.Pod}} -o jsonpath='{.spec.affinity}'
  kubectl get pods -A -o wide -l <the rule's labelSelector>
With requiredDuringScheduling anti-affinity on kubernetes.io/hostname, one pod per node is the limit: add nodes, lower the replicas, or use preferredDuringSchedulingIgnoredDuringExecution in the {{.Kind}} {{.Name}}.`,
		},
		{
			ID: "topology-spread-mismatch", State: "Pending", On: Scheduler,
			Patterns: []string{`topology spread`, `PodTopologySpread`},
			Means:    "A topologySpreadConstraint with whenUnsatisfiable: DoNotSchedule cannot be met: placing the pod would exceed maxSkew, or nodes lack the topologyKey label.",
			Summary:  "{{.Nodes}} would break the pod's topology spread constraints ({{.Detail}})",
			Fix: `Compare the constraints with the nodes' topology labels:
  kubectl -n {{.Namespace}} get pod {{.Pod}} -o jsonpath='{.spec.topologySpreadConstraints}'
  kubectl get nodes -L topology.kubernetes.io/zone -L kubernetes.io/hostname
Every node must carry the topologyKey label ("missing required label"); raise maxSkew, use whenUnsatisfiable: ScheduleAnyway, or add nodes in the short domain.`,
		},
		{
			ID: "taint-not-tolerated", State: "Pending", On: Scheduler,
			Patterns: []string{`taint`, `were unschedulable`, `didn't tolerate`, `PodToleratesNodeTaints`},
			Means:    "The nodes carry taints (control-plane, dedicated, not-ready, cordoned) that the pod does not tolerate.",
			Summary:  "{{.Nodes}} have a taint the pod does not tolerate ({{.Detail}})",
			Fix: `See the taints, and the pod's tolerations:
  kubectl get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints
  kubectl -n {{.Namespace}} get pod {{.Pod}} -o jsonpath='{.spec.tolerations}'
Add a matching toleration to the pod template of the {{.Kind}} {{.Name}}, or remove the taint (kubectl taint nodes <node> <key>:<effect>-). Cordoned nodes ("were unschedulable") come back with kubectl uncordon <node>; node.kubernetes.io/not-ready and unreachable taints go away when the node is healthy again.`,
			Checks: []string{"taint-not-tolerated"},
		},
		{
			ID: "node-selector-mismatch", State: "Pending", On: Scheduler,
			Patterns: []string{`node affinity`, `node selector`, `nodeselector`, `MatchNodeSelector`, `NodeAffinity`},
			Means:    "No node has the labels the pod's nodeSelector or required nodeAffinity asks for.",
			Summary:  "{{.Nodes}} do not match the pod's node selector or affinity ({{.Detail}})",
			Fix: `Compare what the pod asks for with the nodes' labels:
  kubectl -n {{.Namespace}} get pod {{.Pod}} -o jsonpath='{.spec.nodeSelector}{"\n"}{.spec.affinity.nodeAffinity}{"\n"}'
  kubectl get nodes --show-labels
Label the nodes that should run it (kubectl label node <node> <key>=<value>), or fix the selector in the {{.Kind}} {{.Name}}.`,
			Checks: []string{"node-selector-unsatisfiable"},
		},

		// ---- DaemonSet without pods ----
		{
			ID: "daemonset-host-port-conflict", State: "NotCreated", On: Derived,
			Detect:  "A DaemonSet's desired number of pods is below the number of nodes its nodeSelector, node affinity and tolerations admit, and another DaemonSet claims the same host port and protocol (hostPort, or containerPort with hostNetwork) on those nodes.",
			Means:   "The DaemonSet controller, not the scheduler, places DaemonSet pods; where another DaemonSet already holds the host port it creates no pod at all, so describe shows all zeros and no component logs an error.",
			Summary: "DaemonSet {{.Namespace}}/{{.Name}} runs on {{.Count}} of {{.Total}} eligible nodes: DaemonSet {{.Other}} holds host port {{.Port}} there",
			Fix: `Both DaemonSets want host port {{.Port}} on the same nodes:
  kubectl get ds -A -o wide
  kubectl -n {{.Namespace}} get ds {{.Name}} -o jsonpath='{.spec.template.spec.hostNetwork} {.spec.template.spec.containers[*].ports}'
Give one of them another host port (and update the Service or scrape config that points to it), remove the duplicate (two node exporters), or expose the pods through a Service instead of hostPort/hostNetwork.`,
			Checks: []string{"host-port-conflict"},
		},

		// ---- ContainerCreating: sandbox and volumes ----
		{
			ID: "sandbox-memory-too-small", State: "ContainerCreating, Pending", On: Sandbox | Container,
			Reasons:  []string{"FailedCreatePodSandBox", "SandboxChanged", "CreateContainerError", "RunContainerError", "StartError", "ContainerCannotRun", "Failed"},
			Patterns: []string{`signal: killed`, `OOM`, `memory limit too low`, `minimum memory limit`, `sandbox changed`, `cannot allocate memory`},
			Needs:    NeedTinyMemory,
			Means:    "A memory request or limit is far too small to start the pod's sandbox or container, nearly always a unit mistake: memory: 4 is 4 bytes, memory: 1024m is 1.024 bytes (m is milli). The runtime kills the sandbox while it starts and the kubelet recreates it forever.",
			Summary:  "the sandbox is killed while it starts: {{.Memory}} is far too little memory",
			Fix: `Memory without a unit counts bytes and a lower-case m is milli: write the value with a binary unit, e.g. 1024Mi or 1Gi:
  kubectl -n {{.Namespace}} get {{.Kind}} {{.Name}} -o jsonpath='{..resources}'
  kubectl -n {{.Namespace}} set resources {{.Kind}} {{.Name}} -c {{.Container}} --limits=memory=<value>Mi --requests=memory=<value>Mi
(or fix the manifest and apply it again).`,
			Checks: []string{"memory-unit-milli", "memory-unit-missing", "memory-too-small"},
		},
		{
			ID: "sandbox-image-pull-failed", State: "ContainerCreating, Pending", On: Sandbox,
			Patterns: []string{`sandbox image`, `pause[:@]`, `/pause\b`, `pod-infra`, `infra(structure)? (container )?image`},
			Means:    "The kubelet cannot pull the pause (infra, sandbox) image that every pod starts with: the registry needs credentials the node does not have, or is unreachable from the node.",
			Summary:  "node {{.Node}} cannot pull the sandbox (pause) image: {{.Detail}}",
			Fix: `On node {{.Node}}, find the sandbox image (kubelet --pod-infra-container-image, containerd sandbox_image in /etc/containerd/config.toml, CRI-O pause_image in /etc/crio/crio.conf) and whether it is there:
  crictl images | grep -E 'pause|pod-infra'          # docker images | grep pod-infra
If it is missing, pull it by hand (log in to the registry first: docker login <registry>), or copy it from another node:
  docker save <image> -o pause.tar && docker load -i pause.tar       # ctr -n k8s.io images export / import with containerd
or let the kubelet use the node's registry credentials (docker login as root and HOME=/root in the kubelet's environment, then systemctl restart kubelet; newer clusters: a kubelet image credential provider).`,
		},
		{
			ID: "sandbox-create-failed", State: "ContainerCreating, Pending", On: Sandbox,
			Reasons: []string{"FailedCreatePodSandBox", "FailedPodSandBoxStatus", "SandboxChanged", "FailedKillPod"},
			Means:   "The runtime cannot create the pod's sandbox (network namespace, pause container): most often the CNI plugin fails, or the runtime itself is broken on that node.",
			Summary: "node {{.Node}} cannot create the pod's sandbox: {{.Detail}}",
			Fix: `Read the full error and the node's logs:
  ` + describe + `
  kubectl get pods -A -o wide --field-selector spec.nodeName={{.Node}}     # is the network plugin (calico, flannel, cilium...) running there?
On node {{.Node}}: journalctl -u kubelet | grep {{.Pod}}; journalctl -u containerd (or crio, docker).
"failed to setup network" / "networkPlugin cni failed" points at the CNI plugin on that node; also check that the sandbox image is present (crictl images | grep pause).`,
		},
		{
			ID: "volume-mount-failed", State: "ContainerCreating", On: Mount,
			Means:   "A volume of the pod cannot be attached or mounted: a ConfigMap or Secret it mounts does not exist, a ReadWriteOnce volume is still attached to another node (Multi-Attach), or the storage driver fails.",
			Summary: "a volume cannot be attached or mounted on node {{.Node}}: {{.Detail}}",
			Fix: `Read the mount errors:
  ` + describe + `        # FailedMount, FailedAttachVolume events
A missing ConfigMap or Secret{{if .Ref}} ({{.Ref}}){{end}}: create it in namespace {{.Namespace}} (kubectl -n {{.Namespace}} get configmaps,secrets), or mark the volume optional: true.
Multi-Attach: the volume is still attached to another node; wait for the old pod to go away or delete it (kubectl get volumeattachments | grep <pv>).
Otherwise check the CSI driver's pods on node {{.Node}} and journalctl -u kubelet there.`,
			Checks: []string{"configmap-not-found", "secret-not-found", "pvc-not-found"},
		},

		// ---- ErrImagePull / ImagePullBackOff ----
		{
			ID: "registry-qps-exceeded", State: "ErrImagePull, ImagePullBackOff", On: Pull,
			Patterns: []string{`pull qps exceeded`},
			Means:    "The kubelet limits image pulls per second (--registry-qps 5 and --registry-burst 10 by default); with many pulls at once it refuses the rest.",
			Summary:  "the kubelet on node {{.Node}} throttled the pull of {{.Image}}: pull QPS exceeded",
			Fix: `Raise the kubelet's pull limits on node {{.Node}} and restart it:
  --registry-qps=0 (no limit) or e.g. --registry-qps=20 --registry-burst=40
  (KubeletConfiguration: registryPullQPS, registryBurst)
  systemctl restart kubelet`,
		},
		{
			ID: "registry-http-not-https", State: "ErrImagePull, ImagePullBackOff", On: Pull,
			Patterns: []string{`server gave http response to https client`},
			Means:    "The registry speaks plain HTTP, but the runtime pulls over HTTPS unless the registry is configured as insecure.",
			Summary:  "registry {{.Registry}} serves plain HTTP and the node pulls over HTTPS",
			Fix: `Serve the registry over HTTPS, or declare {{.Registry}} insecure on every node and restart the runtime:
  Docker: /etc/docker/daemon.json  {"insecure-registries": ["{{.Registry}}"]}   then systemctl reload docker (or restart)
  containerd: /etc/containerd/certs.d/{{.Registry}}/hosts.toml with
      server = "http://{{.Registry}}"
      [host."http://{{.Registry}}"]
        capabilities = ["pull", "resolve"]
    (config_path = "/etc/containerd/certs.d" in config.toml), then systemctl restart containerd
  CRI-O: /etc/containers/registries.conf  [[registry]] location = "{{.Registry}}" insecure = true, then systemctl restart crio`,
		},
		{
			ID: "registry-certificate-untrusted", State: "ErrImagePull, ImagePullBackOff", On: Pull,
			Patterns: []string{`x509`, `failed to verify certificate`, `certificate signed by unknown authority`, `certificate is not valid`},
			Means:    "The registry's HTTPS certificate is not trusted by the node: self-signed, issued by a private CA, expired, or for another name.",
			Summary:  "node {{.Node}} does not trust the certificate of registry {{.Registry}}: {{.Detail}}",
			Fix: `Install the registry's CA certificate on every node and restart the runtime:
  Docker: /etc/docker/certs.d/{{.Registry}}/ca.crt
  containerd: /etc/containerd/certs.d/{{.Registry}}/ca.crt, referenced by ca = in hosts.toml
  CRI-O: /etc/containers/certs.d/{{.Registry}}/ca.crt
or add {{.Registry}} to the insecure registries (Docker: "insecure-registries" in /etc/docker/daemon.json, then systemctl reload docker).
An expired certificate or one for another host name must be replaced on the registry.`,
		},
		{
			ID: "image-pull-unauthorized", State: "ErrImagePull, ImagePullBackOff", On: Pull,
			Patterns: []string{`unauthorized`, `authentication required`, `pull access denied`, `insufficient_scope`, `no basic auth credentials`, `access to the resource is denied`, `authorization failed`, `failed to authorize`, `403 forbidden`, `denied:`},
			Means:    "The registry refused the pull: the pod has no imagePullSecret, the Secret does not exist or is not of type kubernetes.io/dockerconfigjson, or its credentials are wrong. Registries give the same answer for a repository that does not exist.",
			Summary:  "registry {{.Registry}} refused to serve {{.Image}} without valid credentials: {{.Detail}}",
			Fix: `Create a pull secret for {{.Registry}} and reference it from the pod template:
  kubectl -n {{.Namespace}} create secret docker-registry my-secret --docker-server={{.Registry}} --docker-username=DOCKER_USER --docker-password=DOCKER_PASSWORD --docker-email=DOCKER_EMAIL
  spec:
    imagePullSecrets:
    - name: my-secret
(or add it to the ServiceAccount: kubectl -n {{.Namespace}} patch serviceaccount default -p '{"imagePullSecrets":[{"name":"my-secret"}]}').
If the pod already names a secret, check that it exists with type kubernetes.io/dockerconfigjson and that its server is exactly {{.Registry}}:
  kubectl -n {{.Namespace}} get secret -o custom-columns=NAME:.metadata.name,TYPE:.type
And check that {{.Image}} really exists: registries also answer this way for a repository that does not.`,
			Checks: []string{"image-pull-secret-missing", "image-pull-secret-not-found", "image-pull-secret-wrong-type"},
		},
		{
			ID: "image-corrupt", State: "ErrImagePull, ImagePullBackOff", On: Pull,
			Patterns: []string{`unknown blob`, `blob unknown`, `error pulling image configuration`, `digest did not match`, `digest mismatch`, `unexpected commit digest`, `failed size validation`, `checksum`, `failed to (register|extract) layer`, `layer verification failed`, `blobs/sha256:\S+ not found`, `unexpected EOF`},
			Means:    "The image's manifest exists but a layer or its configuration is missing or damaged in the registry (an interrupted push, registry storage problems).",
			Summary:  "the image {{.Image}} is damaged in the registry: {{.Detail}}",
			Fix: `Push the image again so that every layer is complete, and check the registry's storage:
  docker push {{.Image}}
If a partial copy stayed on node {{.Node}}, remove it there and pull again:
  crictl rmi {{.Image}} && crictl pull {{.Image}}        # docker rmi / docker pull`,
		},
		{
			ID: "image-not-found", State: "ErrImagePull, ImagePullBackOff", On: Pull,
			Patterns: []string{`not found`, `manifest unknown`, `name unknown`, `no matching manifest`, `not present with pull policy of never`, `does not exist`, `no such image`},
			Means:    "The registry has no such repository, tag or digest (a typo, a tag that was never pushed or was deleted, an image without this node's CPU architecture), or imagePullPolicy: Never and the image is not on the node.",
			Summary:  "the image {{.Image}} does not exist: {{.Detail}}",
			Fix: `Check the name and the tag against the registry:
  kubectl -n {{.Namespace}} get pod {{.Pod}} -o jsonpath='{.spec.containers[?(@.name=="{{.Container}}")].image}'
  skopeo list-tags docker://<repository>       # or crane ls <repository>
Fix the tag in the {{.Kind}} {{.Name}} (kubectl -n {{.Namespace}} set image {{.Kind}}/{{.Name}} {{.Container}}=<image>:<tag>), or push the missing tag. "no matching manifest" means the image has no variant for this node's architecture; imagePullPolicy: Never needs the image loaded on the node.`,
		},
		{
			ID: "registry-unreachable", State: "ErrImagePull, ImagePullBackOff", On: Pull,
			Patterns: []string{`no such host`, `connection refused`, `dial tcp`, `no route to host`, `network is unreachable`, `server misbehaving`, `temporary failure in name resolution`, `tls handshake timeout`, `while waiting for connection`, `connection reset by peer`},
			Means:    "The node cannot reach the registry: its name does not resolve, the connection is refused or times out, a proxy or firewall is in the way (gcr.io and registry.k8s.io from networks that block them).",
			Summary:  "node {{.Node}} cannot reach registry {{.Registry}}: {{.Detail}}",
			Fix: `From node {{.Node}}, test name resolution and the connection:
  nslookup {{.Host}}
  curl -v https://{{.Registry}}/v2/
Fix DNS, the firewall or the runtime's proxy settings (HTTP_PROXY/HTTPS_PROXY/NO_PROXY in the containerd or docker systemd unit), or pull through a mirror you can reach (Docker "registry-mirrors", containerd hosts.toml).`,
		},
		{
			ID: "image-pull-timeout", State: "ErrImagePull, ImagePullBackOff", On: Pull,
			Patterns: []string{`deadline exceeded`, `context canceled`, `no progress`, `timeout`, `timed out`, `request canceled`},
			Means:    "The pull started but did not finish in time: the image is very large or the registry or network is slow.",
			Summary:  "pulling {{.Image}} on node {{.Node}} timed out: {{.Detail}}",
			Fix: `Give pulls more time or make them smaller:
  kubelet --image-pull-progress-deadline (Docker, default 1m) and --runtime-request-timeout (runtimeRequestTimeout, default 2m), e.g. 10m; then systemctl restart kubelet
  pre-pull the image on the nodes (crictl pull {{.Image}}), shrink the image, or use a registry mirror close to the nodes.`,
		},
		{
			ID: "invalid-image-name", State: "InvalidImageName", On: Container | Pull,
			Reasons:  []string{"InvalidImageName", "InspectFailed", "Failed", "ErrImagePull"},
			Patterns: []string{`invalid reference format`, `couldn't parse image`, `failed to apply default image tag`, `InvalidImageName`},
			Means:    "The image reference cannot be parsed: upper-case letters in the repository, two tags, a scheme (https://), spaces.",
			Summary:  "the image reference {{.Image}} is not valid: {{.Detail}}",
			Fix: `Write the image as [registry[:port]/]repository[:tag][@sha256:digest], repository in lower case, no scheme:
  kubectl -n {{.Namespace}} set image {{.Kind}}/{{.Name}} {{.Container}}=<valid image>`,
			Checks: []string{"image-name-invalid"},
		},

		// ---- ImageInspectError ----
		{
			ID: "image-inspect-failed", State: "ImageInspectError", On: Container,
			Reasons: []string{"ImageInspectError", "InspectFailed"},
			Means:   "The image is present on the node but the runtime cannot read it: its files are damaged on that node (often after an unclean reboot), e.g. \"readlink /var/lib/docker/overlay2: invalid argument\".",
			Summary: "the image {{.Image}} is damaged on node {{.Node}}: {{.Detail}}",
			Fix: `On node {{.Node}}, confirm the image is broken:
  docker run -it {{.Image}} sh            # fails
  docker save {{.Image}} -o image.tar      # "file integrity checksum failed"
Remove every container that uses it, then the image (the output must show "Deleted: sha256:..."), and pull it again:
  docker ps -a | grep <image>; docker rm <container>...        # crictl ps -a / crictl rm
  docker rmi {{.Image}}                                          # crictl rmi
  docker pull {{.Image}}                                         # crictl pull
If the node's filesystem was damaged (unclean reboot), repair it with fsck.`,
		},

		// ---- CrashLoopBackOff and start errors ----
		{
			ID: "oom-killed", State: "CrashLoopBackOff, OOMKilled", On: Container,
			Reasons: []string{"OOMKilled"},
			Means:   "The container used more memory than its limit and the kernel killed it (exit code 137).",
			Summary: "container {{.Container}} was killed for using more memory than its limit{{if .Memory}} ({{.Memory}}){{end}}",
			Fix: `See how much memory it uses and raise the limit, or make the program use less:
  kubectl -n {{.Namespace}} top pod {{.Pod}} --containers
  kubectl -n {{.Namespace}} set resources {{.Kind}} {{.Name}} -c {{.Container}} --limits=memory=<more>
Check the limit's unit (512Mi, not 512m or 512); for a JVM keep the heap below the limit (-XX:MaxRAMPercentage=75).`,
			Checks: []string{"memory-unit-milli", "memory-unit-missing", "memory-too-small"},
		},
		{
			ID: "liveness-probe-failed", State: "CrashLoopBackOff", On: Probe,
			Reasons:  []string{"Unhealthy", "Killing"},
			Patterns: []string{`liveness probe`, `startup probe`},
			Means:    "The kubelet restarts the container because its liveness (or startup) probe fails: wrong port or path, an app that starts slower than the probe allows, or an app that hangs.",
			Summary:  "the kubelet restarts container {{.Container}} because its probe fails: {{.Detail}}",
			Fix: `Compare the probe with what the app serves, and read the log of the killed run:
  kubectl -n {{.Namespace}} get pod {{.Pod}} -o jsonpath='{.spec.containers[?(@.name=="{{.Container}}")].livenessProbe}'
  kubectl -n {{.Namespace}} logs {{.Pod}} -c {{.Container}} --previous
Fix the port or path; give a slow starter a startupProbe, or raise initialDelaySeconds, timeoutSeconds and failureThreshold in the {{.Kind}} {{.Name}}.`,
			Checks: []string{"probe-port-undefined"},
		},
		// ---- CreateContainerConfigError (before the start errors: both see that reason) ----
		{
			ID: "config-reference-missing", State: "CreateContainerConfigError", On: Container,
			Reasons:  []string{"CreateContainerConfigError", "Failed"},
			Patterns: []string{`configmap "?[^" ]*"? not found`, `secret "?[^" ]*"? not found`, `couldn't find key`},
			Means:    "The container's env or envFrom refers to a ConfigMap, Secret or key that does not exist in the pod's namespace.",
			Summary:  "container {{.Container}} refers to something that does not exist: {{.Detail}}",
			Fix: `Create what is missing in namespace {{.Namespace}}, or fix the reference in the {{.Kind}} {{.Name}}:
  kubectl -n {{.Namespace}} get configmaps,secrets
  kubectl -n {{.Namespace}} create configmap {{or .Ref "<name>"}} --from-literal=<key>=<value>      # or: create secret generic {{or .Ref "<name>"}} ...
A key that may be absent can be marked optional: true (configMapKeyRef / secretKeyRef).`,
			Checks: []string{"configmap-not-found", "secret-not-found"},
		},

		{
			ID: "read-only-filesystem", State: "CrashLoopBackOff, RunContainerError, CreateContainerError", On: Container,
			Reasons:  []string{"StartError", "ContainerCannotRun", "RunContainerError", "CreateContainerError", "Failed", "Error"},
			Patterns: []string{`read-only file system`},
			Means:    "Starting the container fails with \"read-only file system\" while the runtime sets up its mounts: the image's files on the node are damaged, or were pulled with errors (error pulling image configuration: unknown blob), so the layer is mounted read-only.",
			Summary:  "container {{.Container}} cannot start on node {{.Node}}: the image's filesystem is read-only ({{.Detail}})",
			Fix: `On node {{.Node}}, remove every container that uses the image, then the image, and pull it again:
  docker ps -a | grep <image>; docker rm <container>...; docker rmi {{.Image}}; docker pull {{.Image}}
  (crictl ps -a / crictl rm / crictl rmi / crictl pull with containerd or CRI-O)
Check that the image is complete in the registry; if not, push it again.`,
		},
		{
			ID: "subpath-mount-missing", State: "CrashLoopBackOff, RunContainerError, CreateContainerError", On: Container,
			Reasons:  []string{"StartError", "ContainerCannotRun", "RunContainerError", "CreateContainerError", "Failed", "Error"},
			Patterns: []string{`volume-subpaths\S*.*no such file or directory`, `subpath.*no such file or directory`},
			Means:    "The runtime cannot bind a subPath volume into the container (\"volume-subpaths ... no such file or directory\"): the previous container died and the kubelet has not noticed, so the directory it mounts into is gone.",
			Summary:  "container {{.Container}} cannot start: a subPath mount is missing ({{.Detail}})",
			Fix: `Delete the pod; its controller creates a new one with fresh mounts:
  kubectl -n {{.Namespace}} delete pod {{.Pod}}`,
		},
		{
			ID: "container-start-failed", State: "CrashLoopBackOff, RunContainerError, CreateContainerError", On: Container,
			Reasons: []string{"StartError", "ContainerCannotRun", "RunContainerError", "CreateContainerError", "PostStartHookError", "PreStartHookError", "CreateContainerConfigError"},
			Means:   "The runtime could not start the container's process: the command is not found or not executable, the image is for another CPU architecture, runAsNonRoot with an image that runs as root, a failing postStart hook.",
			Summary: "container {{.Container}} could not be started: {{.Detail}}",
			Fix: `Read the error and compare it with the image:
  ` + describe + `
"executable file not found" / "no such file or directory": fix command and args in the {{.Kind}} {{.Name}} or the image's ENTRYPOINT; "permission denied": make the entrypoint executable (chmod +x) or readable by the container's user; "exec format error": the image is built for another CPU architecture; "runAsNonRoot and image will run as root": set securityContext.runAsUser to a non-zero UID.
On node {{.Node}}: journalctl -u kubelet and the runtime's log.`,
		},
		{
			ID: "container-exits", State: "CrashLoopBackOff, Error", On: Derived,
			Detect:  "A container's last run ended with a non-zero exit code and none of the rows above explains it.",
			Means:   "The container's own process exits with an error: a bad configuration, a dependency it cannot reach, a crash. Its log says why.",
			Summary: "container {{.Container}} exits with code {{.ExitCode}}{{if .Detail}} ({{.Detail}}){{end}}",
			Fix: `Read the log of the run that failed, and the last state:
  kubectl -n {{.Namespace}} logs {{.Pod}} -c {{.Container}}{{if .Previous}} --previous{{end}}
  ` + describe + `
If the log says nothing, look inside (kubectl -n {{.Namespace}} exec {{.Pod}} -c {{.Container}} -- sh), or on node {{.Node}}: journalctl -u kubelet; journalctl -u containerd (or docker).`,
		},

		// ---- Log hints ----
		{
			ID: "log-hint", Sub: "ipv6-disabled", State: "CrashLoopBackOff", On: Log,
			Patterns: []string{`address family not supported by protocol`},
			Means:    "The program listens on an IPv6 address ([::]:8000) and the node has IPv6 turned off, as nginx does with its default listen [::]:80.",
			Summary:  "container {{.Container}} cannot listen on IPv6: {{.Detail}}",
			Fix:      `Either turn IPv6 on on the nodes, or stop listening on IPv6: delete or comment out "listen [::]:80 default_server;" in /etc/nginx/conf.d/default.conf (in the image, or in the ConfigMap that replaces it).`,
		},
		{
			ID: "log-hint", Sub: "dns-failure", State: "CrashLoopBackOff", On: Log,
			Patterns: []string{`no such host`, `name or service not known`, `temporary failure in name resolution`, `getaddrinfo (ENOTFOUND|EAI_AGAIN)`, `UnknownHostException`, `could not translate host name`, `nodename nor servname`},
			Means:    "The program exits because a name it needs does not resolve: a Service that does not exist (or is in another namespace), or cluster DNS that does not work.",
			Summary:  "container {{.Container}} exits because a name does not resolve: {{.Detail}}",
			Fix: `Check the name in the program's configuration against the Services, and DNS itself:
  kubectl get svc -A | grep <name>
  kubectl -n {{.Namespace}} run dnscheck --rm -it --restart=Never --image=busybox:1.36 -- nslookup <name>
  kubectl -n kube-system get pods -l k8s-app=kube-dns
A Service in another namespace is <service>.<namespace>.svc.cluster.local.`,
		},
		{
			ID: "log-hint", Sub: "connection-refused", State: "CrashLoopBackOff", On: Log,
			Patterns: []string{`connection refused`, `ECONNREFUSED`},
			Means:    "The program exits because a dependency (database, queue, another service) refuses connections: it is not running yet, has no endpoints, or listens on another port.",
			Summary:  "container {{.Container}} exits because a dependency refuses the connection: {{.Detail}}",
			Fix: `Check that the dependency runs and has endpoints on the port the program uses:
  kubectl -n {{.Namespace}} get endpointslices
  kubectl -n {{.Namespace}} get pods -o wide
Start it first, fix the host or port in the program's configuration, or make the program retry (an init container that waits for the dependency).`,
		},
		{
			ID: "log-hint", Sub: "permission-denied", State: "CrashLoopBackOff", On: Log,
			Patterns: []string{`permission denied`, `EACCES`, `operation not permitted`},
			Means:    "The program exits because it may not write or read a path, usually a mounted volume owned by another user.",
			Summary:  "container {{.Container}} exits on a permission error: {{.Detail}}",
			Fix: `Make the volume writable for the container's user: set securityContext.fsGroup (and runAsUser) in the {{.Kind}} {{.Name}} to the owner the program expects, or fix the ownership of the hostPath or NFS export; read-only mounts (ConfigMap, Secret, readOnly: true) cannot be written at all.
  kubectl -n {{.Namespace}} get pod {{.Pod}} -o jsonpath='{.spec.securityContext}{"\n"}{.spec.containers[?(@.name=="{{.Container}}")].volumeMounts}'`,
		},

		// ---- NotCreated: the owner cannot create pods ----
		{
			ID: "admission-webhook-denied", State: "NotCreated", On: Create,
			Patterns: []string{`admission webhook`, `failed calling webhook`},
			Means:    "A validating or mutating admission webhook refuses the pods, or cannot be called (its service is down) and fails closed.",
			Summary:  "an admission webhook refuses the pods of {{.Kind}} {{.Name}}: {{.Detail}}",
			Fix: `Read the webhook's reason and find the webhook:
  kubectl -n {{.Namespace}} describe {{.Kind}} {{.Name}}
  kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations
Change the pod template to satisfy the policy; if the call failed ("failed calling webhook"), check the webhook's service and pods, or its failurePolicy.`,
		},
		{
			ID: "quota-exceeded", State: "NotCreated", On: Create,
			Patterns: []string{`exceeded quota`, `failed quota`, `must specify (limits|requests)`},
			Means:    "A ResourceQuota of the namespace refuses the pod: the namespace's total would exceed it, or the quota requires requests and limits the pod does not set.",
			Summary:  "a ResourceQuota in namespace {{.Namespace}} refuses the pods of {{.Kind}} {{.Name}}: {{.Detail}}",
			Fix: `See what the quota allows and uses:
  kubectl -n {{.Namespace}} describe resourcequota
Free quota (scale down or delete what is no longer needed), raise the quota, or lower the pod's requests and limits; "must specify" means the pod needs explicit requests/limits (or a LimitRange with defaults).`,
			Checks: []string{"resource-quota-violation"},
		},
		{
			ID: "limit-range-rejected", State: "NotCreated", On: Create,
			Patterns: []string{`usage per (container|pod|persistentvolumeclaim) is`, `limit to request ratio`, `LimitRange`},
			Means:    "A LimitRange of the namespace refuses the pod: a request or limit is below its minimum or above its maximum.",
			Summary:  "a LimitRange in namespace {{.Namespace}} refuses the pods of {{.Kind}} {{.Name}}: {{.Detail}}",
			Fix: `See the allowed ranges and bring the pod template's requests and limits within them:
  kubectl -n {{.Namespace}} describe limitrange
  kubectl -n {{.Namespace}} set resources {{.Kind}} {{.Name}} --limits=... --requests=...`,
			Checks: []string{"limit-range-violation"},
		},
		{
			ID: "pod-security-rejected", State: "NotCreated", On: Create,
			Patterns: []string{`violates podsecurity`, `pod security policy`, `PodSecurityPolicy`},
			Means:    "Pod Security admission (or a PodSecurityPolicy in old clusters) refuses the pod at the namespace's enforced level.",
			Summary:  "Pod Security refuses the pods of {{.Kind}} {{.Name}}: {{.Detail}}",
			Fix: `See the enforced level and fix what the message lists (runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities.drop: [ALL], seccompProfile.type: RuntimeDefault, no hostPath/hostNetwork):
  kubectl get namespace {{.Namespace}} --show-labels      # pod-security.kubernetes.io/enforce
If the workload really needs more, label the namespace for it: kubectl label namespace {{.Namespace}} pod-security.kubernetes.io/enforce=baseline --overwrite`,
			Checks: []string{"pod-security-violation"},
		},
		{
			ID: "service-account-missing", State: "NotCreated", On: Create,
			Patterns: []string{`serviceaccount "?[^" ]*"? not found`, `error looking up service account`},
			Means:    "The pod names a ServiceAccount that does not exist in its namespace.",
			Summary:  "the ServiceAccount {{or .Ref \"of the pod template\"}} of {{.Kind}} {{.Name}} does not exist: {{.Detail}}",
			Fix: `Create it, or fix serviceAccountName in the pod template:
  kubectl -n {{.Namespace}} create serviceaccount {{or .Ref "<name>"}}
(with RBAC, also bind the roles the program needs to it).`,
			Checks: []string{"service-account-not-found"},
		},
		{
			ID: "priority-class-missing", State: "NotCreated", On: Create,
			Patterns: []string{`no priorityclass with name`, `priorityclass.* not found`},
			Means:    "The pod names a PriorityClass that does not exist.",
			Summary:  "the PriorityClass {{or .Ref \"of the pod template\"}} of {{.Kind}} {{.Name}} does not exist",
			Fix: `List the PriorityClasses and create the missing one, or fix priorityClassName in the pod template of the {{.Kind}} {{.Name}}:
  kubectl get priorityclasses
  kubectl create priorityclass {{or .Ref "<name>"}} --value=1000 --description="..."`,
		},

		// ---- Terminating / Unknown ----
		{
			ID: "node-not-ready", State: "Terminating, Unknown", On: Derived,
			Detect:  "The pod is Terminating past its grace period, or Unknown, and its node's Ready condition is False or Unknown (or the node is gone).",
			Means:   "The pod's node is not reachable. The node controller marks its pods for deletion (after 5 minutes by default), but they are only removed when the kubelet confirms, so they stay Terminating or Unknown while a replacement may already run elsewhere.",
			Summary: "node {{.Node}} is {{.Detail}}; the pod cannot finish terminating until the node comes back or is removed",
			Fix: `Pick one:
  - Bring node {{.Node}} back (check the machine and systemctl status kubelet on it); its kubelet then deletes the pod.
  - Remove the node if it is gone for good: kubectl delete node {{.Node}}
  - Force-delete the pod: kubectl -n {{.Namespace}} delete pod {{.Pod}} --grace-period=0 --force
    Only when you know the pod has stopped (the machine is powered off): otherwise it may still run.{{if .StatefulSet}} The pod belongs to a StatefulSet: force-deleting it while it runs can start a second pod with the same identity, with split brain or data loss.{{else}} Never do this to a StatefulSet's pods while the node may run them.{{end}}`,
		},
		{
			ID: "volume-cleanup-busy", State: "Terminating", On: Teardown,
			Patterns: []string{`device or resource busy`},
			Means:    "The containers and sandbox are gone, but the kubelet cannot unmount a volume (\"device or resource busy\"), so the pod stays Terminating; known with CentOS 3.10 kernels and docker older than 17.12.1.",
			Summary:  "the kubelet on node {{.Node}} cannot unmount a volume of the pod: {{.Detail}}",
			Fix: `On node {{.Node}}, find what holds the mount (grep <pod-uid> /proc/*/mountinfo) and stop it.
For good: upgrade docker-ce to 17.12.1 or later and the kernel to 4.4.x or later; then the kubelet unmounts and deletes the pod itself.`,
		},
		{
			ID: "finalizer-blocked", State: "Terminating", On: Derived,
			Detect:  "The pod's grace period is long past, its node is Ready, and metadata.finalizers is not empty.",
			Means:   "The pod was deleted and its containers stopped, but a finalizer is still listed; the API server keeps the object until the controller that owns the finalizer removes it, and force-deleting does not help.",
			Summary: "deleted {{.Age}} ago and kept by finalizers {{.Detail}}",
			Fix: `The controller that owns the finalizer must remove it; if that controller is gone, remove it yourself (kubectl edit and delete the finalizers list, or):
  kubectl -n {{.Namespace}} patch pod {{.Pod}} --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]'`,
		},
		{
			ID: "kubelet-status-lag", State: "ContainerCreating, Terminating", On: Derived,
			Detect:  "The pod has been Creating or Terminating for 10 minutes or more on a Ready node that runs 200 or more pods.",
			Means:   "The kubelet sends pod status to the API server under QPS limits (--kube-api-qps 5, --event-qps 5 by default); with 200+ pods on the node the updates queue up, and the status stays Creating or Terminating for a long time after the containers actually changed.",
			Summary: "node {{.Node}} runs {{.Pods}} pods; its kubelet's status updates lag ({{.Detail}} for {{.Age}})",
			Fix: `Check on node {{.Node}} whether the containers really run (crictl ps | grep {{.Pod}}, or docker ps), then raise the kubelet's API limits and restart it:
  --event-qps=0 --kube-api-qps=2000 --kube-api-burst=4000 --registry-qps=0
  (KubeletConfiguration: eventRecordQPS: 0, kubeAPIQPS: 2000, kubeAPIBurst: 4000, registryPullQPS: 0)
  systemctl restart kubelet`,
		},
		{
			ID: "termination-pending", State: "Terminating", On: Derived,
			Detect:  "The pod's grace period is long past, its node is Ready, and no finalizer or unmount error explains it.",
			Means:   "The kubelet has not confirmed that the pod's containers stopped, although the grace period is over and the node is up.",
			Summary: "deleted {{.Age}} ago, past its grace period, on a Ready node, without finalizers",
			Fix: `Find out what the kubelet on node {{.Node}} is waiting for:
  journalctl -u kubelet | grep {{.Pod}}
  crictl pods --name {{.Pod}}; crictl ps -a | grep {{.Pod}}
If the containers are really gone, force-delete the pod: kubectl -n {{.Namespace}} delete pod {{.Pod}} --grace-period=0 --force{{if .StatefulSet}} (it belongs to a StatefulSet: be sure it no longer runs, or two pods with one identity may run){{end}}`,
		},
		{
			ID: "namespace-terminating", State: "Terminating", On: Derived,
			Detect:  "TARGET namespace/NAME is being deleted: the resources still inside it (by kind, from the dump and the namespace's conditions) and its remaining spec.finalizers.",
			Means:   "A namespace is removed only when everything inside it is gone and its finalizers are cleared; resources being deleted, their finalizers, or an API that cannot be listed keep it Terminating.",
			Summary: "namespace {{.Namespace}} has been terminating for {{.Age}}: {{.Detail}}",
			Fix: `List what is still inside:
  kubectl api-resources --verbs=list --namespaced -o name | xargs -n 1 kubectl get --show-kind --ignore-not-found -n {{.Namespace}}
Delete those resources (and clear their own finalizers if their controller is gone). If only the namespace's finalizers remain:
  kubectl get namespace {{.Namespace}} -o json | jq '.spec.finalizers=[]' > /tmp/ns.json
  kubectl proxy &
  curl -k -H "Content-Type: application/json" -X PUT --data-binary @/tmp/ns.json http://127.0.0.1:8001/api/v1/namespaces/{{.Namespace}}/finalize`,
		},

		// ---- Anything else ----
		{
			ID: "unknown", State: "any", On: Derived,
			Detect:  "The object is stuck and no row above matches; the evidence found is listed.",
			Means:   "podlint why cannot tell; the evidence lists what it found.",
			Summary: "stuck in {{.Detail}} for {{.Age}}; no known cause matches the evidence",
			Fix: `Look at the pod the way the guide does:
  kubectl get pods {{.Pod}} -n {{.Namespace}} -o wide
  kubectl get pods {{.Pod}} -n {{.Namespace}} -o yaml
  ` + describe + `
  kubectl logs -n {{.Namespace}} {{.Pod}}{{if .Container}} -c {{.Container}}{{end}} [--previous]
On the node: journalctl -u kubelet; journalctl -u containerd (or docker).`,
		},
	}
}

// Table is the compiled rule table of one run.
type Table struct {
	Rules []Rule
	// res holds each row's patterns as one case-insensitive alternation.
	res   []*regexp.Regexp
	sum   []*template.Template
	fix   []*template.Template
	byKey map[string]int
	// memo remembers verdicts: replicas of one workload repeat the same
	// messages, so a large cluster asks the same question many times.
	mu   sync.Mutex
	memo map[matchKey]int
}

type matchKey struct {
	on              Source
	reason, message string
	facts           Facts
}

// NewTable compiles the rules; a bad pattern or template is a programming
// error that the tests catch.
func NewTable(rules []Rule) (*Table, error) {
	t := &Table{Rules: rules, byKey: map[string]int{}, memo: map[matchKey]int{}}
	for i := range rules {
		r := &rules[i]
		var re *regexp.Regexp
		if len(r.Patterns) > 0 {
			for _, p := range r.Patterns {
				if _, err := regexp.Compile(p); err != nil {
					return nil, fmt.Errorf("rule %s: pattern %q: %w", r.Key(), p, err)
				}
			}
			var err error
			if re, err = regexp.Compile("(?i)(?:" + strings.Join(r.Patterns, "|") + ")"); err != nil {
				return nil, fmt.Errorf("rule %s: patterns: %w", r.Key(), err)
			}
		}
		t.res = append(t.res, re)
		sum, err := template.New(r.Key()).Option("missingkey=error").Parse(r.Summary)
		if err != nil {
			return nil, fmt.Errorf("rule %s: summary: %w", r.Key(), err)
		}
		fix, err := template.New(r.Key()).Option("missingkey=error").Parse(r.Fix)
		if err != nil {
			return nil, fmt.Errorf("rule %s: fix: %w", r.Key(), err)
		}
		t.sum, t.fix = append(t.sum, sum), append(t.fix, fix)
		if _, dup := t.byKey[r.Key()]; dup {
			return nil, fmt.Errorf("rule %s: duplicate row", r.Key())
		}
		t.byKey[r.Key()] = i
	}
	return t, nil
}

// Facts are what the message-matching rows may need beyond the message.
type Facts struct {
	TinyMemory bool
}

// Match returns the first row of source on whose reasons include reason
// (or that has none) and one of whose patterns matches message, or nil.
func (t *Table) Match(on Source, reason, message string, f Facts) *Rule {
	k := matchKey{on, reason, message, f}
	t.mu.Lock()
	i, ok := t.memo[k]
	t.mu.Unlock()
	if !ok {
		i = t.match(on, reason, message, f)
		t.mu.Lock()
		t.memo[k] = i
		t.mu.Unlock()
	}
	if i < 0 {
		return nil
	}
	return &t.Rules[i]
}

func (t *Table) match(on Source, reason, message string, f Facts) int {
	for i := range t.Rules {
		r := &t.Rules[i]
		if r.On&on == 0 || r.On == Derived {
			continue
		}
		if len(r.Reasons) > 0 && !slices.Contains(r.Reasons, reason) {
			continue
		}
		if r.Needs == NeedTinyMemory && !f.TinyMemory {
			continue
		}
		if t.res[i] == nil || t.res[i].MatchString(message) {
			return i
		}
	}
	return -1
}

// Rule returns the row with the given key (ID, or ID/sub).
func (t *Table) Rule(key string) *Rule {
	if i, ok := t.byKey[key]; ok {
		return &t.Rules[i]
	}
	panic("why: no rule " + key)
}

func (t *Table) index(r *Rule) int { return t.byKey[r.Key()] }

// Render fills a row's summary and remediation.
func (t *Table) Render(r *Rule, v Vars) (summary, fix string) {
	i := t.index(r)
	var b strings.Builder
	if err := t.sum[i].Execute(&b, v); err != nil {
		summary = r.Summary
	} else {
		summary = b.String()
	}
	b.Reset()
	if err := t.fix[i].Execute(&b, v); err != nil {
		fix = r.Fix
	} else {
		fix = b.String()
	}
	return summary, fix
}
