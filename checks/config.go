package checks

import (
	"k8s.io/apimachinery/pkg/api/resource"
)

// Config tunes the checks. The zero value is not useful: start from
// DefaultConfig. The CLI and the webhook read the same file format into it
// (see ParseConfig).
type Config struct {
	// Enabled, when non-nil, lists the only checks that run.
	Enabled map[string]bool
	// Disabled checks never run, even when Enabled lists them.
	Disabled map[string]bool
	// Severity overrides a check's default severity.
	Severity map[string]Severity
	// MemoryMinimum is the smallest memory limit a container runtime can
	// start a container with.
	MemoryMinimum resource.Quantity
	// CPUBareMaximum is the smallest bare cpu number (cores, no unit)
	// that cpu-unit-missing reports.
	CPUBareMaximum int64
	// Registries classifies image registries for image-pull-secret-missing.
	Registries Registries
	// Exclude holds path globs the CLI skips (unused by the webhook).
	Exclude []string
}

// Registries lists registry hosts (host or host:port, "*.example.com"
// wildcards allowed) by how podlint should treat them.
type Registries struct {
	// Private registries always need pull credentials.
	Private []string
	// Public registries never do (added to the built-in list).
	Public []string
	// NodeCredentials registries are authenticated by the nodes
	// themselves (kubelet credential provider, ECR/GCR/ACR node roles).
	NodeCredentials []string
	// ReportUnknown treats hosts that are neither listed nor obviously
	// private as private.
	ReportUnknown bool
}

// defaultMemoryMinimum is Config.MemoryMinimum's default, which
// memory-too-small also falls back to when a Config leaves it zero.
const defaultMemoryMinimum = "6Mi"

// DefaultConfig returns the configuration used when none is given.
func DefaultConfig() *Config {
	return &Config{
		MemoryMinimum:  resource.MustParse(defaultMemoryMinimum),
		CPUBareMaximum: 100,
	}
}

// severityOf returns the effective severity of a check: the configured
// one, or the check's default.
func (c *Config) severityOf(ch *Check) Severity {
	if s, ok := c.Severity[ch.ID]; ok {
		return s
	}
	return ch.Severity
}

// IsEnabled tells whether a check runs.
func (c *Config) IsEnabled(id string) bool {
	if c.Disabled[id] {
		return false
	}
	if c.Enabled != nil {
		return c.Enabled[id]
	}
	return true
}
