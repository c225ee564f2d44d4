package snapshot

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/flowcontrol"

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
	// SecretKeys is the secret-keys opt-in: Secrets are listed whole,
	// data included (no API lists key names without values), and stripped
	// to their names, types and key names as they are read
	// (cluster.SecretKeysRow). The sink must keep them
	// (cluster.Store.KeepSecretKeys). Without it Secrets are read as
	// Tables and no Secret data crosses the wire.
	SecretKeys bool
}

// DefaultLiveTimeout bounds a live read when LiveOptions.Timeout is 0.
const DefaultLiveTimeout = 30 * time.Second

// ErrNoClusterData is returned when not one kind could be read.
var ErrNoClusterData = errors.New("no cluster data could be read")

// ReadLive lists every kind of the table from the API server, read-only
// and paginated, into sink, and marks each kind known once it was listed
// completely.
//
// Kinds with cluster.Metadata access (ConfigMaps, PersistentVolumeClaims)
// are listed through the metadata API, Secrets as server-side Tables with
// metadata and the Type column (what `kubectl get secrets` shows), so no
// Secret or ConfigMap data ever crosses the wire. Other kinds are listed
// typed, as protobuf, with the row's field selector (pods: only bound and
// unfinished), and stripped to what podlint keeps.
//
// A kind that RBAC forbids, or that the server does not serve, stays
// unknown and is named in a warning; the run goes on without it. When the
// server cannot be reached, the remaining kinds are not tried. If no kind
// could be read at all, the error wraps ErrNoClusterData.
func ReadLive(ctx context.Context, opts LiveOptions, sink Sink) ([]string, error) {
	cfg := opts.Config
	if cfg == nil {
		rules := clientcmd.NewDefaultClientConfigLoadingRules()
		rules.ExplicitPath = opts.Kubeconfig
		cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: opts.Context})
		c, err := cc.ClientConfig()
		if err != nil {
			return nil, fmt.Errorf("loading kubeconfig: %w", err)
		}
		cfg = c
	}
	host := cfg.Host
	timeout := cmp.Or(opts.Timeout, DefaultLiveTimeout)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	r, err := newLiveReader(cfg, opts.PageSize, sink)
	if err != nil {
		return nil, fmt.Errorf("creating API client: %w", err)
	}
	var warnings []string
	listed := 0
	rows := cluster.Kinds()
	if opts.SecretKeys {
		rows = cluster.KindsWithSecretKeys()
	}
	for _, row := range rows {
		err := r.read(ctx, row)
		if err == nil {
			sink.MarkKnown(row.Kind, cluster.AllNamespaces)
			listed++
			continue
		}
		msg, fatal := describeError(row, err, host, timeout)
		if fatal {
			warnings = append(warnings, msg+"; cluster-aware checks for the remaining kinds are skipped")
			break
		}
		warnings = append(warnings, msg)
	}
	if listed == 0 {
		return warnings, fmt.Errorf("reading cluster %s: %w", host, ErrNoClusterData)
	}
	return warnings, nil
}

// describeError words a list failure for stderr, and tells whether the
// other kinds are worth trying.
func describeError(row cluster.Row, err error, host string, timeout time.Duration) (string, bool) {
	res, kind := row.GroupResource(), row.Kind
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

type liveReader struct {
	cfg   *rest.Config
	http  *http.Client
	meta  metadata.Interface
	limit int64
	sink  Sink
}

func newLiveReader(cfg *rest.Config, limit int64, sink Sink) (*liveReader, error) {
	cfg = rest.CopyConfig(cfg)
	// A read of a large cluster is a few hundred pages; client-go's default
	// 5 requests/s would make it take minutes. One limiter for all clients.
	cfg.QPS, cfg.Burst = 50, 100
	cfg.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(cfg.QPS, cfg.Burst)
	cfg.UserAgent = "podlint"
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	mc, err := metadata.NewForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 500
	}
	return &liveReader{cfg: cfg, http: hc, meta: mc, limit: limit, sink: sink}, nil
}

