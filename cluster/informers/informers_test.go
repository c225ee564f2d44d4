package informers

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

// TestFeederReadyOnlyWhenKnown: readiness tells the Service to send
// requests here, so once Synced says yes every watched kind must already
// count as known in the store; otherwise the first requests after ready
// miss every "not found" finding.
func TestFeederReadyOnlyWhenKnown(t *testing.T) {
	store := cluster.New()
	f := NewFeeder(store, nil)
	var listed atomic.Bool
	f.syncs = []syncWait{
		{cluster.Secrets, string(cluster.Secrets), listed.Load},
		{"", "Secret type=Opaque", func() bool { return true }},
	}
	secretPresence := func() checks.Presence {
		_, p := store.Inventory().Secrets.Secret("team", "harbor-pull")
		return p
	}
	if f.Synced() == nil {
		t.Fatal("ready before the informer listed")
	}
	// The informer has listed but nothing has marked the kind known yet
	// (markKnown not running, as before the manager starts it).
	listed.Store(true)
	if err := f.Synced(); err == nil && secretPresence() != checks.Absent {
		t.Fatalf("ready while Secrets are still %v in the store", secretPresence())
	}

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f.markKnown(ctx) }()
	for f.Synced() != nil {
		if ctx.Err() != nil {
			t.Fatal("never ready after the informers listed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if p := secretPresence(); p != checks.Absent {
		t.Errorf("ready, but a missing Secret is %v, want Absent", p)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("markKnown: %v", err)
	}
}
