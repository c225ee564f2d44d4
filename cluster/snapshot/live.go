package snapshot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

// LiveOptions configure ReadLive.
type LiveOptions struct {
	// Kubeconfig and Context select the cluster as kubectl does: an empty
	// Kubeconfig follows $KUBECONFIG and ~/.kube/config, an empty Context
	// the current context.
	Kubeconfig, Context string
	// Config, when set, is used instead of Kubeconfig and Context.
	Config *rest.Config
	// Timeout bounds all list calls together; 0 means 30 s.
	Timeout time.Duration
	// PageSize is the limit of each list call; 0 means 500.
	PageSize int64
}

// DefaultLiveTimeout bounds a live read when LiveOptions.Timeout is 0.
const DefaultLiveTimeout = 30 * time.Second

// ErrNoClusterData is returned when not one kind could be read.
var ErrNoClusterData = errors.New("no cluster data could be read")

// ReadLive lists every kind of Kinds() from the API server, read-only and
// paginated, and returns what it read as a Snapshot.
//
// ConfigMaps and PersistentVolumeClaims are listed through the metadata
// API, Secrets as server-side Tables with metadata and the Type column
// (what `kubectl get secrets` shows), so no Secret or ConfigMap data ever
// crosses the wire. Pods are listed only when bound and unfinished.
//
// A kind that RBAC forbids, or that the server does not serve, is left out
// of Listed and named in a warning; the run goes on without it. When the
// server cannot be reached, the remaining kinds are not tried. If no kind
// could be read at all, the error wraps ErrNoClusterData.
func ReadLive(ctx context.Context, opts LiveOptions) (*Snapshot, []string, error) {
	cfg := opts.Config
	host := ""
	if cfg == nil {
		rules := clientcmd.NewDefaultClientConfigLoadingRules()
		rules.ExplicitPath = opts.Kubeconfig
		cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: opts.Context})
		c, err := cc.ClientConfig()
		if err != nil {
			return nil, nil, fmt.Errorf("loading kubeconfig: %w", err)
		}
		cfg = c
	}
	cfg = rest.CopyConfig(cfg)
	host = cfg.Host
	// A read of a large cluster is a few hundred pages; client-go's default
	// 5 requests/s would make it take minutes.
	cfg.QPS, cfg.Burst = 50, 100
	cfg.UserAgent = "podlint"
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultLiveTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	r, err := newLiveReader(cfg, opts.PageSize)
	if err != nil {
		return nil, nil, fmt.Errorf("creating API client: %w", err)
	}
	var warnings []string
	for _, kind := range Kinds() {
		err := r.read(ctx, kind)
		if err == nil {
			r.snap.Listed[kind] = true
			continue
		}
		if msg, fatal := describeError(kind, err, host, timeout); fatal {
			warnings = append(warnings, msg+"; cluster-aware checks for the remaining kinds are skipped")
			break
		} else {
			warnings = append(warnings, msg)
		}
	}
	if len(r.snap.Listed) == 0 {
		return nil, warnings, fmt.Errorf("reading cluster %s: %w", host, ErrNoClusterData)
	}
	r.snap.sort()
	return r.snap, warnings, nil
}

// describeError words a list failure for stderr, and tells whether the
// other kinds are worth trying.
func describeError(kind cluster.Kind, err error, host string, timeout time.Duration) (string, bool) {
	res := resourceOf(kind)
	switch {
	case apierrors.IsForbidden(err):
		return fmt.Sprintf("cluster: not allowed to list %s (RBAC forbids it); checks that need %s objects are skipped: %v", res, kind, err), false
	case apierrors.IsUnauthorized(err):
		return fmt.Sprintf("cluster: the API server at %s rejected the credentials: %v", host, err), true
	case apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err):
		return fmt.Sprintf("cluster: the API server does not serve %s; checks that need %s objects are skipped: %v", res, kind, err), false
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("cluster: listing %s did not finish within --live-timeout %s", res, timeout), true
	case errors.Is(err, context.Canceled):
		return fmt.Sprintf("cluster: listing %s was cancelled", res), true
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return fmt.Sprintf("cluster: listing %s failed; checks that need %s objects are skipped: %v", res, kind, err), false
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return fmt.Sprintf("cluster: cannot reach the API server at %s: %v", host, uerr.Err), true
	}
	return fmt.Sprintf("cluster: listing %s failed: %v", res, err), true
}

