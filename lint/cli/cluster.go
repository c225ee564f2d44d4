package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/podlint/podlint/cluster"
	"github.com/podlint/podlint/cluster/snapshot"
	"github.com/podlint/podlint/lint"
)

// clusterStore returns the cluster knowledge for the run (snapshot files
// and/or a live cluster), or nil when the command line asks for none; then
// cluster-aware checks stay silent. Kinds that could not be read are named
// on stderr and stay unknown.
//
// A snapshot that cannot be read or parsed, or a --live read that got
// nothing, is returned as an input error, not a reason to stop: the
// manifests are still linted (without that source's knowledge, so its
// kinds stay unknown) and the run exits 2.
func clusterStore(ctx context.Context, cfg *Config, stderr io.Writer) (*cluster.Store, []lint.InputError) {
	if len(cfg.ClusterSnapshots) == 0 && !cfg.Live {
		return nil, nil
	}
	store := cluster.New()
	var errs []lint.InputError
	for _, path := range cfg.ClusterSnapshots {
		data, err := lint.ReadFile(ctx, path, cfg.MaxInputBytes)
		if err != nil {
			errs = append(errs, lint.InputError{File: path, Message: "reading cluster snapshot: " + pathless(err).Error()})
			continue
		}
		// Decode feeds the store only when the whole snapshot decoded.
		warnings, err := snapshot.Decode(path, data, store)
		data = nil
		if err != nil {
			errs = append(errs, snapshotError(path, err))
			continue
		}
		for _, w := range warnings {
			notice(stderr, w)
		}
	}
	if cfg.Live {
		if cfg.SecretKeys {
			// Only the live read carries key names; snapshot files
			// never do (their Secrets are decoded without data).
			store.KeepSecretKeys()
		}
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
			SecretKeys: cfg.SecretKeys,
		}, sink)
		for _, w := range warnings {
			notice(stderr, w)
		}
		if err != nil {
			errs = append(errs, lint.InputError{File: "--live", Message: err.Error()})
		} else if written != nil {
			if err := written.WriteFile(cfg.WriteSnapshot); err != nil {
				errs = append(errs, lint.InputError{File: cfg.WriteSnapshot, Message: err.Error()})
			}
		}
	}
	return store, errs
}

// snapshotError places a snapshot decoding error at its line when the
// decoder knows it (the byte offset is in the message).
func snapshotError(path string, err error) lint.InputError {
	var pe *snapshot.PositionError
	if errors.As(err, &pe) {
		return lint.InputError{File: path, Line: pe.Line, Message: pe.Message()}
	}
	return lint.InputError{File: path, Message: err.Error()}
}

// pathless drops the path from an error shown next to the same path.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot %s: %w", pe.Op, pe.Err)
	}
	return err
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
