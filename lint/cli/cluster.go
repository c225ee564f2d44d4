package cli

import (
	"context"
	"fmt"
	"io"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/podlint/podlint/cluster"
	"github.com/podlint/podlint/cluster/snapshot"
)

// clusterStore returns the cluster knowledge for the run (snapshot files
// and/or a live cluster), or nil when the command line asks for none; then
// cluster-aware checks stay silent. Kinds that could not be read are named
// on stderr and stay unknown; an error (exit 2) means a snapshot could not
// be loaded or, with --live, nothing at all could be read.
func clusterStore(ctx context.Context, cfg *Config, stderr io.Writer) (*cluster.Store, error) {
	if len(cfg.ClusterSnapshots) == 0 && !cfg.Live {
		return nil, nil
	}
	store := cluster.New()
	for _, path := range cfg.ClusterSnapshots {
		warnings, err := snapshot.LoadFile(path, store)
		if err != nil {
			return nil, err
		}
		for _, w := range warnings {
			fmt.Fprintf(stderr, "podlint: %s\n", w)
		}
	}
	if cfg.Live {
		// --write-snapshot saves what the live read returned, and only that.
		var sink snapshot.Sink = store
		var written *snapshot.Snapshot
		if cfg.WriteSnapshot != "" {
			written = snapshot.New()
			sink = snapshot.Tee(store, written)
		}
		warnings, err := snapshot.ReadLive(ctx, snapshot.LiveOptions{
			Kubeconfig: cfg.Kubeconfig,
			Context:    cfg.KubeContext,
			Timeout:    cfg.LiveTimeout,
		}, sink)
		for _, w := range warnings {
			fmt.Fprintf(stderr, "podlint: %s\n", w)
		}
		if err != nil {
			return nil, err
		}
		if written != nil {
			if err := written.WriteFile(cfg.WriteSnapshot); err != nil {
				return nil, err
			}
		}
	}
	return store, nil
}

// kubeconfigNamespace is the namespace kubectl applies namespace-less
// objects to with the kubeconfig and context --live uses: the context's
// namespace, or "default".
func kubeconfigNamespace(cfg *Config) string {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = cfg.Kubeconfig
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: cfg.KubeContext})
	ns, _, err := cc.Namespace()
	if err != nil || ns == "" {
		return "default"
	}
	return ns
}
