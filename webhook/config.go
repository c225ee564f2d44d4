package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync/atomic"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/podlint/podlint/checks"
)

// ConfigSource holds the engine built from the config file and rebuilds it
// when the file changes. Requests pick up the engine current when they
// start; a check run never sees half of an old and half of a new config.
type ConfigSource struct {
	path     string
	interval time.Duration
	metrics  *Metrics
	engine   atomic.Pointer[checks.Engine]
	last     []byte
}

// NewConfigSource loads path ("" or a missing file: the defaults). A file
// that does not parse is an error at start-up, where an operator sees it;
// later bad edits keep the previous config.
func NewConfigSource(path string, interval time.Duration, m *Metrics) (*ConfigSource, error) {
	c := &ConfigSource{path: path, interval: interval, metrics: m}
	c.engine.Store(checks.NewEngine(nil))
	if path == "" {
		return c, nil
	}
	if _, err := c.reload(); err != nil {
		return nil, err
	}
	return c, nil
}

// Engine returns the current engine.
func (c *ConfigSource) Engine() *checks.Engine { return c.engine.Load() }

// reload reads the file and swaps the engine when the content changed.
func (c *ConfigSource) reload() (bool, error) {
	data, err := os.ReadFile(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		data = nil
	} else if err != nil {
		return false, fmt.Errorf("reading config %s: %w", c.path, err)
	}
	if c.last != nil && bytes.Equal(data, c.last) {
		return false, nil
	}
	cfg := checks.DefaultConfig()
	if len(bytes.TrimSpace(data)) > 0 {
		if cfg, err = checks.ParseConfig(data); err != nil {
			c.metrics.configLoaded(false)
			return false, fmt.Errorf("config %s: %w", c.path, err)
		}
	}
	c.engine.Store(checks.NewEngine(cfg))
	c.last = append([]byte{}, data...)
	if c.last == nil {
		c.last = []byte{}
	}
	c.metrics.configLoaded(true)
	return true, nil
}

// Start polls the file until ctx ends (a manager.Runnable).
func (c *ConfigSource) Start(ctx context.Context) error {
	if c.path == "" {
		return nil
	}
	lg := log.FromContext(ctx).WithValues("config", c.path)
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			changed, err := c.reload()
			switch {
			case err != nil:
				lg.Error(err, "config not reloaded; keeping the previous one")
			case changed:
				lg.Info("config reloaded")
			}
		}
	}
}

// NeedLeaderElection: every replica serves requests, so every replica
// follows the config.
func (c *ConfigSource) NeedLeaderElection() bool { return false }
