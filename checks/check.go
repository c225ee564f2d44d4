package checks

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Check is one entry of the catalogue. Its documentation travels with it so
// that --list-checks, --explain, docs/checks.md and SARIF rules never drift
// from the code.
type Check struct {
	// ID is stable and kebab-case; users put it in configs and annotations.
	ID    string
	Title string
	// Severity is the default; configuration may override it.
	Severity Severity
	// Symptom is the stuck state the problem leads to.
	Symptom Symptom
	// Description says what is caught and why Kubernetes behaves that way.
	Description string
	// Remediation is one or more sentences, ending with a period.
	Remediation string
	// Bad and Good are small YAML examples for --explain and the docs.
	Bad, Good string
	// Cluster marks checks that need cluster knowledge (nodes, namespaces,
	// referenced objects) beyond the object itself.
	Cluster bool
	// Uses says exactly what the check reads beyond the object itself and
	// where that knowledge comes from (the other inputs of the run, a
	// --cluster-snapshot, --live, the webhook's informers), and what it
	// does without it. --explain and docs/checks.md print it; "" for
	// checks that read the object alone.
	Uses string
	// MissingReference marks checks that report a referenced object
	// (ConfigMap, Secret, PVC, ServiceAccount) that does not exist. The
	// webhook only warns about them: kubectl applies a file's objects one
	// by one, so the object may be created a moment later in the same
	// apply, and Kubernetes waits for it.
	MissingReference bool
	// AnyObject makes the engine run the check on objects without a pod
	// spec too (schema-invalid); other checks only see pod-spec targets.
	AnyObject bool
	// Run inspects one target and reports through the pass.
	Run func(p *Pass)
}

// Pass is what a check sees while it runs on one target.
type Pass struct {
	Target *Target
	Inv    Inventory
	Config *Config

	check    *Check
	findings []Finding
	// shared is one map per target, handed to every check's pass.
	shared map[any]any
}

// Shared returns compute's result for key, computing it once per target
// for all the checks that run on it: the four scheduling checks read one
// evaluation of the nodes instead of four. compute must depend only on the
// target, the inventory and the config, and its result must be read-only.
func (p *Pass) Shared(key any, compute func() any) any {
	if v, ok := p.shared[key]; ok {
		return v
	}
	v := compute()
	if p.shared == nil {
		p.shared = map[any]any{}
	}
	p.shared[key] = v
	return v
}

// Report records a finding at path with the check's default severity.
// container is the container's name, or "" for pod-level findings.
func (p *Pass) Report(path *field.Path, container, format string, args ...any) {
	p.ReportAs(p.check.Severity, path, container, format, args...)
}

// ReportAs records a finding with an explicit severity, for checks whose
// certainty varies by case (two Deployments on one host port only may
// collide; two DaemonSets always do).
func (p *Pass) ReportAs(sev Severity, path *field.Path, container, format string, args ...any) {
	f := Finding{
		Check:       p.check.ID,
		Severity:    sev,
		Object:      p.Target.Ref,
		Container:   container,
		Message:     fmt.Sprintf(format, args...),
		Symptom:     p.check.Symptom,
		Remediation: p.check.Remediation,
	}
	if path != nil {
		f.Field = path.String()
	}
	p.findings = append(p.findings, f)
}

// origin names where obj was written when it came from an input, as
// " at FILE:LINE", for messages about a finding that obj causes; "" for
// cluster objects.
func (p *Pass) origin(obj any, path *field.Path) string {
	if p.Inv.Origins == nil {
		return ""
	}
	if o := p.Inv.Origins.Origin(obj, path); o != "" {
		return " at " + o
	}
	return ""
}

// pairWith marks the last finding as one side of a conflict between the
// target and another object, keyed so that the other side's finding gets
// the same key: a report lists each such pair once.
func (p *Pass) pairWith(other ObjectRef, what string) {
	if len(p.findings) == 0 {
		return
	}
	a, b := pairRef(p.Target.Ref), pairRef(other)
	if b < a {
		a, b = b, a
	}
	p.findings[len(p.findings)-1].Pair = p.check.ID + " " + a + " " + b + " " + what
}

func pairRef(r ObjectRef) string {
	ns := r.Namespace
	if ns == "" {
		ns = "default"
	}
	return r.Kind + "/" + ns + "/" + r.Name
}
