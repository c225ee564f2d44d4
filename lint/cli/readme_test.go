package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podlint/podlint/checks"
)

// TestREADMEConfigExample parses the configuration example users copy
// from the README, so that it never documents keys or IDs that do not
// exist.
func TestREADMEConfigExample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	_, section, ok := strings.Cut(readme, "\n## Configuration file\n")
	if !ok {
		t.Fatal(`README.md has no "## Configuration file" section`)
	}
	_, block, ok := strings.Cut(section, "```yaml\n")
	if !ok {
		t.Fatal("the configuration section has no yaml example")
	}
	block, _, _ = strings.Cut(block, "```")
	cfg, err := checks.ParseConfig([]byte(block))
	if err != nil {
		t.Fatalf("README configuration example does not parse: %v\n%s", err, block)
	}
	if len(cfg.Enabled) == 0 || len(cfg.Disabled) == 0 || len(cfg.Severity) == 0 || len(cfg.Registries.Private) == 0 || len(cfg.Exclude) == 0 {
		t.Errorf("README example parsed into a config that lacks sections: %+v", cfg)
	}
}
