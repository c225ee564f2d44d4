package webhook

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestConfigSourceReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".podlint.yaml")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("memoryMinimum: 8Mi\n")
	m := NewMetrics(prometheus.NewRegistry())
	c, err := NewConfigSource(path, time.Hour, m)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Engine().Config.MemoryMinimum.String(); got != "8Mi" {
		t.Fatalf("memoryMinimum %s, want 8Mi", got)
	}

	write("memoryMinimum: 16Mi\n")
	if changed, err := c.reload(); err != nil || !changed {
		t.Fatalf("reload: changed=%v err=%v", changed, err)
	}
	if got := c.Engine().Config.MemoryMinimum.String(); got != "16Mi" {
		t.Errorf("after edit: memoryMinimum %s, want 16Mi", got)
	}
	if changed, _ := c.reload(); changed {
		t.Error("unchanged file reported as changed")
	}

	// A bad edit keeps the last good config and is counted.
	write("memoryMinimum: [\n")
	if _, err := c.reload(); err == nil {
		t.Fatal("bad config accepted")
	}
	if got := c.Engine().Config.MemoryMinimum.String(); got != "16Mi" {
		t.Errorf("after bad edit: memoryMinimum %s, want the previous 16Mi", got)
	}
	if n := counterValue(m.configLoads.WithLabelValues("error")); n != 1 {
		t.Errorf("config load errors = %v, want 1", n)
	}

	// A bad file at start-up is an error the operator sees.
	if _, err := NewConfigSource(path, time.Hour, nil); err == nil {
		t.Error("NewConfigSource accepted a bad file")
	}
	// No file: the defaults.
	c2, err := NewConfigSource(filepath.Join(t.TempDir(), "missing.yaml"), time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c2.Engine().Config.MemoryMinimum.String(); got != "6Mi" {
		t.Errorf("missing file: memoryMinimum %s, want the default 6Mi", got)
	}
}