func resourceOf(kind cluster.Kind) string {
	switch kind {
	case cluster.DaemonSets:
		return "daemonsets.apps"
	case cluster.PVCs:
		return "persistentvolumeclaims"
	}
	return strings.ToLower(string(kind)) + "s"
}

type liveReader struct {
	cs    kubernetes.Interface
	meta  metadata.Interface
	rest  rest.Interface
	limit int64
	snap  *Snapshot
}

func newLiveReader(cfg *rest.Config, limit int64) (*liveReader, error) {
	if limit <= 0 {
		limit = 500
	}
	// Built-in kinds travel faster as protobuf; the metadata client needs
	// JSON and sets its own content type.
	pcfg := rest.CopyConfig(cfg)
	pcfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	pcfg.ContentType = "application/vnd.kubernetes.protobuf"
	cs, err := kubernetes.NewForConfig(pcfg)
	if err != nil {
		return nil, err
	}
	mc, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	jcs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &liveReader{cs: cs, meta: mc, rest: jcs.CoreV1().RESTClient(), limit: limit, snap: NewSnapshot()}, nil
}

// pages calls list until the server has no continue token left.
func (r *liveReader) pages(ctx context.Context, opts metav1.ListOptions, list func(metav1.ListOptions) (string, error)) error {
	opts.Limit = r.limit
	for {
		next, err := list(opts)
		if err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		opts.Continue = next
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// read lists one kind into the snapshot. On error, nothing of a partly
// read kind is lost, but the kind is not marked listed.
func (r *liveReader) read(ctx context.Context, kind cluster.Kind) error {
	s := r.snap
	core := r.cs.CoreV1()
	switch kind {
	case cluster.Nodes:
		return r.pages(ctx, metav1.ListOptions{}, func(o metav1.ListOptions) (string, error) {
			l, err := core.Nodes().List(ctx, o)
			if err != nil {
				return "", err
			}
			for i := range l.Items {
				n := &l.Items[i]
				n.ManagedFields, n.Status.Images = nil, nil
				s.Nodes = append(s.Nodes, n)
			}
			return l.Continue, nil
		})
	case cluster.Namespaces:
		return r.pages(ctx, metav1.ListOptions{}, func(o metav1.ListOptions) (string, error) {
			l, err := core.Namespaces().List(ctx, o)
			if err != nil {
				return "", err
			}
			for i := range l.Items {
				l.Items[i].ManagedFields = nil
				s.Namespaces = append(s.Namespaces, &l.Items[i])
			}
			return l.Continue, nil
		})
	case cluster.DaemonSets:
		return r.pages(ctx, metav1.ListOptions{}, func(o metav1.ListOptions) (string, error) {
			l, err := r.cs.AppsV1().DaemonSets("").List(ctx, o)
			if err != nil {
				return "", err
			}
			for i := range l.Items {
				ds := &l.Items[i]
				ds.ManagedFields = nil
				ds.Status = appsv1.DaemonSetStatus{}
				s.DaemonSets = append(s.DaemonSets, ds)
			}
			return l.Continue, nil
		})
	case cluster.ServiceAccounts:
		return r.pages(ctx, metav1.ListOptions{}, func(o metav1.ListOptions) (string, error) {
			l, err := core.ServiceAccounts("").List(ctx, o)
			if err != nil {
				return "", err
			}
			for i := range l.Items {
				l.Items[i].ManagedFields = nil
				s.ServiceAccounts = append(s.ServiceAccounts, &l.Items[i])
			}
			return l.Continue, nil
		})
	case cluster.Secrets:
		return r.secrets(ctx)
	case cluster.ConfigMaps, cluster.PVCs:
		gvr := corev1.SchemeGroupVersion.WithResource(resourceOf(kind))
		return r.pages(ctx, metav1.ListOptions{}, func(o metav1.ListOptions) (string, error) {
			l, err := r.meta.Resource(gvr).Namespace("").List(ctx, o)
			if err != nil {
				return "", err
			}
			for _, m := range l.Items {
				n := ObjectName{Namespace: m.Namespace, Name: m.Name}
				if kind == cluster.ConfigMaps {
					s.ConfigMaps = append(s.ConfigMaps, n)
				} else {
					s.PVCs = append(s.PVCs, n)
				}
			}
			return l.Continue, nil
		})
	case cluster.LimitRanges:
		return r.pages(ctx, metav1.ListOptions{}, func(o metav1.ListOptions) (string, error) {
			l, err := core.LimitRanges("").List(ctx, o)
			if err != nil {
				return "", err
			}
			for i := range l.Items {
				l.Items[i].ManagedFields = nil
				s.LimitRanges = append(s.LimitRanges, &l.Items[i])
			}
			return l.Continue, nil
		})
	case cluster.ResourceQuotas:
		return r.pages(ctx, metav1.ListOptions{}, func(o metav1.ListOptions) (string, error) {
			l, err := core.ResourceQuotas("").List(ctx, o)
			if err != nil {
				return "", err
			}
			for i := range l.Items {
				l.Items[i].ManagedFields = nil
				s.ResourceQuotas = append(s.ResourceQuotas, &l.Items[i])
			}
			return l.Continue, nil
		})
	case cluster.Pods:
		// Only bound, unfinished pods take a node slot; the server filters.
		sel := "spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed"
		return r.pages(ctx, metav1.ListOptions{FieldSelector: sel}, func(o metav1.ListOptions) (string, error) {
			l, err := core.Pods("").List(ctx, o)
			if err != nil {
				return "", err
			}
			for _, p := range l.Items {
				s.Pods = append(s.Pods, PodSlot{Namespace: p.Namespace, Name: p.Name, NodeName: p.Spec.NodeName, Phase: p.Status.Phase})
			}
			return l.Continue, nil
		})
	}
	return fmt.Errorf("unknown kind %s", kind)
}

// tableAccept asks for a server-side Table: rows of printed columns with
// the object's metadata only (includeObject=Metadata).
const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io"

// secrets lists Secrets as the Table `kubectl get secrets` prints: name,
// Type, number of keys. RBAC cannot limit a reader to metadata (list on
// secrets allows reading data), but podlint never asks for data: the
// request's Accept header makes the server send metadata and columns only.
func (r *liveReader) secrets(ctx context.Context) error {
	s := r.snap
	return r.pages(ctx, metav1.ListOptions{}, func(o metav1.ListOptions) (string, error) {
		req := r.rest.Get().Resource("secrets").
			SetHeader("Accept", tableAccept).
			Param("includeObject", string(metav1.IncludeMetadata)).
			Param("limit", fmt.Sprint(o.Limit))
		if o.Continue != "" {
			req = req.Param("continue", o.Continue)
		}
		raw, err := req.Do(ctx).Raw()
		if err != nil {
			return "", err
		}
		var table metav1.Table
		if err := json.Unmarshal(raw, &table); err != nil {
			return "", fmt.Errorf("decoding secrets table: %w", err)
		}
		typeCol := -1
		for i, c := range table.ColumnDefinitions {
			if c.Name == "Type" {
				typeCol = i
			}
		}
		for _, row := range table.Rows {
			var m metav1.PartialObjectMetadata
			if err := json.Unmarshal(row.Object.Raw, &m); err != nil {
				return "", fmt.Errorf("decoding secret metadata: %w", err)
			}
			meta := checks.SecretMeta{Namespace: m.Namespace, Name: m.Name}
			if typeCol >= 0 && typeCol < len(row.Cells) {
				if t, ok := row.Cells[typeCol].(string); ok && t != "" {
					meta.Type, meta.TypeKnown = corev1.SecretType(t), true
				}
			}
			s.Secrets = append(s.Secrets, meta)
		}
		return table.Continue, nil
	})
}
