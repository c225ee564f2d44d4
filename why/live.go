package why

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// LiveOptions configure ReadLive.
type LiveOptions struct {
	// Kubeconfig and Context select the cluster as kubectl does.
	Kubeconfig, Context string
	// Namespace limits pods, events and workloads to one namespace; ""
	// lists all. Nodes, Namespaces and DaemonSets (whose host ports
	// matter across namespaces) are always listed whole.
	Namespace string
	// Timeout bounds all calls together; 0 means 30 s.
	Timeout time.Duration
	// PageSize is the limit of each list call; 0 means 500.
	PageSize int64
	// LogLines is how many lines of a crashed container's previous log
	// to read; 0 reads none.
	LogLines int64
}

// DefaultLiveTimeout bounds a live read when LiveOptions.Timeout is 0.
const DefaultLiveTimeout = 30 * time.Second

// maxLogs bounds the log reads of one run.
const maxLogs = 100

// KubeNamespace returns the namespace of the kubeconfig's context, as
// kubectl uses it when -n is not given.
func KubeNamespace(kubeconfig, context string) (string, error) {
	ns, _, err := clientConfig(kubeconfig, context).Namespace()
	return ns, err
}

func clientConfig(kubeconfig, context string) clientcmd.ClientConfig {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: context})
}

// ReadLive lists what podlint why needs from the API server: read-only,
// paginated list calls, one per kind, never a Secret; then, when
// LogLines > 0, the tail of the previous log of crashed containers
// (pods/log). A kind that RBAC forbids or the server does not serve is a
// warning and stays unknown; pods that cannot be listed, or a server that
// cannot be reached, are an error.
func ReadLive(ctx context.Context, opts LiveOptions) (*Dump, []string, error) {
	cfg, err := clientConfig(opts.Kubeconfig, opts.Context).ClientConfig()
	if err != nil {
		return nil, nil, fmt.Errorf("loading kubeconfig: %w", err)
	}
	cfg = rest.CopyConfig(cfg)
	// Hundreds of pages for a large cluster; client-go's default 5/s
	// would take minutes.
	cfg.QPS, cfg.Burst = 50, 100
	cfg.UserAgent = "podlint-why"
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("creating API client: %w", err)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultLiveTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return readLive(ctx, cs, cfg.Host, opts)
}

type lister struct {
	ctx   context.Context
	limit int64
}

// pages calls list until the server has no continue token left.
func pages(l lister, list func(metav1.ListOptions) (string, error), opts metav1.ListOptions) error {
	opts.Limit = l.limit
	for {
		next, err := list(opts)
		if err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		opts.Continue = next
		if err := l.ctx.Err(); err != nil {
			return err
		}
	}
}

// listStep makes one kind's paginated list call: each item, its
// managedFields dropped (nothing reads them, and they are often half an
// object's size), goes to add.
func listStep[L interface{ GetContinue() string }, T any, PT interface {
	*T
	SetManagedFields([]metav1.ManagedFieldsEntry)
}](ctx context.Context, list func(context.Context, metav1.ListOptions) (L, error), items func(L) []T, add func(PT)) func(metav1.ListOptions) (string, error) {
	return func(o metav1.ListOptions) (string, error) {
		r, err := list(ctx, o)
		if err != nil {
			return "", err
		}
		objs := items(r)
		for i := range objs {
			p := PT(&objs[i])
			p.SetManagedFields(nil)
			add(p)
		}
		return r.GetContinue(), nil
	}
}

func podItems(r *corev1.PodList) []corev1.Pod { return r.Items }