// client returns a REST client for a group version. Built-in kinds travel
// faster as protobuf.
func (r *liveReader) client(gv schema.GroupVersion, protobuf bool) (rest.Interface, error) {
	c := rest.CopyConfig(r.cfg)
	c.GroupVersion = &gv
	c.APIPath = "/apis"
	if gv.Group == "" {
		c.APIPath = "/api"
	}
	c.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	if protobuf {
		c.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
		c.ContentType = "application/vnd.kubernetes.protobuf"
	}
	return rest.RESTClientForConfigAndClient(c, r.http)
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

// read lists one kind into the sink. On error, what was read of the kind
// stays in the sink, but the kind is not marked known.
func (r *liveReader) read(ctx context.Context, row cluster.Row) error {
	switch row.Access {
	case cluster.Metadata:
		return r.metadata(ctx, row)
	case cluster.SecretType:
		return r.secrets(ctx, row)
	}
	return r.typed(ctx, row)
}

// typed lists the typed objects of a row, the way client-go's typed
// clients do, with the list type from client-go's scheme.
func (r *liveReader) typed(ctx context.Context, row cluster.Row) error {
	gvk := row.GroupVersionKind()
	rc, err := r.client(gvk.GroupVersion(), true)
	if err != nil {
		return err
	}
	listGVK := gvk.GroupVersion().WithKind(gvk.Kind + "List")
	return r.pages(ctx, metav1.ListOptions{FieldSelector: row.LiveSelector}, func(o metav1.ListOptions) (string, error) {
		list, err := scheme.Scheme.New(listGVK)
		if err != nil {
			return "", err
		}
		if err := rc.Get().Resource(row.Resource).VersionedParams(&o, scheme.ParameterCodec).Do(ctx).Into(list); err != nil {
			return "", err
		}
		err = apimeta.EachListItem(list, func(item runtime.Object) error {
			obj, ok := item.(cluster.Object)
			if !ok {
				return fmt.Errorf("%s list holds a %T", row.Kind, item)
			}
			row.Strip(obj)
			r.sink.Add(row.Kind, obj)
			return nil
		})
		if err != nil {
			return "", err
		}
		lm, err := apimeta.ListAccessor(list)
		if err != nil {
			return "", err
		}
		return lm.GetContinue(), nil
	})
}

// metadata lists names only, through the metadata API.
func (r *liveReader) metadata(ctx context.Context, row cluster.Row) error {
	res := r.meta.Resource(row.GroupVersionResource())
	return r.pages(ctx, metav1.ListOptions{FieldSelector: row.LiveSelector}, func(o metav1.ListOptions) (string, error) {
		l, err := res.Namespace("").List(ctx, o)
		if err != nil {
			return "", err
		}
		for i := range l.Items {
			row.Strip(&l.Items[i])
			r.sink.Add(row.Kind, &l.Items[i])
		}
		return l.Continue, nil
	})
}

// tableAccept asks for a server-side Table: rows of printed columns with
// the object's metadata only (includeObject=Metadata).
const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io"

// secrets lists Secrets as the Table `kubectl get secrets` prints: name,
// Type, number of keys. RBAC cannot limit a reader to metadata (list on
// secrets allows reading data), but podlint never asks for data: the
// request's Accept header makes the server send metadata and columns only.
func (r *liveReader) secrets(ctx context.Context, row cluster.Row) error {
	rc, err := r.client(row.GroupVersionKind().GroupVersion(), false)
	if err != nil {
		return err
	}
	return r.pages(ctx, metav1.ListOptions{}, func(o metav1.ListOptions) (string, error) {
		req := rc.Get().Resource(row.Resource).
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
		typeCol := slices.IndexFunc(table.ColumnDefinitions, func(c metav1.TableColumnDefinition) bool { return c.Name == "Type" })
		for _, tr := range table.Rows {
			var m metav1.PartialObjectMetadata
			if err := json.Unmarshal(tr.Object.Raw, &m); err != nil {
				return "", fmt.Errorf("decoding secret metadata: %w", err)
			}
			sec := &corev1.Secret{ObjectMeta: m.ObjectMeta}
			if typeCol >= 0 && typeCol < len(tr.Cells) {
				if t, ok := tr.Cells[typeCol].(string); ok {
					sec.Type = corev1.SecretType(t)
				}
			}
			row.Strip(sec)
			r.sink.Add(row.Kind, sec)
		}
		return table.Continue, nil
	})
}
