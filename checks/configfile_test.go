package checks

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

// fakeCatalogue keeps these tests independent of which checks are
// registered at the moment.
var fakeCatalogue = []*Check{
	{ID: "memory-unit-milli", Severity: Error},
	{ID: "cpu-unit-missing", Severity: Warning},
	{ID: "image-pull-secret-missing", Severity: Warning},
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want func(c *Config)
	}{
		{name: "empty", in: ""},
		{name: "comment only", in: "# nothing here\n"},
		{name: "null document", in: "~\n"},
		{name: "empty sections", in: "checks:\nregistries:\nexclude:\n"},
		{
			name: "everything",
			in: `checks:
  enable: [memory-unit-milli, cpu-unit-missing]
  disable:
    - cpu-unit-missing
  severity:
    memory-unit-milli: warning
    image-pull-secret-missing: error
memoryMinimum: 16Mi
cpuBareMaximum: 64
registries:
  private: [docker02:35000, "*.corp.example.com"]
  public: [registry.example.org]
  nodeCredentials: [123456789012.dkr.ecr.eu-west-1.amazonaws.com]
  reportUnknown: true
exclude: ["charts/*", "**/kustomization.yaml"]
`,
			want: func(c *Config) {
				c.Enabled = map[string]bool{"memory-unit-milli": true, "cpu-unit-missing": true}
				c.Disabled = map[string]bool{"cpu-unit-missing": true}
				c.Severity = map[string]Severity{"memory-unit-milli": Warning, "image-pull-secret-missing": Error}
				c.MemoryMinimum = resource.MustParse("16Mi")
				c.CPUBareMaximum = 64
				c.Registries = Registries{
					Private:         []string{"docker02:35000", "*.corp.example.com"},
					Public:          []string{"registry.example.org"},
					NodeCredentials: []string{"123456789012.dkr.ecr.eu-west-1.amazonaws.com"},
					ReportUnknown:   true,
				}
				c.Exclude = []string{"charts/*", "**/kustomization.yaml"}
			},
		},
		{
			name: "memory minimum as decimal unit",
			in:   "memoryMinimum: 8M\n",
			want: func(c *Config) { c.MemoryMinimum = resource.MustParse("8M") },
		},
		{
			name: "severity warn alias",
			in:   "checks: {severity: {cpu-unit-missing: warn}}\n",
			want: func(c *Config) { c.Severity = map[string]Severity{"cpu-unit-missing": Warning} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConfig([]byte(tt.in), fakeCatalogue)
			if err != nil {
				t.Fatalf("parseConfig: %v", err)
			}
			want := DefaultConfig()
			if tt.want != nil {
				tt.want(want)
			}
			if got.MemoryMinimum.Cmp(want.MemoryMinimum) != 0 {
				t.Errorf("MemoryMinimum = %s, want %s", got.MemoryMinimum.String(), want.MemoryMinimum.String())
			}
			got.MemoryMinimum, want.MemoryMinimum = resource.Quantity{}, resource.Quantity{}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("config mismatch\n got: %+v\nwant: %+v", got, want)
			}
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		line int
		want string
	}{
		{
			name: "misspelled top-level key",
			in:   "checks:\n  disable: [cpu-unit-missing]\n\n\n\n\nregsitries:\n  private: [x]\n",
			line: 7,
			want: `line 7: unknown key "regsitries" (did you mean "registries"?)`,
		},
		{
			name: "unknown key without suggestion",
			in:   "colour: blue\n",
			line: 1,
			want: `unknown key "colour" (valid keys: checks, memoryMinimum, cpuBareMaximum, registries, exclude)`,
		},
		{
			name: "unknown nested key",
			in:   "registries:\n  privat: [a]\n",
			line: 2,
			want: `unknown key "privat" in registries (did you mean "private"?)`,
		},
		{
			name: "unknown check id with suggestion",
			in:   "checks:\n  disable:\n    - memory-unit-mili\n",
			line: 3,
			want: `unknown check "memory-unit-mili" (did you mean "memory-unit-milli"?)`,
		},
		{
			name: "unknown check id lists valid ones",
			in:   "checks:\n  enable: [everything]\n",
			line: 2,
			want: `unknown check "everything" (valid checks: memory-unit-milli, cpu-unit-missing, image-pull-secret-missing)`,
		},
		{
			name: "unknown check id in severity",
			in:   "checks:\n  severity:\n    nope: error\n",
			line: 3,
			want: `unknown check "nope"`,
		},
		{
			name: "bad severity",
			in:   "checks:\n  severity:\n    cpu-unit-missing: fatal\n",
			line: 3,
			want: `checks.severity.cpu-unit-missing: unknown severity "fatal"`,
		},
		{
			name: "empty enable",
			in:   "checks:\n  enable: []\n",
			line: 2,
			want: "checks.enable is empty",
		},
		{
			name: "duplicate key",
			in:   "exclude: [a]\nexclude: [b]\n",
			line: 2,
			want: `duplicate key "exclude" (first on line 1)`,
		},
		{
			name: "bare memory minimum",
			in:   "memoryMinimum: 6\n",
			line: 1,
			want: `memoryMinimum "6" is 6 bytes; write it with a binary unit such as "6Mi"`,
		},
		{
			name: "milli memory minimum",
			in:   "memoryMinimum: 6m\n",
			line: 1,
			want: `is 0.006 bytes`,
		},
		{
			name: "memory minimum not a quantity",
			in:   "memoryMinimum: six\n",
			line: 1,
			want: `memoryMinimum "six" is not a quantity`,
		},
		{
			name: "cpu maximum quoted",
			in:   "\ncpuBareMaximum: \"100\"\n",
			line: 2,
			want: `cpuBareMaximum must be a whole number of cores, got "100"`,
		},
		{
			name: "cpu maximum zero",
			in:   "cpuBareMaximum: 0\n",
			line: 1,
			want: "from 1 to 1000000",
		},
		{
			name: "cpu maximum beyond any node",
			in:   "cpuBareMaximum: 99999999999\n",
			line: 1,
			want: `cpuBareMaximum must be a whole number of cores from 1 to 1000000, got "99999999999"`,
		},
		{
			name: "negative memory minimum",
			in:   "\nmemoryMinimum: -1Gi\n",
			line: 2,
			want: `memoryMinimum "-1Gi" must be positive, such as 6Mi`,
		},
		{
			name: "zero memory minimum",
			in:   "memoryMinimum: 0Mi\n",
			line: 1,
			want: `must be positive`,
		},
		{
			name: "huge memory minimum",
			in:   "memoryMinimum: 1e400\n",
			line: 1,
			want: `memoryMinimum "1e400" is larger than any node's memory; the most it can be is 1Ti`,
		},
		{
			name: "small memory minimum with exponent suggests no invalid quantity",
			in:   "memoryMinimum: 1e3\n",
			line: 1,
			want: `is 1000 bytes; write it with a binary unit such as "6Mi"`,
		},
		{
			name: "registry with scheme",
			in:   "registries:\n  private:\n    - https://docker02:35000\n",
			line: 3,
			want: "must be a host or host:port",
		},
		{
			name: "reportUnknown not bool",
			in:   "registries:\n  reportUnknown: yes\n",
			line: 2,
			want: `registries.reportUnknown must be true or false, got "yes"`,
		},
		{
			name: "list expected",
			in:   "exclude: charts/\n",
			line: 1,
			want: `exclude must be a list, got "charts/"`,
		},
		{
			name: "bad glob",
			in:   "exclude: [\"[\"]\n",
			line: 1,
			want: `exclude pattern "["`,
		},
		{
			name: "top level not a mapping",
			in:   "- checks\n",
			line: 1,
			want: "must be a mapping, got a list",
		},
		{
			name: "second document",
			in:   "exclude: [a]\n---\nexclude: [b]\n",
			line: 2,
			want: "one YAML document",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig([]byte(tt.in), fakeCatalogue)
			if err == nil {
				t.Fatal("parseConfig succeeded, want an error")
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is %T, want *ConfigError", err, err)
			}
			if ce.Line != tt.line {
				t.Errorf("line = %d, want %d (%v)", ce.Line, tt.line, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestParseConfigSyntaxError(t *testing.T) {
	_, err := ParseConfig([]byte("checks:\n  enable: [a\n"))
	if err == nil || !strings.Contains(err.Error(), "line") {
		t.Fatalf("ParseConfig on broken YAML = %v, want an error with a line", err)
	}
}

// ParseConfig must validate against the real catalogue, which is what the
// CLI and the webhook share.
func TestParseConfigUsesCatalogue(t *testing.T) {
	if _, err := ParseConfig([]byte("checks: {disable: [no-such-check]}\n")); err == nil {
		t.Fatal("unknown check ID accepted")
	}
	for _, c := range Catalogue() {
		if _, err := ParseConfig([]byte("checks: {disable: [" + c.ID + "]}\n")); err != nil {
			t.Errorf("registered check %s rejected: %v", c.ID, err)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "abc", 0},
		{"regsitries", "registries", 1},
		{"privat", "private", 1},
		{"kitten", "sitting", 3},
		{"", "abc", 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// FuzzParseConfig: a configuration file is user input; no content may
// panic, and every error must be a ConfigError with a line or a YAML
// syntax error (which carries its own).
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		"",
		"checks:\n  enable: [memory-unit-milli]\n  severity: {cpu-unit-missing: info}\n",
		"memoryMinimum: 6Mi\ncpuBareMaximum: 64\n",
		"registries:\n  private: [a:5000]\n  reportUnknown: true\nexclude: ['**/x']\n",
		"a: &x [1]\nb: *x\n",
		"--- \n...\n---\n",
		"checks: {severity: {? [a] : b}}\n",
		"memoryMinimum: -1Gi\n",
		"memoryMinimum: 1e400\ncpuBareMaximum: 9223372036854775807\n",
		"memoryMinimum: &m 6Mi\ncpuBareMaximum: *m\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parseConfig(data, fakeCatalogue)
		if err == nil && cfg == nil {
			t.Fatal("nil config without an error")
		}
		var ce *ConfigError
		if errors.As(err, &ce) && ce.Line <= 0 {
			t.Fatalf("ConfigError without a line: %v", err)
		}
	})
}