func readLive(ctx context.Context, cs kubernetes.Interface, host string, opts LiveOptions) (*Dump, []string, error) {
	d := NewDump()
	l := lister{ctx: ctx, limit: opts.PageSize}
	if l.limit <= 0 {
		l.limit = 500
	}
	ns := opts.Namespace
	core, apps, batch := cs.CoreV1(), cs.AppsV1(), cs.BatchV1()
	type step struct {
		kind, resource string
		required       bool
		list           func(metav1.ListOptions) (string, error)
		opts           metav1.ListOptions
	}
	all := metav1.NamespaceAll
	steps := []step{
		{KindPod, "pods", true, listStep(ctx, core.Pods(ns).List, podItems, func(p *corev1.Pod) { d.Pods = append(d.Pods, p) }), metav1.ListOptions{}},
		{KindEvent, "events", false, func(o metav1.ListOptions) (string, error) {
			r, err := core.Events(ns).List(ctx, o)
			if err != nil {
				return "", err
			}
			for i := range r.Items {
				d.Events = append(d.Events, EventFromCore(&r.Items[i]))
			}
			return r.Continue, nil
		}, metav1.ListOptions{}},
		{KindNode, "nodes", false, listStep(ctx, core.Nodes().List, func(r *corev1.NodeList) []corev1.Node { return r.Items }, func(n *corev1.Node) {
			n.Status.Images = nil
			d.Nodes = append(d.Nodes, n)
		}), metav1.ListOptions{}},
		{KindNamespace, "namespaces", false, listStep(ctx, core.Namespaces().List, func(r *corev1.NamespaceList) []corev1.Namespace { return r.Items }, func(n *corev1.Namespace) { d.Namespaces = append(d.Namespaces, n) }), metav1.ListOptions{}},
		// DaemonSets hold host ports across namespaces: always all of them.
		{KindDaemonSet, "daemonsets.apps", false, listStep(ctx, apps.DaemonSets(all).List, func(r *appsv1.DaemonSetList) []appsv1.DaemonSet { return r.Items }, func(o *appsv1.DaemonSet) { d.DaemonSets = append(d.DaemonSets, o) }), metav1.ListOptions{}},
		{KindDeployment, "deployments.apps", false, listStep(ctx, apps.Deployments(ns).List, func(r *appsv1.DeploymentList) []appsv1.Deployment { return r.Items }, func(o *appsv1.Deployment) { d.Deployments = append(d.Deployments, o) }), metav1.ListOptions{}},
		{KindReplicaSet, "replicasets.apps", false, listStep(ctx, apps.ReplicaSets(ns).List, func(r *appsv1.ReplicaSetList) []appsv1.ReplicaSet { return r.Items }, func(o *appsv1.ReplicaSet) { d.ReplicaSets = append(d.ReplicaSets, o) }), metav1.ListOptions{}},
		{KindStatefulSet, "statefulsets.apps", false, listStep(ctx, apps.StatefulSets(ns).List, func(r *appsv1.StatefulSetList) []appsv1.StatefulSet { return r.Items }, func(o *appsv1.StatefulSet) { d.StatefulSets = append(d.StatefulSets, o) }), metav1.ListOptions{}},
		{KindJob, "jobs.batch", false, listStep(ctx, batch.Jobs(ns).List, func(r *batchv1.JobList) []batchv1.Job { return r.Items }, func(o *batchv1.Job) { d.Jobs = append(d.Jobs, o) }), metav1.ListOptions{}},
		{KindCronJob, "cronjobs.batch", false, listStep(ctx, batch.CronJobs(ns).List, func(r *batchv1.CronJobList) []batchv1.CronJob { return r.Items }, func(o *batchv1.CronJob) { d.CronJobs = append(d.CronJobs, o) }), metav1.ListOptions{}},
		// The scheduler's Lease is all that matters, and it lives in
		// kube-system.
		{KindLease, "leases.coordination.k8s.io in kube-system", false, listStep(ctx, cs.CoordinationV1().Leases("kube-system").List, func(r *coordinationv1.LeaseList) []coordinationv1.Lease { return r.Items }, func(o *coordinationv1.Lease) { d.Leases = append(d.Leases, o) }), metav1.ListOptions{}},
	}
	if ns != "" && ns != "kube-system" {
		// The scheduler's own pods tell whether it runs.
		steps = append(steps, step{"", "kube-scheduler pods in kube-system", false,
			listStep(ctx, core.Pods("kube-system").List, podItems, func(p *corev1.Pod) { d.Pods = append(d.Pods, p) }),
			metav1.ListOptions{LabelSelector: "component=kube-scheduler"}})
	}
	var warnings []string
	for _, s := range steps {
		err := pages(l, s.list, s.opts)
		if err == nil {
			if s.kind != "" {
				d.Listed[s.kind] = true
			}
			continue
		}
		msg, fatal := describeError(s.resource, err, host)
		if fatal || s.required {
			return nil, warnings, errors.New(msg)
		}
		warnings = append(warnings, msg)
	}
	if opts.LogLines > 0 {
		warnings = append(warnings, readLogs(ctx, cs, d, opts.LogLines)...)
	}
	return d, warnings, nil
}

