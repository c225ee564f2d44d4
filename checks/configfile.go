package checks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
)

// ConfigFileName is the file the CLI reads from the working directory when
// no --config is given.
const ConfigFileName = ".podlint.yaml"

// ConfigError is a problem in a configuration file, with the line it is on
// so that users can jump to it.
type ConfigError struct {
	Line    int
	Message string
}

func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return "line " + strconv.Itoa(e.Line) + ": " + e.Message
	}
	return e.Message
}

// ParseConfig reads a .podlint.yaml document on top of DefaultConfig:
//
//	checks:
//	  enable: [ID, ...]             # only these checks run (default: all)
//	  disable: [ID, ...]            # these never run
//	  severity: {ID: error|warning|info}
//	memoryMinimum: 6Mi              # smallest memory limit that starts
//	cpuBareMaximum: 100             # bare cpu numbers from here are reported
//	registries:
//	  private: [host, ...]          # always need pull credentials
//	  public: [host, ...]           # never do
//	  nodeCredentials: [host, ...]  # nodes authenticate to them
//	  reportUnknown: false          # treat unlisted hosts as private
//	exclude: [glob, ...]            # paths the CLI skips
//
// It is strict: an unknown key, a check ID not in the catalogue, a duplicate
// key or a bad value is an error naming its line, because a typo in a
// linter's configuration silently turns checks off. Empty input yields the
// defaults.
func ParseConfig(data []byte) (*Config, error) {
	return parseConfig(data, Catalogue())
}

func parseConfig(data []byte, catalogue []*Check) (*Config, error) {
	cfg := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, nil
		}
		return nil, fmt.Errorf("invalid yaml: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &ConfigError{Line: extra.Line, Message: "a configuration file holds one YAML document; found a second"}
	} else if !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("invalid yaml: %w", err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return cfg, nil
		}
		root = root.Content[0]
	}
	if isNull(root) {
		return cfg, nil
	}
	p := &configParser{cfg: cfg, catalogue: catalogue}
	if err := p.top(root); err != nil {
		return nil, err
	}
	return cfg, nil
}

type configParser struct {
	cfg       *Config
	catalogue []*Check
}

// keyValue is one key of a mapping, with its value.
type keyValue struct {
	key   *yaml.Node
	value *yaml.Node
}

// fields checks that n is a mapping with only the allowed keys, each once.
func fields(n *yaml.Node, where string, allowed ...string) ([]keyValue, error) {
	if n.Kind != yaml.MappingNode {
		return nil, errAt(n, "%s must be a mapping, got %s", where, describe(n))
	}
	seen := map[string]int{}
	out := make([]keyValue, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		if k.Kind != yaml.ScalarNode {
			return nil, errAt(k, "%s: keys must be strings", where)
		}
		if !slices.Contains(allowed, name) {
			msg := fmt.Sprintf("unknown key %q", name)
			if where != "" {
				msg = fmt.Sprintf("unknown key %q in %s", name, where)
			}
			if s := suggest(name, allowed); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += fmt.Sprintf(" (valid keys: %s)", strings.Join(allowed, ", "))
			}
			return nil, &ConfigError{Line: k.Line, Message: msg}
		}
		if first, dup := seen[name]; dup {
			return nil, errAt(k, "duplicate key %q (first on line %d)", name, first)
		}
		seen[name] = k.Line
		out = append(out, keyValue{k, v})
	}
	return out, nil
}

