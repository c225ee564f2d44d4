package checks

import "strings"

// IgnoreAnnotation suppresses checks for one object: a comma-separated list
// of check IDs, or "all". It is read on the object and on its pod template.
const IgnoreAnnotation = "podlint.io/ignore"

// Result is the outcome of running the catalogue over one target.
type Result struct {
	Findings []Finding
	// Suppressed counts findings dropped by the ignore annotation.
	Suppressed int
	// Deferred lists, in catalogue order, the checks RunTargetProbe did
	// not settle.
	Deferred []*Check
}

// Engine runs a catalogue with a configuration. It holds no state between
// runs, so one engine may serve concurrent webhook requests.
type Engine struct {
	Checks []*Check
	Config *Config
}

// NewEngine returns an engine over the whole catalogue; nil means
// DefaultConfig.
func NewEngine(cfg *Config) *Engine {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	return &Engine{Checks: Catalogue(), Config: cfg}
}

// Enabled returns the checks the configuration lets run, in catalogue
// order, so that reports describe exactly those.
func (e *Engine) Enabled() []*Check {
	var out []*Check
	for _, ch := range e.Checks {
		if e.Config.IsEnabled(ch.ID) {
			out = append(out, ch)
		}
	}
	return out
}

// RunTarget checks one target.
func (e *Engine) RunTarget(t *Target, inv Inventory) Result {
	return e.run(t, inv, e.Checks, nil)
}

// RunTargetProbe runs the enabled checks on t the way RunTarget does, for
// a caller that does not know all of the inventory yet (the CLI reading a
// stream, whose later objects still count). Before each check it clears
// *asked; the caller's inventory sets it whenever a check asks about
// something not yet final. A check that did not ask has its findings in
// the result, final; one that asked has them dropped and is listed in
// Result.Deferred, to run again with RunTargetChecks once the inventory
// is complete. Each check gets its own Shared cache, so that a value
// computed from an unfinished inventory never reaches another check.
func (e *Engine) RunTargetProbe(t *Target, inv Inventory, asked *bool) Result {
	return e.run(t, inv, e.Checks, asked)
}

// RunTargetChecks runs the given checks (a Result.Deferred) on t, those
// the configuration enables, as RunTarget would run them.
func (e *Engine) RunTargetChecks(t *Target, inv Inventory, list []*Check) Result {
	return e.run(t, inv, list, nil)
}

func (e *Engine) run(t *Target, inv Inventory, list []*Check, asked *bool) Result {
	var res Result
	ignored := ignoredChecks(t)
	// One pass serves every check in turn: a pass per check was a fifth
	// of what a webhook review allocates.
	p := &Pass{Target: t, Inv: inv, Config: e.Config, shared: map[any]any{}}
	for _, ch := range list {
		if !e.Config.IsEnabled(ch.ID) || (t.Spec == nil && !ch.AnyObject) {
			continue
		}
		if asked != nil {
			*asked = false
			clear(p.shared)
		}
		p.check, p.findings = ch, nil
		ch.Run(p)
		if asked != nil && *asked {
			res.Deferred = append(res.Deferred, ch)
			continue
		}
		if len(p.findings) == 0 {
			continue
		}
		if ignored["all"] || ignored[ch.ID] {
			res.Suppressed += len(p.findings)
			continue
		}
		sev := e.Config.severityOf(ch)
		for i := range p.findings {
			// A configured severity replaces the default; a check that
			// lowered one finding on purpose (uncertain case) stays
			// lowered relative to it.
			if p.findings[i].Severity == ch.Severity {
				p.findings[i].Severity = sev
			}
		}
		res.Findings = append(res.Findings, p.findings...)
	}
	return res
}

func ignoredChecks(t *Target) map[string]bool {
	var out map[string]bool
	add := func(annotations map[string]string) {
		v, ok := annotations[IgnoreAnnotation]
		if !ok {
			return
		}
		if out == nil {
			out = map[string]bool{}
		}
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				out[id] = true
			}
		}
	}
	if t.Meta != nil {
		add(t.Meta.Annotations)
	}
	if t.TemplateMeta != nil {
		add(t.TemplateMeta.Annotations)
	}
	return out
}
