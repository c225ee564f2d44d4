#!/usr/bin/env python3
"""Writes why/testdata/*.yaml|json: one kubectl dump per cause of podlint why.

The dumps are what `kubectl get pods,events,nodes,namespaces,daemonsets,
deployments,replicasets,statefulsets,jobs,cronjobs,leases -A -o yaml|json`
prints, with realistic statuses and events (kubelet, scheduler and
controller wordings of Docker, containerd and CRI-O and several Kubernetes
versions). Run it from the repository root after changing it, then
`go test ./why -run TestFixtures -update` and review the golden diffs.
"""
import copy, json, os, zlib
from datetime import datetime, timedelta, timezone
import yaml

NOW = datetime(2025, 3, 10, 10, 0, 0, tzinfo=timezone.utc)
OUT = "why/testdata"
_uid = [0]


def h(s):
    """A stable hash (Python's hash() changes between runs)."""
    return zlib.crc32(s.encode())


def ts(minutes_ago):
    return (NOW - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def uid(seed):
    _uid[0] += 1
    return "%08x-%04x-4%03x-8%03x-%012x" % (h(seed) & 0xffffffff, _uid[0], _uid[0], _uid[0], _uid[0] * 7919)


def meta(name, ns=None, created=600, labels=None, owner=None, extra=None):
    m = {"name": name, "uid": uid(name), "resourceVersion": str(1000 + _uid[0]), "creationTimestamp": ts(created)}
    if ns:
        m["namespace"] = ns
    if labels:
        m["labels"] = labels
    if owner:
        m["ownerReferences"] = [{"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
                                 "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
    if extra:
        m.update(extra)
    return m


# ---- cluster objects ----

def node(name, ready=True, labels=None, taints=None, pods="110", cpu="4", memory="16374652Ki", since=2000, reason=None, message=None, runtime="containerd://1.7.24", kubelet="v1.32.2"):
    lbl = {"kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}
    lbl.update(labels or {})
    status = "True" if ready is True else ("False" if ready is False else "Unknown")
    cond = {"type": "Ready", "status": status, "lastHeartbeatTime": ts(0 if ready is True else since), "lastTransitionTime": ts(since),
            "reason": reason or ("KubeletReady" if ready is True else "NodeStatusUnknown"),
            "message": message or ("kubelet is posting ready status" if ready is True else "Kubelet stopped posting node status.")}
    n = {"apiVersion": "v1", "kind": "Node", "metadata": meta(name, created=50000, labels=lbl),
         "spec": {"podCIDR": "10.244.%d.0/24" % (_uid[0] % 250)},
         "status": {"allocatable": {"cpu": cpu, "ephemeral-storage": "95491281146", "memory": memory, "pods": pods},
                    "capacity": {"cpu": cpu, "ephemeral-storage": "103615972Ki", "memory": memory, "pods": pods},
                    "conditions": [
                        {"type": "MemoryPressure", "status": "False", "lastHeartbeatTime": cond["lastHeartbeatTime"], "lastTransitionTime": ts(50000), "reason": "KubeletHasSufficientMemory", "message": "kubelet has sufficient memory available"},
                        {"type": "DiskPressure", "status": "False", "lastHeartbeatTime": cond["lastHeartbeatTime"], "lastTransitionTime": ts(50000), "reason": "KubeletHasNoDiskPressure", "message": "kubelet has no disk pressure"},
                        cond],
                    "nodeInfo": {"containerRuntimeVersion": runtime, "kubeletVersion": kubelet, "architecture": "amd64", "operatingSystem": "linux",
                                 "osImage": "Ubuntu 22.04.5 LTS", "kernelVersion": "5.15.0-131-generic"},
                    "addresses": [{"type": "InternalIP", "address": "10.0.0.%d" % (10 + _uid[0] % 200)}, {"type": "Hostname", "address": name}]}}
    if taints:
        n["spec"]["taints"] = taints
    return n


def namespace(name, terminating=False, finalizers=("kubernetes",), conditions=None, deleted=0):
    n = {"apiVersion": "v1", "kind": "Namespace", "metadata": meta(name, created=90000, labels={"kubernetes.io/metadata.name": name}),
         "spec": {"finalizers": list(finalizers)}, "status": {"phase": "Active"}}
    if terminating:
        n["metadata"]["deletionTimestamp"] = ts(deleted)
        n["status"]["phase"] = "Terminating"
        if conditions:
            n["status"]["conditions"] = conditions
    return n


def lease(name, ns="kube-system", renewed=0, holder=None, duration=15):
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": meta(name, ns, created=90000),
            "spec": {"holderIdentity": holder or (name + "-cp-1_6f1c1a9e"), "leaseDurationSeconds": duration,
                     "acquireTime": ts(90000).replace("Z", ".000000Z"), "renewTime": ts(renewed).replace("Z", ".000000Z"), "leaseTransitions": 3}}


def base(nodes=None):
    """Nodes, namespaces and the control plane's leases (renewed now)."""
    items = nodes if nodes is not None else [node("worker-1"), node("worker-2"), node("worker-3")]
    items = list(items) + [namespace("default"), namespace("kube-system"), namespace("shop"),
                           lease("kube-scheduler"), lease("kube-controller-manager")]
    return items


# ---- workloads ----

def container(name="app", image="registry.example.com/shop/web:1.4.2", resources=None, ports=None, extra=None):
    c = {"name": name, "image": image, "imagePullPolicy": "IfNotPresent",
         "resources": resources if resources is not None else {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
         "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
         "volumeMounts": [{"name": "kube-api-access-x7k2p", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": True}]}
    if ports:
        c["ports"] = ports
    if extra:
        c.update(extra)
    return c


def podspec(containers, node=None, extra=None):
    s = {"containers": containers, "dnsPolicy": "ClusterFirst", "enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority",
         "priority": 0, "restartPolicy": "Always", "schedulerName": "default-scheduler", "securityContext": {},
         "serviceAccount": "default", "serviceAccountName": "default", "terminationGracePeriodSeconds": 30,
         "tolerations": [{"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
                         {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}],
         "volumes": [{"name": "kube-api-access-x7k2p", "projected": {"defaultMode": 420, "sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}}]}
    if node:
        s["nodeName"] = node
    if extra:
        s.update(extra)
    return s


def template_of(spec, labels):
    t = copy.deepcopy(spec)
    t.pop("nodeName", None)
    for k in ("serviceAccount", "tolerations", "volumes", "enableServiceLinks", "preemptionPolicy", "priority"):
        t.pop(k, None)
    for c in t["containers"]:
        c.pop("volumeMounts", None)
    return {"metadata": {"labels": labels}, "spec": t}


def deployment(name, spec, ns="shop", replicas=3, ready=0, created=120, extra_status=None):
    labels = {"app": name}
    d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(name, ns, created=created, labels=labels, extra={"generation": 1}),
         "spec": {"replicas": replicas, "revisionHistoryLimit": 10, "selector": {"matchLabels": labels},
                  "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                  "template": template_of(spec, labels)},
         "status": {"observedGeneration": 1, "replicas": replicas, "updatedReplicas": replicas, "unavailableReplicas": replicas - ready,
                    "conditions": [{"type": "Available", "status": "True" if ready else "False", "reason": "MinimumReplicasAvailable" if ready else "MinimumReplicasUnavailable",
                                    "message": "Deployment has minimum availability." if ready else "Deployment does not have minimum availability.",
                                    "lastTransitionTime": ts(created), "lastUpdateTime": ts(created)}]}}
    if ready:
        d["status"]["readyReplicas"] = ready
        d["status"]["availableReplicas"] = ready
    if extra_status:
        d["status"].update(extra_status)
    return d


def replicaset(deploy, hash_, replicas=None, have=None, created=None):
    name = deploy["metadata"]["name"] + "-" + hash_
    labels = dict(deploy["spec"]["selector"]["matchLabels"], **{"pod-template-hash": hash_})
    r = replicas if replicas is not None else deploy["spec"]["replicas"]
    tmpl = copy.deepcopy(deploy["spec"]["template"])
    tmpl["metadata"]["labels"] = labels
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": meta(name, deploy["metadata"]["namespace"], created=created or 120, labels=labels, owner=deploy,
                           extra={"annotations": {"deployment.kubernetes.io/desired-replicas": str(r), "deployment.kubernetes.io/revision": "1"}, "generation": 1}),
          "spec": {"replicas": r, "selector": {"matchLabels": labels}, "template": tmpl},
          "status": {"observedGeneration": 1, "replicas": have if have is not None else r, "fullyLabeledReplicas": have if have is not None else r}}
    return rs


def pod_of(owner, suffix, spec, node=None, status=None, created=60, ns=None, extra_meta=None):
    labels = dict(owner["spec"]["selector"]["matchLabels"]) if owner and "selector" in owner["spec"] else {}
    if owner and owner["kind"] == "ReplicaSet":
        name = owner["metadata"]["name"] + "-" + suffix
    elif owner:
        name = owner["metadata"]["name"] + "-" + suffix
    else:
        name = suffix
    p = {"apiVersion": "v1", "kind": "Pod",
         "metadata": meta(name, ns or (owner["metadata"]["namespace"] if owner else "shop"), created=created, labels=labels or None, owner=owner, extra=extra_meta),
         "spec": copy.deepcopy(spec), "status": status or {}}
    if node:
        p["spec"]["nodeName"] = node
    return p


def conds(scheduled=True, initialized=True, ready=False, created=60, sched_msg=None):
    if not scheduled:
        c = {"type": "PodScheduled", "status": "False", "lastProbeTime": None, "lastTransitionTime": ts(created), "reason": "Unschedulable"}
        if sched_msg:
            c["message"] = sched_msg
        return [c]
    st = "True" if ready else "False"
    out = [{"type": "PodReadyToStartContainers", "status": "True" if initialized else "False", "lastProbeTime": None, "lastTransitionTime": ts(created)},
           {"type": "Initialized", "status": "True" if initialized else "False", "lastProbeTime": None, "lastTransitionTime": ts(created)},
           {"type": "Ready", "status": st, "lastProbeTime": None, "lastTransitionTime": ts(created)},
           {"type": "ContainersReady", "status": st, "lastProbeTime": None, "lastTransitionTime": ts(created)},
           {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": ts(created)}]
    if not ready:
        for c in out[2:4]:
            c["reason"] = "ContainersNotReady"
            c["message"] = "containers with unready status: [app]"
    return out


def cstatus(name, image, waiting=None, running=None, terminated=None, last=None, restarts=0, ready=False, started=False, image_id=""):
    s = {"name": name, "image": image, "imageID": image_id, "ready": ready, "restartCount": restarts, "started": started, "state": {}, "lastState": {}}
    if waiting:
        s["state"]["waiting"] = {"reason": waiting[0]}
        if len(waiting) > 1 and waiting[1]:
            s["state"]["waiting"]["message"] = waiting[1]
    if running is not None:
        s["state"]["running"] = {"startedAt": ts(running)}
    if terminated:
        s["state"]["terminated"] = terminated
    if last:
        s["lastState"]["terminated"] = last
    if image_id or running is not None or last:
        s["containerID"] = "containerd://" + ("%064x" % (h(name + image) & (2**256 - 1)))[:64]
    return s


def term(reason, code, started, finished, message=None):
    t = {"reason": reason, "exitCode": code, "startedAt": ts(started), "finishedAt": ts(finished),
         "containerID": "containerd://" + ("%064x" % (h(reason + str(started)) & (2**256 - 1)))[:64]}
    if message:
        t["message"] = message
    return t


def pstatus(phase="Pending", conditions=None, statuses=None, init_statuses=None, host=None, started=60, reason=None, message=None):
    s = {"phase": phase, "conditions": conditions or [], "qosClass": "Burstable"}
    if host:
        s["hostIP"] = "10.0.0.21"
        s["hostIPs"] = [{"ip": "10.0.0.21"}]
        s["startTime"] = ts(started)
    if statuses is not None:
        s["containerStatuses"] = statuses
    if init_statuses is not None:
        s["initContainerStatuses"] = init_statuses
    if reason:
        s["reason"] = reason
    if message:
        s["message"] = message
    return s


# ---- events ----

def event(obj, reason, message, typ="Warning", count=1, first=5, last=0, component="kubelet", host=None, field=None):
    """A core/v1 Event as kubelet and the controllers write them."""
    m = obj["metadata"]
    e = {"apiVersion": "v1", "kind": "Event", "count": count, "type": typ, "reason": reason, "message": message,
         "firstTimestamp": ts(first), "lastTimestamp": ts(last), "eventTime": None,
         "involvedObject": {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": m["name"], "namespace": m.get("namespace"),
                            "uid": m["uid"], "resourceVersion": m["resourceVersion"]},
         "metadata": {"name": "%s.%x" % (m["name"], abs(h(reason + message)) % (16 ** 16)), "namespace": m.get("namespace", "default"),
                      "uid": uid(reason), "resourceVersion": str(5000 + _uid[0]), "creationTimestamp": ts(first)},
         "source": {"component": component}, "reportingComponent": component, "reportingInstance": host or ""}
    if host:
        e["source"]["host"] = host
    if field:
        e["involvedObject"]["fieldPath"] = field
    return e


def sched_event(p, message, count=1, first=5, last=0):
    """A scheduler event: written through events.k8s.io/v1 and read back
    through core/v1, as kubectl get events prints it (eventTime, series,
    no firstTimestamp or count)."""
    m = p["metadata"]
    e = {"apiVersion": "v1", "kind": "Event", "type": "Warning", "reason": "FailedScheduling", "message": message, "action": "Scheduling",
         "eventTime": ts(first).replace("Z", ".120342Z"), "firstTimestamp": None, "lastTimestamp": None,
         "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": m["name"], "namespace": m["namespace"], "uid": m["uid"], "resourceVersion": m["resourceVersion"]},
         "metadata": {"name": "%s.%x" % (m["name"], abs(h(message)) % (16 ** 16)), "namespace": m["namespace"], "uid": uid("sched"),
                      "resourceVersion": str(6000 + _uid[0]), "creationTimestamp": ts(first)},
         "reportingComponent": "default-scheduler", "reportingInstance": "default-scheduler-cp-1", "source": {}}
    if count > 1:
        e["series"] = {"count": count, "lastObservedTime": ts(last).replace("Z", ".561211Z")}
    return e


def event_v1(obj, reason, note, typ="Warning", count=1, first=5, last=0, controller="kubelet", instance="", field=None, action="Unknown"):
    """An events.k8s.io/v1 Event (kubectl get events.events.k8s.io)."""
    m = obj["metadata"]
    e = {"apiVersion": "events.k8s.io/v1", "kind": "Event", "type": typ, "reason": reason, "note": note, "action": action,
         "eventTime": ts(first).replace("Z", ".000000Z"), "reportingController": controller, "reportingInstance": instance,
         "regarding": {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": m["name"], "namespace": m.get("namespace"), "uid": m["uid"]},
         "metadata": {"name": "%s.%x" % (m["name"], abs(h(reason + note)) % (16 ** 16)), "namespace": m.get("namespace", "default"),
                      "uid": uid(reason), "resourceVersion": str(7000 + _uid[0]), "creationTimestamp": ts(first)}}
    if count > 1:
        e["series"] = {"count": count, "lastObservedTime": ts(last).replace("Z", ".000000Z")}
    if field:
        e["regarding"]["fieldPath"] = field
    return e


def container_log(p, cname, lines, previous=True):
    return {"apiVersion": "podlint.io/v1", "kind": "ContainerLog", "metadata": {"namespace": p["metadata"]["namespace"], "name": p["metadata"]["name"]},
            "container": cname, "previous": previous, "lines": lines}


# ---- writing ----

def write(name, items, fmt="yaml"):
    lst = {"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}}
    path = os.path.join(OUT, name + "." + fmt)
    with open(path, "w") as f:
        if fmt == "json":
            json.dump(lst, f, indent=4)
            f.write("\n")
        else:
            f.write(yaml.safe_dump(lst, default_flow_style=False, sort_keys=True, width=1 << 20))


def write_docs(name, items):
    """A multi-document YAML stream, as several kubectl runs appended."""
    path = os.path.join(OUT, name + ".yaml")
    with open(path, "w") as f:
        f.write(yaml.safe_dump_all(items, default_flow_style=False, sort_keys=True, width=1 << 20, explicit_start=True))


# ---- a Deployment with one stuck pod: the common shape ----

def stuck_deploy(name, c, status_fn, node_name="worker-2", replicas=1, ns="shop", extra_spec=None, created=30):
    spec = podspec([c], extra=extra_spec)
    d = deployment(name, spec, ns=ns, replicas=replicas, created=created)
    rs = replicaset(d, "7d9c8b5f4", created=created)
    p = pod_of(rs, "x2k4f", spec, node=node_name, created=created)
    p["status"] = status_fn(p)
    return d, rs, p


def image_pull_fixture(fname, image, message, node_name="worker-2", runtime="containerd://1.7.24", fmt="yaml", waiting_err=False, extra_events=()):
    c = container(image=image)

    def st(p):
        w = ("ErrImagePull", message) if waiting_err else ("ImagePullBackOff", 'Back-off pulling image "%s"' % image)
        return pstatus(conditions=conds(created=14), statuses=[cstatus("app", image, waiting=w)], host=True, started=14)
    d, rs, p = stuck_deploy("web", c, st, node_name=node_name, created=14)
    nodes = [node("worker-1", runtime=runtime), node("worker-2", runtime=runtime), node("worker-3", runtime=runtime)]
    field = "spec.containers{app}"
    evs = [event(p, "Scheduled", "Successfully assigned shop/%s to %s" % (p["metadata"]["name"], node_name), typ="Normal", first=14, last=14, component="default-scheduler"),
           event(p, "Pulling", 'Pulling image "%s"' % image, typ="Normal", count=7, first=14, last=3, host=node_name, field=field),
           event(p, "Failed", 'Failed to pull image "%s": %s' % (image, message), count=7, first=14, last=3, host=node_name, field=field),
           event(p, "Failed", "Error: ErrImagePull", count=7, first=14, last=3, host=node_name, field=field),
           event(p, "BackOff", 'Back-off pulling image "%s"' % image, typ="Normal", count=52, first=14, last=0, host=node_name, field=field),
           event(p, "Failed", "Error: ImagePullBackOff", count=52, first=14, last=0, host=node_name, field=field)]
    write(fname, base(nodes) + [d, rs, p] + evs + list(extra_events), fmt)


def main():
    os.makedirs(OUT, exist_ok=True)

    # ================= Pending =================
    # scheduler-not-running: no scheduling event; the scheduler's lease is 3h old and its pod is not ready.
    spec = podspec([container()])
    d = deployment("web", spec, replicas=1, created=12)
    rs = replicaset(d, "6b7f9c4d8", created=12)
    p = pod_of(rs, "q8s2n", spec, created=12)
    p["status"] = {"phase": "Pending", "qosClass": "Burstable"}
    sched = {"apiVersion": "v1", "kind": "Pod", "metadata": meta("kube-scheduler-cp-1", "kube-system", created=50000,
             labels={"component": "kube-scheduler", "tier": "control-plane"}),
             "spec": podspec([container("kube-scheduler", "registry.k8s.io/kube-scheduler:v1.32.2", resources={"requests": {"cpu": "100m"}})], node="cp-1",
                             extra={"hostNetwork": True, "priorityClassName": "system-node-critical", "priority": 2000001000}),
             "status": pstatus("Running", conditions=conds(created=200), host=True, started=50000,
                               statuses=[cstatus("kube-scheduler", "registry.k8s.io/kube-scheduler:v1.32.2", waiting=("CrashLoopBackOff", "back-off 5m0s restarting failed container=kube-scheduler pod=kube-scheduler-cp-1_kube-system(4b1f2c)"),
                                                 last=term("Error", 1, 185, 184), restarts=37)])}
    items = [node("cp-1", labels={"node-role.kubernetes.io/control-plane": ""}, taints=[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]),
             node("worker-1"), node("worker-2"), namespace("default"), namespace("kube-system"), namespace("shop"),
             lease("kube-scheduler", renewed=190), lease("kube-controller-manager"), d, rs, p, sched]
    write("scheduler-not-running", items)

    # volume-not-bound: a StatefulSet's claim without a StorageClass; events.k8s.io/v1 events.
    spec = podspec([container("db", "postgres:16.4", extra={"volumeMounts": [{"name": "data", "mountPath": "/var/lib/postgresql/data"}]})])
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta("db", "shop", created=25, labels={"app": "db"}, extra={"generation": 1}),
           "spec": {"replicas": 1, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}}, "template": template_of(spec, {"app": "db"}),
                    "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "20Gi"}}}}]},
           "status": {"replicas": 1, "currentReplicas": 1, "availableReplicas": 0, "observedGeneration": 1}}
    spec["volumes"].append({"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}})
    p = pod_of(sts, "0", spec, created=25)
    p["status"] = pstatus(conditions=conds(scheduled=False, created=25, sched_msg="0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."))
    evs = [event_v1(p, "FailedScheduling", "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
                    count=6, first=25, last=2, controller="default-scheduler", instance="default-scheduler-cp-1", action="Scheduling")]
    write("volume-not-bound", base() + [sts, p] + evs)

    # too-many-pods: the guide's old scheduler wording.
    spec = podspec([container()])
    d = deployment("web", spec, replicas=1, created=20)
    rs = replicaset(d, "54fd454f64", created=20)
    p = pod_of(rs, "clbd7", spec, created=20)
    p["status"] = pstatus(conditions=conds(scheduled=False, created=20))
    evs = [event(p, "FailedScheduling", "No nodes are available that match all of the predicates: Insufficient pods (3).", count=14, first=20, last=1, component="default-scheduler")]
    write("too-many-pods", base([node("m7-devops-128071"), node("m7-devops-128072"), node("m7-devops-128073")]) + [d, rs, p] + evs)

    # insufficient-resources: cpu: "500" (cores, meant 500m) on 4-core nodes.
    c = container(resources={"requests": {"cpu": "500", "memory": "512Mi"}, "limits": {"memory": "512Mi"}})
    spec = podspec([c])
    d = deployment("cart", spec, replicas=2, created=9)
    rs = replicaset(d, "5c8d7b9f6", created=9)
    pods = []
    for sfx in ("h2k9x", "m4p7q"):
        p = pod_of(rs, sfx, spec, created=9)
        p["status"] = pstatus(conditions=conds(scheduled=False, created=9))
        pods.append(p)
    evs = [sched_event(pp, "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.", count=9, first=9, last=1) for pp in pods]
    write("insufficient-resources", base([node("cp-1", taints=[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}], labels={"node-role.kubernetes.io/control-plane": ""}),
                                         node("worker-1"), node("worker-2"), node("worker-3")]) + [d, rs] + pods + evs, "json")

    # host-port-in-use: 4 replicas with hostPort 8080 on 3 nodes.
    c = container(ports=[{"containerPort": 8080, "hostPort": 8080, "protocol": "TCP", "name": "http"}])
    spec = podspec([c])
    d = deployment("ingress", spec, replicas=4, ready=3, created=40)
    rs = replicaset(d, "7f6d8c9b5", created=40)
    items = base() + [d, rs]
    for i, (sfx, n) in enumerate([("a1b2c", "worker-1"), ("d3e4f", "worker-2"), ("g5h6i", "worker-3")]):
        pp = pod_of(rs, sfx, spec, node=n, created=40)
        pp["status"] = pstatus("Running", conditions=conds(ready=True, created=39), host=True, started=40, statuses=[cstatus("app", c["image"], running=39, ready=True, started=True, image_id="sha256:1f2e")])
        items.append(pp)
    p = pod_of(rs, "j7k8l", spec, created=40)
    p["status"] = pstatus(conditions=conds(scheduled=False, created=40))
    items += [p, sched_event(p, "0/3 nodes are available: 3 node(s) didn't have free ports for the requested pod ports. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.", count=23, first=40, last=2)]
    write("host-port-in-use", items)

    # pod-affinity-mismatch
    aff = {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {"matchLabels": {"app": "redis"}}, "topologyKey": "kubernetes.io/hostname"}]}}}
    spec = podspec([container("redis", "redis:7.4")], extra=aff)
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta("redis", "shop", created=30, labels={"app": "redis"}),
           "spec": {"replicas": 4, "serviceName": "redis", "selector": {"matchLabels": {"app": "redis"}}, "template": template_of(spec, {"app": "redis"})},
           "status": {"replicas": 4, "readyReplicas": 3, "currentReplicas": 4}}
    items = base() + [sts]
    for i, n in enumerate(["worker-1", "worker-2", "worker-3"]):
        pp = pod_of(sts, str(i), spec, node=n, created=30)
        pp["status"] = pstatus("Running", conditions=conds(ready=True, created=29), host=True, started=30, statuses=[cstatus("redis", "redis:7.4", running=29, ready=True, started=True, image_id="sha256:aa")])
        items.append(pp)
    p = pod_of(sts, "3", spec, created=28)
    p["status"] = pstatus(conditions=conds(scheduled=False, created=28))
    items += [p, sched_event(p, "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.", count=12, first=28, last=3)]
    write("pod-affinity-mismatch", items)

    # topology-spread-mismatch
    tsc = {"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "api"}}}]}
    spec = podspec([container()], extra=tsc)
    d = deployment("api", spec, replicas=1, created=15)
    rs = replicaset(d, "8f7e6d5c4", created=15)
    p = pod_of(rs, "z9y8x", spec, created=15)
    p["status"] = pstatus(conditions=conds(scheduled=False, created=15))
    evs = [sched_event(p, "0/3 nodes are available: 3 node(s) didn't match pod topology spread constraints (missing required label). preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.", count=8, first=15, last=1)]
    write("topology-spread-mismatch", base() + [d, rs, p] + evs)

    # taint-not-tolerated: 1.26+ wording, dedicated GPU nodes and a cordoned node.
    spec = podspec([container()])
    d = deployment("report", spec, replicas=1, created=18)
    rs = replicaset(d, "6c5d4e3f2", created=18)
    p = pod_of(rs, "p0o9i", spec, created=18)
    p["status"] = pstatus(conditions=conds(scheduled=False, created=18))
    nodes = [node("gpu-1", taints=[{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]), node("gpu-2", taints=[{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]),
             node("worker-1", taints=[{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule", "timeAdded": ts(60)}])]
    nodes[2]["spec"]["unschedulable"] = True
    evs = [sched_event(p, "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.", count=11, first=18, last=2)]
    write("taint-not-tolerated", base(nodes) + [d, rs, p] + evs)

    # node-selector-mismatch: 1.1x wording with the "that the pod didn't tolerate" clause.
    spec = podspec([container()], extra={"nodeSelector": {"disktype": "nvme"}})
    d = deployment("search", spec, replicas=1, created=33)
    rs = replicaset(d, "59b8c7d6e", created=33)
    p = pod_of(rs, "r5t6y", spec, created=33)
    p["status"] = pstatus(conditions=conds(scheduled=False, created=33))
    nodes = [node("master-1", labels={"node-role.kubernetes.io/master": ""}, taints=[{"key": "node-role.kubernetes.io/master", "effect": "NoSchedule"}], kubelet="v1.18.20", runtime="docker://19.3.15"),
             node("worker-1", labels={"disktype": "ssd"}, kubelet="v1.18.20", runtime="docker://19.3.15"), node("worker-2", labels={"disktype": "ssd"}, kubelet="v1.18.20", runtime="docker://19.3.15")]
    evs = [event(p, "FailedScheduling", "0/3 nodes are available: 1 node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't tolerate, 2 node(s) didn't match node selector.",
                 count=18, first=33, last=1, component="default-scheduler")]
    write("node-selector-mismatch", base(nodes) + [d, rs, p] + evs)

    # ================= DaemonSet without pods =================
    def ds(name, ns, ports, host_network, desired, current, image):
        spec = podspec([container("node-exporter", image, ports=ports, resources={"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}})],
                       extra={"hostNetwork": host_network, "hostPID": host_network})
        lbl = {"app.kubernetes.io/name": name}
        return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta(name, ns, created=17 if desired == 0 else 20000, labels=lbl, extra={"generation": 1}),
                "spec": {"selector": {"matchLabels": lbl}, "template": template_of(spec, lbl), "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}},
                "status": {"currentNumberScheduled": current, "desiredNumberScheduled": desired, "numberMisscheduled": 0, "numberReady": current, "observedGeneration": 1,
                           "updatedNumberScheduled": current, "numberAvailable": current}}
    holder = ds("node-exporter", "monitoring", [{"containerPort": 9100, "name": "metrics", "protocol": "TCP"}], True, 4, 4, "quay.io/prometheus/node-exporter:v1.8.2")
    newds = ds("my-prom-prometheus-node-exporter", "monitoring", [{"containerPort": 9100, "hostPort": 9100, "name": "metrics", "protocol": "TCP"}], True, 0, 0, "quay.io/prometheus/node-exporter:v1.8.2")
    nodes = [node("m7-devops-128%03d" % i, kubelet="v1.11.10", runtime="docker://18.3.1") for i in (107, 119, 123, 124)]
    write("daemonset-host-port-conflict", base(nodes) + [namespace("monitoring"), holder, newds])

    # ================= ContainerCreating =================
    # sandbox-memory-too-small: memory: 1024m (1.024 bytes), docker-era kubelet.
    c = container("app", "docker02:35000/env/app:3.2.0", resources={"requests": {"cpu": "100m", "memory": "1024m"}, "limits": {"cpu": "1", "memory": "1024m"}})
    def st(p):
        return pstatus(conditions=conds(initialized=False, created=25), statuses=[cstatus("app", c["image"], waiting=("ContainerCreating",))], host=True, started=25)
    d, rs, p = stuck_deploy("executor", c, st, node_name="worker-1", created=25, extra_spec={"imagePullSecrets": [{"name": "docker02"}]})
    evs = [event(p, "Scheduled", "Successfully assigned shop/%s to worker-1" % p["metadata"]["name"], typ="Normal", first=25, last=25, component="default-scheduler"),
           event(p, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.", typ="Normal", count=41, first=25, last=0, host="worker-1"),
           event(p, "FailedCreatePodSandBox", 'Failed create pod sandbox: rpc error: code = Unknown desc = failed to start sandbox container for pod "%s": Error response from daemon: OCI runtime create failed: container_linux.go:348: starting container process caused "process_linux.go:301: running exec setns process for init caused \\"signal: killed\\"": unknown' % p["metadata"]["name"],
                 count=40, first=25, last=0, host="worker-1")]
    write("sandbox-memory-too-small", base([node("worker-1", runtime="docker://18.9.9", kubelet="v1.15.12")]) + [d, rs, p] + evs)

    # sandbox-image-pull-failed: containerd cannot pull the pause image from a registry that needs a login.
    ds_spec = podspec([container("dnsutils", "registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3")])
    dsu = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta("dnsutils-ds", "default", created=3, labels={"app": "dnsutils"}),
           "spec": {"selector": {"matchLabels": {"app": "dnsutils"}}, "template": template_of(ds_spec, {"app": "dnsutils"})},
           "status": {"currentNumberScheduled": 1, "desiredNumberScheduled": 1, "numberReady": 0, "numberUnavailable": 1, "updatedNumberScheduled": 1}}
    p = pod_of(dsu, "7q6dr", ds_spec, node="scriptk8c", created=3)
    p["status"] = pstatus(conditions=conds(initialized=False, created=3), statuses=[cstatus("dnsutils", "registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3", waiting=("ContainerCreating",))], host=True, started=3)
    msg = ('Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox image "docker02:35000/rhel7/pod-infrastructure:latest": failed to pull image "docker02:35000/rhel7/pod-infrastructure:latest": '
           'failed to pull and unpack image "docker02:35000/rhel7/pod-infrastructure:latest": failed to resolve reference "docker02:35000/rhel7/pod-infrastructure:latest": '
           'pulling from host docker02:35000 failed with status code [manifests latest]: 401 Unauthorized')
    evs = [event(p, "Scheduled", "Successfully assigned default/%s to scriptk8c" % p["metadata"]["name"], typ="Normal", first=3, last=3, component="default-scheduler"),
           event(p, "FailedCreatePodSandBox", msg, count=8, first=3, last=0, host="scriptk8c")]
    write("sandbox-image-pull-failed", base([node("scriptk8c")]) + [dsu, p] + evs)

    # sandbox-create-failed: the CNI plugin on the node fails (calico, containerd).
    c = container()
    def st(p):
        return pstatus(conditions=conds(initialized=False, created=7), statuses=[cstatus("app", c["image"], waiting=("ContainerCreating",))], host=True, started=7)
    d, rs, p = stuck_deploy("web", c, st, node_name="worker-3", created=7)
    evs = [event(p, "FailedCreatePodSandBox", 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "9c1f0e54b2a1d8c7": plugin type="calico" failed (add): error getting ClusterInformation: connection is unauthorized: Unauthorized',
                 count=31, first=7, last=0, host="worker-3")]
    write("sandbox-create-failed", base() + [d, rs, p] + evs)

    # volume-mount-failed: Multi-Attach of a ReadWriteOnce volume after a node move, and a missing ConfigMap.
    spec = podspec([container("db", "postgres:16.4")])
    spec["volumes"].append({"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}})
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta("db", "shop", created=900, labels={"app": "db"}),
           "spec": {"replicas": 1, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}}, "template": template_of(spec, {"app": "db"})},
           "status": {"replicas": 1, "currentReplicas": 1}}
    p = pod_of(sts, "0", spec, node="worker-2", created=11)
    p["status"] = pstatus(conditions=conds(initialized=False, created=11), statuses=[cstatus("db", "postgres:16.4", waiting=("ContainerCreating",))], host=True, started=11)
    evs = [event(p, "FailedAttachVolume", 'Multi-Attach error for volume "pvc-3f9c1e2a-8b7d-4c6e-9a5f-1d2e3c4b5a69" Volume is already exclusively attached to one node and can\'t be attached to another',
                 count=1, first=11, last=11, component="attachdetach-controller"),
           event(p, "FailedMount", "Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data kube-api-access-x7k2p]: timed out waiting for the condition",
                 count=5, first=9, last=1, host="worker-2")]
    write("volume-mount-failed", base() + [sts, p] + evs)

    c = container(extra={"volumeMounts": [{"name": "config", "mountPath": "/etc/web"}]})
    def st(p):
        return pstatus(conditions=conds(initialized=False, created=6), statuses=[cstatus("app", c["image"], waiting=("ContainerCreating",))], host=True, started=6)
    d, rs, p = stuck_deploy("web", c, st, node_name="worker-1", created=6)
    p["spec"]["volumes"].append({"name": "config", "configMap": {"name": "web-config", "defaultMode": 420}})
    d["spec"]["template"]["spec"]["volumes"] = [{"name": "config", "configMap": {"name": "web-config"}}]
    evs = [event(p, "FailedMount", 'MountVolume.SetUp failed for volume "config" : configmap "web-config" not found', count=11, first=6, last=0, host="worker-1")]
    write("volume-mount-failed.configmap", base() + [d, rs, p] + evs)

    # ================= ImagePullBackOff =================
    image_pull_fixture("registry-qps-exceeded", "172.27.129.211:35000/filebeat-with-module:6.0.0", "pull QPS exceeded.", node_name="m7-power-k8s03", runtime="docker://17.3.2")
    image_pull_fixture("registry-http-not-https.containerd", "172.27.129.211:35000/metricbeat-prophet:6.0.1",
                       'failed to pull and unpack image "172.27.129.211:35000/metricbeat-prophet:6.0.1": failed to resolve reference "172.27.129.211:35000/metricbeat-prophet:6.0.1": failed to do request: Head "https://172.27.129.211:35000/v2/metricbeat-prophet/manifests/6.0.1": http: server gave HTTP response to HTTPS client')
    image_pull_fixture("registry-http-not-https.docker", "172.27.129.211:35000/metricbeat-prophet:6.0.1",
                       "rpc error: code = Unknown desc = Error response from daemon: Get https://172.27.129.211:35000/v2/: http: server gave HTTP response to HTTPS client", runtime="docker://19.3.15", waiting_err=True)
    image_pull_fixture("registry-certificate-untrusted.containerd", "registry.corp.example:5000/shop/web:1.4.2",
                       'rpc error: code = Unknown desc = failed to pull and unpack image "registry.corp.example:5000/shop/web:1.4.2": failed to resolve reference "registry.corp.example:5000/shop/web:1.4.2": failed to do request: Head "https://registry.corp.example:5000/v2/shop/web/manifests/1.4.2": tls: failed to verify certificate: x509: certificate signed by unknown authority')
    image_pull_fixture("registry-certificate-untrusted.crio", "registry.corp.example:5000/shop/web:1.4.2",
                       'rpc error: code = Unknown desc = pinging container registry registry.corp.example:5000: Get "https://registry.corp.example:5000/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority', runtime="cri-o://1.31.3")
    image_pull_fixture("image-pull-unauthorized.containerd", "docker02:35000/shop/cart:2.1",
                       'failed to pull and unpack image "docker02:35000/shop/cart:2.1": failed to resolve reference "docker02:35000/shop/cart:2.1": pulling from host docker02:35000 failed with status code [manifests 2.1]: 401 Unauthorized', waiting_err=True)
    image_pull_fixture("image-pull-unauthorized.docker", "acme/private-api:3.0",
                       "rpc error: code = Unknown desc = Error response from daemon: pull access denied for acme/private-api, repository does not exist or may require 'docker login': denied: requested access to the resource is denied", runtime="docker://20.10.24", fmt="json")
    image_pull_fixture("image-pull-unauthorized.crio", "quay.io/acme/private-api:3.0",
                       "rpc error: code = Unknown desc = reading manifest 3.0 in quay.io/acme/private-api: unauthorized: access to the requested resource is not authorized", runtime="cri-o://1.31.3")
    image_pull_fixture("image-corrupt.docker", "docker02:35000/env/release/3.2.0/prophet/app/executor-service-kube.tar:release-3.2.0-8",
                       "rpc error: code = Unknown desc = error pulling image configuration: unknown blob", runtime="docker://18.3.1")
    image_pull_fixture("image-corrupt.containerd", "registry.example.com/shop/web:1.4.2",
                       'failed to pull and unpack image "registry.example.com/shop/web:1.4.2": failed commit on ref "layer-sha256:4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1": unexpected commit digest sha256:9d2c1e0f, expected sha256:4f4fb700ef54: failed precondition')
    image_pull_fixture("image-not-found.containerd", "registry.example.com/shop/web:1.4.3",
                       'rpc error: code = NotFound desc = failed to pull and unpack image "registry.example.com/shop/web:1.4.3": failed to resolve reference "registry.example.com/shop/web:1.4.3": registry.example.com/shop/web:1.4.3: not found', waiting_err=True, fmt="json")
    image_pull_fixture("image-not-found.docker", "nginx:1.99",
                       "rpc error: code = Unknown desc = Error response from daemon: manifest for nginx:1.99 not found: manifest unknown: manifest unknown", runtime="docker://20.10.24")
    image_pull_fixture("image-not-found.crio", "quay.io/acme/web:v9",
                       "rpc error: code = Unknown desc = initializing source docker://quay.io/acme/web:v9: reading manifest v9 in quay.io/acme/web: manifest unknown", runtime="cri-o://1.31.3")
    image_pull_fixture("registry-unreachable", "gcr.io/google-samples/hello-app:2.0",
                       'failed to pull and unpack image "gcr.io/google-samples/hello-app:2.0": failed to resolve reference "gcr.io/google-samples/hello-app:2.0": failed to do request: Head "https://gcr.io/v2/google-samples/hello-app/manifests/2.0": dial tcp 142.250.74.116:443: i/o timeout')
    image_pull_fixture("registry-unreachable.docker", "docker02:35000/shop/web:1.4.2",
                       "rpc error: code = Unknown desc = Error response from daemon: Get https://docker02:35000/v2/: dial tcp: lookup docker02 on 10.96.0.10:53: no such host", runtime="docker://19.3.15")
    image_pull_fixture("image-pull-timeout", "registry.example.com/ml/trainer:2024.11",
                       "rpc error: code = DeadlineExceeded desc = context deadline exceeded", waiting_err=True)
    image_pull_fixture("image-pull-timeout.docker", "registry.example.com/ml/trainer:2024.11",
                       'rpc error: code = Canceled desc = Cancel pulling image "registry.example.com/ml/trainer:2024.11" because of no progress for 1m0s, latest progress: "a3ed95caeb02: Downloading [=====>     ]  1.2GB/4.7GB"', runtime="docker://19.3.15")

    # invalid-image-name
    img = "registry.example.com/Shop/Web:1.4.2"
    c = container(image=img)
    def st(p):
        return pstatus(conditions=conds(created=5), statuses=[cstatus("app", img, waiting=("InvalidImageName", 'Failed to apply default image tag "%s": couldn\'t parse image name "%s": invalid reference format: repository name (Shop/Web) must be lowercase' % (img, img)))], host=True, started=5)
    d, rs, p = stuck_deploy("web", c, st, node_name="worker-1", created=5)
    evs = [event(p, "InspectFailed", 'Failed to apply default image tag "%s": couldn\'t parse image name "%s": invalid reference format: repository name (Shop/Web) must be lowercase' % (img, img), count=26, first=5, last=0, host="worker-1", field="spec.containers{app}"),
           event(p, "Failed", "Error: InvalidImageName", count=26, first=5, last=0, host="worker-1", field="spec.containers{app}")]
    write("invalid-image-name", base() + [d, rs, p] + evs)

    # image-inspect-failed: the guide's broken overlay2 on one node.
    img = "docker02:35000/env/develop/prophet/app/pms.tar:develop-175"
    c = container(image=img)
    def st(p):
        return pstatus(conditions=conds(created=780), statuses=[cstatus("app", img, waiting=("ImageInspectError", 'Failed to inspect image "%s": rpc error: code = Unknown desc = Error response from daemon: readlink /mnt/disk0/docker/data/overlay2: invalid argument' % img))], host=True, started=780)
    d, rs, p = stuck_deploy("pms", c, st, node_name="m7-devops-128107", created=780, ns="fangrong", extra_spec={"imagePullSecrets": [{"name": "docker02"}]})
    evs = [event(p, "FailedSync", "Error syncing pod", count=522, first=780, last=60, host="m7-devops-128107"),
           event(p, "InspectFailed", 'Failed to inspect image "%s": rpc error: code = Unknown desc = Error response from daemon: readlink /mnt/disk0/docker/data/overlay2: invalid argument' % img,
                 count=590, first=780, last=3, host="m7-devops-128107", field="spec.containers{app}")]
    write("image-inspect-failed", base([node("m7-devops-128107", runtime="docker://18.3.1", kubelet="v1.10.13")]) + [namespace("fangrong"), d, rs, p] + evs)

    # ================= CrashLoopBackOff =================
    def crash_fixture(fname, cname, image, last, restarts, extra_events=(), logs=None, c_extra=None, resources=None, fmt="yaml", waiting_reason="CrashLoopBackOff", ns="shop", name="web"):
        c = container(cname, image, resources=resources, extra=c_extra)
        def st(p):
            w = (waiting_reason, "back-off 5m0s restarting failed container=%s pod=%s_%s(%s)" % (cname, p["metadata"]["name"], ns, p["metadata"]["uid"])) if waiting_reason == "CrashLoopBackOff" else (waiting_reason, last.get("message"))
            return pstatus("Running", conditions=conds(created=60), statuses=[cstatus(cname, image, waiting=w, last=last, restarts=restarts, image_id="sha256:7b84")], host=True, started=60)
        d, rs, p = stuck_deploy(name, c, st, node_name="worker-2", created=60, ns=ns)
        field = "spec.containers{%s}" % cname
        evs = [event(p, "Pulled", 'Container image "%s" already present on machine' % image, typ="Normal", count=restarts + 1, first=60, last=4, host="worker-2", field=field),
               event(p, "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)" % (cname, p["metadata"]["name"], ns, p["metadata"]["uid"]), count=restarts * 9, first=55, last=0, host="worker-2", field=field)]
        evs += [f(p) for f in extra_events]
        items = base() + ([namespace(ns)] if ns not in ("shop", "default", "kube-system") else []) + [d, rs, p] + evs
        if logs:
            items.append(container_log(p, cname, logs))
        write(fname, items, fmt)

    crash_fixture("oom-killed", "sh", "alpine:3.20", term("OOMKilled", 137, 3, 2), 3,
                  resources={"requests": {"cpu": "100m", "memory": "500M"}, "limits": {"cpu": "1", "memory": "1G"}})
    crash_fixture("liveness-probe-failed", "app", "registry.example.com/shop/web:1.4.2", term("Error", 137, 6, 4), 9,
                  c_extra={"livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"}, "initialDelaySeconds": 5, "periodSeconds": 10, "timeoutSeconds": 1, "failureThreshold": 3, "successThreshold": 1},
                           "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}]},
                  extra_events=[lambda p: event(p, "Unhealthy", "Liveness probe failed: Get \"http://10.244.2.17:8080/healthz\": dial tcp 10.244.2.17:8080: connect: connection refused", count=27, first=58, last=5, host="worker-2", field="spec.containers{app}"),
                                lambda p: event(p, "Killing", "Container app failed liveness probe, will be restarted", typ="Normal", count=9, first=57, last=4, host="worker-2", field="spec.containers{app}")])
    ro_msg = ('failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: '
              'error mounting "/var/lib/kubelet/pods/ea9035f3-9ec5-11e8-af9c-0cc47adb93d8/volumes/kubernetes.io~empty-dir/log-entry" to rootfs at "/collect/predictor/logs": '
              'mkdir /run/containerd/io.containerd.runtime.v2.task/k8s.io/d41d314a85af/rootfs/collect/predictor/logs: read-only file system: unknown')
    crash_fixture("read-only-filesystem", "predictor", "docker02:35000/prophet/predictor:3.1.2", term("StartError", 128, 5, 5, ro_msg), 5)
    sub_msg = ('Error: failed to start container "metricbeat": Error response from daemon: OCI runtime create failed: container_linux.go:348: starting container process caused '
               '"process_linux.go:402: container init caused \\"rootfs_linux.go:58: mounting \\\\\\"/mnt/disk2/k8s/kubelet/pods/54d426d3-cacd-11e8-971a-5e384b278319/volume-subpaths/config/metricbeat/0\\\\\\" '
               'to rootfs \\\\\\"/mnt/disk1/docker/data/overlay2/5753fb64509f/merged\\\\\\" at \\\\\\"/mnt/disk1/docker/data/overlay2/5753fb64509f/merged/etc/metricbeat.yml\\\\\\" caused \\\\\\"no such file or directory\\\\\\"\\"": unknown')
    crash_fixture("subpath-mount-missing", "metricbeat", "docker.elastic.co/beats/metricbeat:6.4.1", term("ContainerCannotRun", 128, 7, 7), 1142, ns="metricbeat", name="metricbeat",
                  extra_events=[lambda p: event(p, "Failed", sub_msg, count=2, first=5770, last=5760, host="worker-2", field="spec.containers{metricbeat}"),
                                lambda p: event(p, "FailedSync", "Error syncing pod", count=26664, first=5760, last=23, host="worker-2")])
    crash_fixture("container-start-failed", "app", "registry.example.com/shop/web:1.4.2",
                  term("StartError", 128, 2, 2, 'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/app/start.sh": permission denied: unknown'), 6)
    crash_fixture("container-exits", "app", "registry.example.com/shop/web:1.4.2", term("Error", 1, 3, 3), 12)
    # container-exits, Error: a Job's pod (restartPolicy Never) failed.
    lbl = {"batch.kubernetes.io/job-name": "migrate"}
    jspec = podspec([container("migrate", "registry.example.com/shop/migrate:7")], extra={"restartPolicy": "Never"})
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta("migrate", "shop", created=30, labels=lbl),
           "spec": {"backoffLimit": 0, "completions": 1, "parallelism": 1, "selector": {"matchLabels": lbl}, "template": template_of(jspec, lbl)},
           "status": {"startTime": ts(30), "failed": 1, "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastTransitionTime": ts(28), "lastProbeTime": ts(28)}]}}
    p = pod_of(job, "x7q2w", jspec, node="worker-1", created=30)
    p["status"] = pstatus("Failed", conditions=conds(created=29), host=True, started=30,
                          statuses=[cstatus("migrate", "registry.example.com/shop/migrate:7", terminated=term("Error", 2, 29, 28), image_id="sha256:3c")])
    write("container-exits.job", base() + [job, p, event(job, "BackoffLimitExceeded", "Job has reached the specified backoff limit", first=28, last=28, component="job-controller")])

    # log-hint in an init container: Init:CrashLoopBackOff.
    ic = container("wait-for-db", "busybox:1.36", resources={})
    ispec = podspec([container()], extra={"initContainers": [ic]})
    d = deployment("checkout", ispec, replicas=1, created=40)
    rs = replicaset(d, "6c8f7d9b2", created=40)
    p = pod_of(rs, "k3j4h", ispec, node="worker-2", created=40)
    p["status"] = pstatus(conditions=conds(initialized=False, created=40), host=True, started=40,
                          init_statuses=[cstatus("wait-for-db", "busybox:1.36", waiting=("CrashLoopBackOff", "back-off 5m0s restarting failed container=wait-for-db"), last=term("Error", 1, 3, 3), restarts=11, image_id="sha256:9b")],
                          statuses=[cstatus("app", "registry.example.com/shop/web:1.4.2", waiting=("PodInitializing",))])
    write("log-hint.dns-failure.init", base() + [d, rs, p, container_log(p, "wait-for-db", ["nslookup: can't resolve 'postgres.shop.svc.cluster.local': Name or service not known", "waiting for postgres"])])

    crash_fixture("log-hint.ipv6-disabled", "nginx", "nginx:1.27", term("Error", 1, 2, 2), 8, name="frontend",
                  logs=["/docker-entrypoint.sh: Configuration complete; ready for start up",
                        "2025/03/10 09:58:01 [emerg] 1#1: socket() [::]:8000 failed (97: Address family not supported by protocol)",
                        "nginx: [emerg] socket() [::]:8000 failed (97: Address family not supported by protocol)"])
    crash_fixture("log-hint.dns-failure", "app", "registry.example.com/shop/orders:2.0.1", term("Error", 1, 2, 2), 7, name="orders",
                  logs=["time=2025-03-10T09:58:02Z level=info msg=\"starting orders service\"",
                        "time=2025-03-10T09:58:02Z level=fatal msg=\"connecting to database\" error=\"dial tcp: lookup postgres.shop.svc.cluster.local on 10.96.0.10:53: no such host\""])
    crash_fixture("log-hint.connection-refused", "app", "registry.example.com/shop/payments:1.2.0", term("Error", 1, 2, 2), 5, name="payments", fmt="json",
                  logs=["[2025-03-10 09:58:03] INFO  Starting payments on port 8080",
                        "[2025-03-10 09:58:03] ERROR redis: dial tcp 10.96.114.7:6379: connect: connection refused",
                        "[2025-03-10 09:58:03] FATAL cannot start without cache"])
    crash_fixture("log-hint.permission-denied", "app", "grafana/grafana:11.3.0", term("Error", 1, 2, 2), 4, name="grafana",
                  logs=["GF_PATHS_DATA='/var/lib/grafana' is not writable.",
                        "You may have issues with file permissions, more information here: http://docs.grafana.org/installation/docker/#migrate-to-v51-or-later",
                        "mkdir: can't create directory '/var/lib/grafana/plugins': Permission denied"])

    # ================= CreateContainerConfigError =================
    c = container(extra={"envFrom": [{"configMapRef": {"name": "web-config"}}], "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]})
    def st(p):
        return pstatus(conditions=conds(created=8), statuses=[cstatus("app", c["image"], waiting=("CreateContainerConfigError", 'configmap "web-config" not found'))], host=True, started=8)
    d, rs, p = stuck_deploy("web", c, st, node_name="worker-3", created=8)
    evs = [event(p, "Pulled", 'Container image "%s" already present on machine' % c["image"], typ="Normal", count=38, first=8, last=0, host="worker-3", field="spec.containers{app}"),
           event(p, "Failed", 'Error: configmap "web-config" not found', count=38, first=8, last=0, host="worker-3", field="spec.containers{app}")]
    write("config-reference-missing", base() + [d, rs, p] + evs)

    # ================= NotCreated: FailedCreate on the owner =================
    def failed_create(fname, message, spec_extra=None, kind="rs", fmt="yaml"):
        spec = podspec([container()], extra=spec_extra)
        if kind == "rs":
            d = deployment("web", spec, replicas=3, created=35, extra_status={"replicas": 0, "updatedReplicas": 0, "unavailableReplicas": 3,
                "conditions": [{"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable", "message": "Deployment does not have minimum availability.", "lastTransitionTime": ts(35), "lastUpdateTime": ts(35)},
                               {"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": message, "lastTransitionTime": ts(35), "lastUpdateTime": ts(35)},
                               {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated", "message": 'ReplicaSet "web-5b9d6c7f8" is progressing.', "lastTransitionTime": ts(35), "lastUpdateTime": ts(35)}]})
            rs = replicaset(d, "5b9d6c7f8", have=0, created=35)
            rs["status"]["conditions"] = [{"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": message, "lastTransitionTime": ts(35)}]
            evs = [event(d, "ScalingReplicaSet", "Scaled up replica set web-5b9d6c7f8 from 0 to 3", typ="Normal", first=35, last=35, component="deployment-controller"),
                   event(rs, "FailedCreate", message, count=17, first=35, last=2, component="replicaset-controller")]
            write(fname, base() + [d, rs] + evs, fmt)
        else:
            lbl = {"batch.kubernetes.io/job-name": "nightly-report"}
            job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta("nightly-report", "shop", created=20, labels=lbl),
                   "spec": {"backoffLimit": 6, "completions": 1, "parallelism": 1, "selector": {"matchLabels": lbl}, "template": template_of(dict(spec, restartPolicy="Never"), lbl)},
                   "status": {"startTime": ts(20), "active": 0, "ready": 0, "uncountedTerminatedPods": {}}}
            evs = [event(job, "FailedCreate", message, count=6, first=20, last=4, component="job-controller")]
            write(fname, base() + [job] + evs, fmt)

    failed_create("quota-exceeded", 'Error creating: pods "web-5b9d6c7f8-" is forbidden: exceeded quota: compute-resources, requested: limits.memory=256Mi,requests.cpu=100m, used: limits.memory=3968Mi,requests.cpu=1950m, limited: limits.memory=4Gi,requests.cpu=2')
    failed_create("limit-range-rejected", 'Error creating: pods "web-5b9d6c7f8-" is forbidden: maximum memory usage per Container is 128Mi, but limit is 256Mi')
    failed_create("pod-security-rejected", 'Error creating: pods "web-5b9d6c7f8-mx2kp" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")')
    failed_create("service-account-missing", 'Error creating: pods "nightly-report-" is forbidden: error looking up service account shop/reporter: serviceaccount "reporter" not found',
                  spec_extra={"serviceAccountName": "reporter", "serviceAccount": "reporter"}, kind="job")
    failed_create("priority-class-missing", 'Error creating: pods "web-5b9d6c7f8-" is forbidden: no PriorityClass with name business-critical was found', spec_extra={"priorityClassName": "business-critical"}, fmt="json")
    failed_create("admission-webhook-denied", 'Error creating: admission webhook "validate.kyverno.svc-fail" denied the request: \n\npolicy Deployment/shop/web for resource violation: \n\nrequire-requests-limits:\n  validate-resources: \'validation error: CPU and memory resource requests and memory limits are required for containers. rule validate-resources failed at path /spec/containers/0/resources/limits/cpu/\'')

    # ================= Terminating / Unknown =================
    def terminating_pod(owner, sfx, node_name, deleted, spec=None, finalizers=None, created=300, reason=None):
        spec = spec or podspec([container()])
        extra = {"deletionTimestamp": ts(deleted), "deletionGracePeriodSeconds": 30}
        if finalizers:
            extra["finalizers"] = finalizers
        p = pod_of(owner, sfx, spec, node=node_name, created=created, extra_meta=extra)
        p["status"] = pstatus("Running", conditions=conds(ready=True, created=created - 1), host=True, started=created, reason=reason,
                              statuses=[cstatus(spec["containers"][0]["name"], spec["containers"][0]["image"], running=created - 1, ready=True, started=True, image_id="sha256:1f2e")])
        return p

    # node-not-ready: a StatefulSet pod on a node that stopped reporting 2h ago.
    spec = podspec([container("zk", "zookeeper:3.9.2")])
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta("zk", "shop", created=9000, labels={"app": "zk"}),
           "spec": {"replicas": 3, "serviceName": "zk", "selector": {"matchLabels": {"app": "zk"}}, "template": template_of(spec, {"app": "zk"})},
           "status": {"replicas": 3, "readyReplicas": 2, "currentReplicas": 3}}
    p = terminating_pod(sts, "2", "worker-3", 115, spec=spec, created=8000)
    p["status"]["conditions"][2]["status"] = "False"
    nodes = [node("worker-1"), node("worker-2"), node("worker-3", ready="Unknown", since=120,
             reason="NodeStatusUnknown", message="Kubelet stopped posting node status.")]
    nodes[2]["spec"]["taints"] = [{"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule", "timeAdded": ts(120)}, {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute", "timeAdded": ts(115)}]
    evs = [event(p, "NodeNotReady", "Node is not ready", count=1, first=120, last=120, component="node-controller"),
           event(p, "TaintManagerEviction", "Marking for deletion Pod shop/zk-2", typ="Normal", first=115, last=115, component="taint-eviction-controller")]
    write("node-not-ready", base(nodes) + [sts, p] + evs)

    # node-not-ready, Unknown: a 1.1x node controller marked the pod NodeLost.
    p = terminating_pod(sts, "1", "worker-3", 70, spec=spec, created=8000, reason="NodeLost")
    p["status"]["message"] = "Node worker-3 which was running pod zk-1 is unresponsive"
    write("node-not-ready.unknown", base(nodes) + [sts, p])

    # volume-cleanup-busy: the guide's filebeat subPath that cannot be unmounted.
    spec = podspec([container("filebeat", "docker.elastic.co/beats/filebeat:6.4.1")])
    dsf = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta("filebeat", "kube-system", created=90000, labels={"app": "filebeat"}),
           "spec": {"selector": {"matchLabels": {"app": "filebeat"}}, "template": template_of(spec, {"app": "filebeat"})},
           "status": {"currentNumberScheduled": 1, "desiredNumberScheduled": 1, "numberReady": 1}}
    p = terminating_pod(dsf, "c74b8", "ee-test", 47, spec=spec, created=3000)
    p["status"]["containerStatuses"] = [cstatus("filebeat", "docker.elastic.co/beats/filebeat:6.4.1", terminated=term("Completed", 0, 3000, 48), image_id="sha256:9a")]
    p["status"]["phase"] = "Running"
    evs = [event(p, "FailedKillPod", 'error killing pod: failed to "KillPodSandbox" for "c74b89dd-be53-11e8-a1f4-525400f721a0" with KillPodSandboxError: "rpc error: code = Unknown desc = Error response from daemon: unlinkat /var/lib/docker/containers/fa3b/mounts/shm: device or resource busy"',
                 count=44, first=47, last=1, host="ee-test")]
    write("volume-cleanup-busy", base([node("ee-test", runtime="docker://17.3.2", kubelet="v1.11.3")]) + [dsf, p] + evs)

    # finalizer-blocked
    spec = podspec([container()])
    d = deployment("web", spec, replicas=1, ready=1, created=3000)
    rs = replicaset(d, "6f8d9c7b5", created=3000)
    p = terminating_pod(rs, "w2e3r", "worker-1", 95, finalizers=["example.com/backup-protection"], created=3000)
    p["status"]["containerStatuses"] = [cstatus("app", "registry.example.com/shop/web:1.4.2", terminated=term("Completed", 0, 3000, 96), image_id="sha256:1f2e")]
    write("finalizer-blocked", base() + [d, rs, p])

    # termination-pending: node Ready, no finalizers.
    p = terminating_pod(rs, "t5y6u", "worker-2", 25, created=3000)
    write("termination-pending", base() + [d, rs, p])

    # kubelet-status-lag: 230 pods on one node; one has been Creating for 40 minutes without a warning.
    items = base([node("worker-big", pods="250", cpu="64", memory="263937952Ki")])
    spec = podspec([container("app", "registry.example.com/batch/worker:5.1", resources={"requests": {"cpu": "50m", "memory": "64Mi"}})])
    d = deployment("worker", spec, replicas=230, ready=229, created=600)
    rs = replicaset(d, "6d7c8b9a4", created=600)
    items += [d, rs]
    for i in range(229):
        pp = pod_of(rs, "r%04d" % i, spec, node="worker-big", created=600)
        pp["status"] = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": None, "lastTransitionTime": ts(590)}],
                        "containerStatuses": [cstatus("app", "registry.example.com/batch/worker:5.1", running=590, ready=True, started=True, image_id="sha256:5e")]}
        items.append(pp)
    p = pod_of(rs, "zq9w8", spec, node="worker-big", created=40)
    p["status"] = pstatus(conditions=conds(initialized=False, created=40), statuses=[cstatus("app", "registry.example.com/batch/worker:5.1", waiting=("ContainerCreating",))], host=True, started=40)
    items += [p, event(p, "Scheduled", "Successfully assigned shop/%s to worker-big" % p["metadata"]["name"], typ="Normal", first=40, last=40, component="default-scheduler"),
              event(p, "Pulled", 'Container image "registry.example.com/batch/worker:5.1" already present on machine', typ="Normal", first=39, last=39, host="worker-big", field="spec.containers{app}"),
              event(p, "Created", "Created container app", typ="Normal", first=39, last=39, host="worker-big", field="spec.containers{app}"),
              event(p, "Started", "Started container app", typ="Normal", first=38, last=38, host="worker-big", field="spec.containers{app}")]
    write("kubelet-status-lag", items, "json")

    # namespace-terminating: workloads left inside and the kubernetes finalizer.
    ns = namespace("old-team", terminating=True, deleted=180, conditions=[
        {"type": "NamespaceDeletionDiscoveryFailure", "status": "False", "reason": "ResourcesDiscovered", "message": "All resources successfully discovered", "lastTransitionTime": ts(180)},
        {"type": "NamespaceContentRemaining", "status": "True", "reason": "SomeResourcesRemain", "message": "Some resources are remaining: pods. has 2 resource instances, perconaxtradbclusters.pxc.percona.com has 1 resource instances", "lastTransitionTime": ts(180)},
        {"type": "NamespaceFinalizersRemaining", "status": "True", "reason": "SomeFinalizersRemain", "message": "Some content in the namespace has finalizers remaining: delete-pxc-pods-in-order in 1 resource instances", "lastTransitionTime": ts(180)}])
    spec = podspec([container("pxc", "percona/percona-xtradb-cluster:8.0.36")])
    items = base() + [ns]
    for i in range(2):
        pp = pod_of(None, "cluster1-pxc-%d" % i, spec, node="worker-%d" % (i + 1), created=5000, ns="old-team",
                    extra_meta={"deletionTimestamp": ts(179), "deletionGracePeriodSeconds": 600, "finalizers": ["delete-pxc-pods-in-order"]})
        pp["status"] = pstatus("Running", conditions=conds(ready=True, created=4999), host=True, started=5000,
                               statuses=[cstatus("pxc", "percona/percona-xtradb-cluster:8.0.36", running=4999, ready=True, started=True, image_id="sha256:77")])
        items.append(pp)
    write("namespace-terminating", items)

    # unknown: Creating for 20 minutes on a quiet node; nothing says why.
    c = container()
    def st(p):
        return pstatus(conditions=conds(initialized=False, created=20), statuses=[cstatus("app", c["image"], waiting=("ContainerCreating",))], host=True, started=20)
    d, rs, p = stuck_deploy("web", c, st, node_name="worker-1", created=20)
    evs = [event(p, "Scheduled", "Successfully assigned shop/%s to worker-1" % p["metadata"]["name"], typ="Normal", first=20, last=20, component="default-scheduler")]
    write("unknown", base() + [d, rs, p] + evs)

    # healthy: everything runs; nothing stuck.
    spec = podspec([container()])
    d = deployment("web", spec, replicas=2, ready=2, created=300)
    rs = replicaset(d, "6f8d9c7b5", created=300)
    items = base() + [d, rs]
    for sfx, n in (("a1s2d", "worker-1"), ("f3g4h", "worker-2")):
        pp = pod_of(rs, sfx, spec, node=n, created=300)
        pp["status"] = pstatus("Running", conditions=conds(ready=True, created=299), host=True, started=300,
                               statuses=[cstatus("app", "registry.example.com/shop/web:1.4.2", running=299, ready=True, started=True, image_id="sha256:1f2e")])
        items.append(pp)
    items.append(event(items[-1], "Started", "Started container app", typ="Normal", first=299, last=299, host="worker-2", field="spec.containers{app}"))
    write_docs("healthy", items)


if __name__ == "__main__":
    main()