// describeError words a list failure, and tells whether the run can go on.
func describeError(resource string, err error, host string) (string, bool) {
	switch {
	case apierrors.IsForbidden(err):
		return fmt.Sprintf("why: not allowed to list %s (RBAC forbids it); diagnoses that need them are skipped: %v", resource, err), false
	case apierrors.IsUnauthorized(err):
		return fmt.Sprintf("why: the API server at %s rejected the credentials: %v", host, err), true
	case apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err):
		return fmt.Sprintf("why: the API server does not serve %s; diagnoses that need them are skipped: %v", resource, err), false
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("why: listing %s did not finish within --live-timeout", resource), true
	case errors.Is(err, context.Canceled):
		return fmt.Sprintf("why: listing %s was cancelled", resource), true
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return fmt.Sprintf("why: cannot reach the API server at %s: %v", host, uerr.Err), true
	}
	return fmt.Sprintf("why: listing %s failed: %v", resource, err), false
}

// logTarget is one container whose log may say why it crashed.
type logTarget struct {
	ns, pod, container string
	previous           bool
}

// crashedContainers lists containers in CrashLoopBackOff (previous run)
// or terminated with an error (current run).
func crashedContainers(d *Dump) []logTarget {
	var out []logTarget
	for _, p := range d.Pods {
		for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
			for _, cs := range list {
				switch {
				case cs.State.Waiting != nil && cs.State.Waiting.Reason == "CrashLoopBackOff" && cs.LastTerminationState.Terminated != nil:
					out = append(out, logTarget{p.Namespace, p.Name, cs.Name, true})
				case cs.State.Terminated != nil && cs.State.Terminated.ExitCode != 0 && cs.State.Terminated.Reason != "OOMKilled":
					out = append(out, logTarget{p.Namespace, p.Name, cs.Name, false})
				}
			}
		}
	}
	return out
}

// readLogs reads the tails of crashed containers' logs, a few at a time.
// Failures (no kubelet, RBAC without pods/log) are one warning, never an
// error: the logs only add hints.
func readLogs(ctx context.Context, cs kubernetes.Interface, d *Dump, lines int64) []string {
	targets := crashedContainers(d)
	if len(targets) > maxLogs {
		targets = targets[:maxLogs]
	}
	logs := make([]*ContainerLog, len(targets))
	errs := make([]error, len(targets))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(4, len(targets)) {
		wg.Go(func() {
			for i := range next {
				t := targets[i]
				cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				raw, err := cs.CoreV1().Pods(t.ns).GetLogs(t.pod, &corev1.PodLogOptions{Container: t.container, Previous: t.previous, TailLines: &lines}).DoRaw(cctx)
				cancel()
				if err != nil {
					errs[i] = err
					continue
				}
				text := strings.TrimRight(string(raw), "\n")
				var ls []string
				if text != "" {
					ls = strings.Split(text, "\n")
				}
				logs[i] = &ContainerLog{Namespace: t.ns, Pod: t.pod, Container: t.container, Previous: t.previous, Lines: ls}
			}
		})
	}
	for i := range targets {
		next <- i
	}
	close(next)
	wg.Wait()
	failed := 0
	var first error
	for i, l := range logs {
		if l != nil {
			d.Logs = append(d.Logs, l)
		} else if errs[i] != nil {
			failed++
			if first == nil {
				first = errs[i]
			}
		}
	}
	if failed > 0 {
		return []string{fmt.Sprintf("why: could not read the logs of %d crashed container(s) (log hints skipped for them; --no-logs turns log reads off): %v", failed, first)}
	}
	return nil
}