func (p *configParser) top(n *yaml.Node) error {
	fs, err := fields(n, "", "checks", "memoryMinimum", "cpuBareMaximum", "registries", "exclude")
	if err != nil {
		return err
	}
	for _, f := range fs {
		switch f.key.Value {
		case "checks":
			err = p.checks(f.value)
		case "memoryMinimum":
			err = p.memoryMinimum(f.value)
		case "cpuBareMaximum":
			err = p.cpuBareMaximum(f.value)
		case "registries":
			err = p.registries(f.value)
		case "exclude":
			p.cfg.Exclude, err = stringList(f.value, "exclude", validGlob)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (p *configParser) checks(n *yaml.Node) error {
	if isNull(n) {
		return nil
	}
	fs, err := fields(n, "checks", "enable", "disable", "severity")
	if err != nil {
		return err
	}
	for _, f := range fs {
		switch f.key.Value {
		case "enable":
			ids, err := stringList(f.value, "checks.enable", p.validID)
			if err != nil {
				return err
			}
			// An explicit empty list means "run nothing", which is
			// never what anyone wants from a linter.
			if len(ids) == 0 {
				return errAt(f.value, "checks.enable is empty; remove it to run every check")
			}
			p.cfg.Enabled = setOf(ids)
		case "disable":
			ids, err := stringList(f.value, "checks.disable", p.validID)
			if err != nil {
				return err
			}
			p.cfg.Disabled = setOf(ids)
		case "severity":
			if err := p.severity(f.value); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *configParser) severity(n *yaml.Node) error {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return errAt(n, "checks.severity must be a mapping of check ID to error, warning or info, got %s", describe(n))
	}
	sev := map[string]Severity{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if err := p.validID(k); err != nil {
			return err
		}
		if _, dup := sev[k.Value]; dup {
			return errAt(k, "duplicate key %q in checks.severity", k.Value)
		}
		if v.Kind != yaml.ScalarNode {
			return errAt(v, "checks.severity.%s must be error, warning or info, got %s", k.Value, describe(v))
		}
		s, err := ParseSeverity(v.Value)
		if err != nil {
			return errAt(v, "checks.severity.%s: %v", k.Value, err)
		}
		sev[k.Value] = s
	}
	p.cfg.Severity = sev
	return nil
}

func (p *configParser) memoryMinimum(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		return errAt(n, "memoryMinimum must be a quantity such as 6Mi, got %s", describe(n))
	}
	q, err := resource.ParseQuantity(n.Value)
	if err != nil {
		return errAt(n, "memoryMinimum %q is not a quantity: %v", n.Value, err)
	}
	if q.Sign() <= 0 {
		return errAt(n, "memoryMinimum %q must be positive, such as 6Mi", n.Value)
	}
	// The very mistakes podlint reports in manifests would make the
	// threshold meaningless here: 6 is six bytes, 6m six thousandths.
	if q.Cmp(memoryMinimumLow) < 0 {
		example := "6Mi"
		if isDecimal(n.Value, false) {
			example = n.Value + "Mi"
		}
		return errAt(n, "memoryMinimum %q is %s bytes; write it with a binary unit such as %q", n.Value, q.AsDec().String(), example)
	}
	// Every memory limit would be "too small" (1e400 would be accepted
	// and printed as 10e399 in every finding).
	if q.Cmp(memoryMinimumHigh) > 0 {
		return errAt(n, "memoryMinimum %q is larger than any node's memory; the most it can be is %s", n.Value, memoryMinimumHigh.String())
	}
	p.cfg.MemoryMinimum = q
	return nil
}

// The range of memoryMinimum and cpuBareMaximum.
var (
	memoryMinimumLow  = resource.MustParse("1Ki")
	memoryMinimumHigh = resource.MustParse("1Ti")
)

const cpuBareMaximumHigh = 1000000

func (p *configParser) cpuBareMaximum(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return errAt(n, "cpuBareMaximum must be a whole number of cores, got %s", describe(n))
	}
	v, err := strconv.ParseInt(n.Value, 0, 64)
	if err != nil || v < 1 || v > cpuBareMaximumHigh {
		return errAt(n, "cpuBareMaximum must be a whole number of cores from 1 to %d, got %q", cpuBareMaximumHigh, n.Value)
	}
	p.cfg.CPUBareMaximum = v
	return nil
}

func (p *configParser) registries(n *yaml.Node) error {
	if isNull(n) {
		return nil
	}
	fs, err := fields(n, "registries", "private", "public", "nodeCredentials", "reportUnknown")
	if err != nil {
		return err
	}
	r := &p.cfg.Registries
	for _, f := range fs {
		name := "registries." + f.key.Value
		switch f.key.Value {
		case "private":
			r.Private, err = stringList(f.value, name, validRegistry)
		case "public":
			r.Public, err = stringList(f.value, name, validRegistry)
		case "nodeCredentials":
			r.NodeCredentials, err = stringList(f.value, name, validRegistry)
		case "reportUnknown":
			r.ReportUnknown, err = boolean(f.value, name)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (p *configParser) validID(n *yaml.Node) error {
	ids := make([]string, len(p.catalogue))
	for i, c := range p.catalogue {
		ids[i] = c.ID
	}
	if slices.Contains(ids, n.Value) {
		return nil
	}
	msg := fmt.Sprintf("unknown check %q", n.Value)
	if s := suggest(n.Value, ids); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	} else {
		msg += fmt.Sprintf(" (valid checks: %s)", strings.Join(ids, ", "))
	}
	return &ConfigError{Line: n.Line, Message: msg}
}

func validRegistry(n *yaml.Node) error {
	h := n.Value
	if h == "" || strings.ContainsAny(h, "/ \t@") || strings.Contains(h, "://") {
		return errAt(n, "registry %q must be a host or host:port (such as registry.example.com:5000 or *.example.com), without scheme or path", h)
	}
	return nil
}

func validGlob(n *yaml.Node) error {
	if n.Value == "" {
		return errAt(n, "exclude pattern is empty")
	}
	if _, err := path.Match(n.Value, ""); err != nil {
		return errAt(n, "exclude pattern %q: %v", n.Value, err)
	}
	return nil
}

// stringList reads a sequence of strings, or null for an empty list.
func stringList(n *yaml.Node, name string, valid func(*yaml.Node) error) ([]string, error) {
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, errAt(n, "%s must be a list, got %s", name, describe(n))
	}
	out := make([]string, 0, len(n.Content))
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode || isNull(item) {
			return nil, errAt(item, "%s: items must be strings, got %s", name, describe(item))
		}
		if err := valid(item); err != nil {
			return nil, err
		}
		out = append(out, item.Value)
	}
	return out, nil
}

func boolean(n *yaml.Node, name string) (bool, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		var b bool
		if err := n.Decode(&b); err == nil {
			return b, nil
		}
	}
	return false, errAt(n, "%s must be true or false, got %s", name, describe(n))
}

func setOf(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if isNull(n) {
		return "nothing"
	}
	return strconv.Quote(n.Value)
}

func errAt(n *yaml.Node, format string, args ...any) *ConfigError {
	return &ConfigError{Line: n.Line, Message: fmt.Sprintf(format, args...)}
}

// suggest returns the candidate closest to s when it is close enough to be
// a typo (edit distance at most a third of the word, at least one).
func suggest(s string, candidates []string) string {
	best, bestDist := "", max(1, len(s)/3)+1
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance, counting a swap of two
// neighbouring letters as one edit (the commonest typo).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
