package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/lint"
	"github.com/podlint/podlint/test/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Manifests for the exit-code tests: one error-severity finding
// (memory-unit-milli), one warning-only (cpu-unit-missing), one clean.
const (
	milliYAML = `apiVersion: v1
kind: Pod
metadata:
  name: milli
spec:
  containers:
  - name: app
    image: registry.k8s.io/pause:3.10
    resources:
      limits:
        memory: 1024m
`
	cpuYAML = `apiVersion: v1
kind: Pod
metadata:
  name: cpu
spec:
  containers:
  - name: app
    image: registry.k8s.io/pause:3.10
    resources:
      requests:
        cpu: 500
`
	cleanYAML = `apiVersion: v1
kind: Pod
metadata:
  name: clean
spec:
  containers:
  - name: app
    image: registry.k8s.io/pause:3.10
    resources:
      limits:
        memory: 64Mi
        cpu: 500m
`
	brokenYAML = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n"
)

// workdir makes a directory with the given files and changes into it, so
// that paths in the output are relative and .podlint.yaml discovery is
// exercised.
func workdir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	return dir
}

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("NO_COLOR", "")
	var out, errOut bytes.Buffer
	code = Main(t.Context(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestMainExitCodes(t *testing.T) {
	files := map[string]string{
		"milli.yaml":  milliYAML,
		"cpu.yaml":    cpuYAML,
		"clean.yaml":  cleanYAML,
		"broken.yaml": brokenYAML,
	}
	tests := []struct {
		name string
		args []string
		want int
		// out and errOut must appear in stdout and stderr.
		out, errOut string
	}{
		{"clean file", []string{"clean.yaml"}, 0, "no findings in 1 file", ""},
		{"error finding", []string{"milli.yaml"}, 1, "milli.yaml:11:17: error: ", ""},
		{"error finding, fail-on none", []string{"--fail-on", "none", "milli.yaml"}, 0, "[memory-unit-milli]", ""},
		{"warning only, default threshold", []string{"cpu.yaml"}, 0, "warning: ", ""},
		{"warning only, fail-on warning", []string{"--fail-on", "warning", "cpu.yaml"}, 1, "[cpu-unit-missing]", ""},
		{"warning only, fail-on info", []string{"--fail-on=info", "cpu.yaml"}, 1, "[cpu-unit-missing]", ""},
		{"error finding disabled", []string{"--disable", "memory-unit-milli", "milli.yaml"}, 0, "no findings", ""},
		{"only other check enabled", []string{"--enable", "cpu-unit-missing", "milli.yaml", "cpu.yaml"}, 0, "[cpu-unit-missing]", ""},
		{"severity lowered by flag-free config", []string{"--config", "lower.yaml", "milli.yaml"}, 0, "warning: ", ""},
		{"unparseable input", []string{"broken.yaml", "clean.yaml"}, 2, "broken.yaml:", ""},
		{"unparseable input beats findings", []string{"broken.yaml", "milli.yaml"}, 2, "[memory-unit-milli]", ""},
		{"missing path", []string{"nope.yaml"}, 2, "nope.yaml", ""},
		{"bad flag", []string{"--frobnicate"}, 2, "", "unknown flag: --frobnicate"},
		{"unknown check ID", []string{"--disable", "memory-unit-mili"}, 2, "", "valid checks: memory-unit-milli"},
		{"missing explicit config", []string{"--config", "absent.yaml", "clean.yaml"}, 2, "", "absent.yaml"},
		{"bad config names file and line", []string{"--config", "typo.yaml", "clean.yaml"}, 2, "", `typo.yaml: line 3: unknown key "regsitries" (did you mean "registries"?)`},
		{"stdin", []string{"-"}, 1, "[memory-unit-milli]", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := map[string]string{
				"lower.yaml": "checks:\n  severity:\n    memory-unit-milli: warning\n",
				"typo.yaml":  "checks:\n  disable: [cpu-unit-missing]\nregsitries:\n  private: [docker02:35000]\n",
			}
			for k, v := range files {
				fs[k] = v
			}
			workdir(t, fs)
			code, out, errOut := run(t, milliYAML, tt.args...)
			if code != tt.want {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.want, out, errOut)
			}
			if !strings.Contains(out, tt.out) {
				t.Errorf("stdout lacks %q:\n%s", tt.out, out)
			}
			if !strings.Contains(errOut, tt.errOut) {
				t.Errorf("stderr lacks %q:\n%s", tt.errOut, errOut)
			}
		})
	}
}

func TestMainDefaultConfigFile(t *testing.T) {
	workdir(t, map[string]string{
		"milli.yaml":    milliYAML,
		".podlint.yaml": "checks:\n  disable: [memory-unit-milli]\n",
	})
	if code, out, errOut := run(t, "", "milli.yaml"); code != 0 {
		t.Errorf(".podlint.yaml in the working directory was not applied: exit %d\n%s%s", code, out, errOut)
	}
	// --enable on the command line wins over the file's lists.
	if err := os.WriteFile(".podlint.yaml", []byte("checks:\n  enable: [cpu-unit-missing]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := run(t, "", "--enable", "memory-unit-milli", "milli.yaml"); code != 1 {
		t.Errorf("--enable did not replace the file's enable list: exit %d\n%s%s", code, out, errOut)
	}
	// A broken default file is an error too, never silently ignored.
	if err := os.WriteFile(".podlint.yaml", []byte("\nmemoryMinimum: 6\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, "", "milli.yaml")
	if code != 2 || !strings.Contains(errOut, ".podlint.yaml: line 2: memoryMinimum") {
		t.Errorf("broken .podlint.yaml: exit %d, stderr %q; want 2 and the line", code, errOut)
	}
}

func TestMainNoPathMeansDot(t *testing.T) {
	workdir(t, map[string]string{"sub/milli.yaml": milliYAML})
	code, out, _ := run(t, "")
	if code != 1 || !strings.Contains(out, filepath.Join("sub", "milli.yaml")) {
		t.Errorf("podlint without PATH: exit %d, output:\n%s\nwant the finding in sub/milli.yaml", code, out)
	}
}

func TestMainFormats(t *testing.T) {
	workdir(t, map[string]string{"milli.yaml": milliYAML})
	for _, tt := range []struct{ format, want string }{
		{"json", `"check": "memory-unit-milli"`},
		{"sarif", `"ruleId": "memory-unit-milli"`},
		{"github", "::error file=milli.yaml,line=11,col=17,title=memory-unit-milli::"},
	} {
		code, out, errOut := run(t, "", "-o", tt.format, "milli.yaml")
		if code != 1 || !strings.Contains(out, tt.want) {
			t.Errorf("-o %s: exit %d, output lacks %q:\n%s%s", tt.format, code, tt.want, out, errOut)
		}
	}
}

// TestMainSARIFRulesAreTheChecksThatRan: the rules of a SARIF log are
// the checks the run had enabled, whether --disable, --enable or the
// configuration file turned the others off, so code scanning never lists
// a rule that did not run.
func TestMainSARIFRulesAreTheChecksThatRan(t *testing.T) {
	all := checks.Catalogue()
	allBut := func(off ...string) []string {
		var ids []string
		for _, c := range all {
			if !slices.Contains(off, c.ID) {
				ids = append(ids, c.ID)
			}
		}
		return ids
	}
	for _, tt := range []struct {
		name   string
		config string // .podlint.yaml
		args   []string
		want   []string
	}{
		{"everything", "", nil, allBut()},
		{"--disable", "", []string{"--disable", "memory-unit-milli,pvc-not-found"}, allBut("memory-unit-milli", "pvc-not-found")},
		{"--enable", "", []string{"--enable", "cpu-unit-missing,memory-unit-milli"}, []string{"memory-unit-milli", "cpu-unit-missing"}},
		{"config disable", "checks:\n  disable: [schema-invalid]\n", nil, allBut("schema-invalid")},
		{"config enable, flag disable", "checks:\n  enable: [cpu-unit-missing, memory-unit-milli]\n", []string{"--disable", "cpu-unit-missing"}, []string{"memory-unit-milli"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"milli.yaml": milliYAML}
			if tt.config != "" {
				files[".podlint.yaml"] = tt.config
			}
			workdir(t, files)
			code, out, errOut := run(t, "", append(append([]string{"-o", "sarif"}, tt.args...), "milli.yaml")...)
			if code == ExitError {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var log struct {
				Runs []struct {
					Tool struct {
						Driver struct {
							Rules []struct {
								ID string `json:"id"`
							} `json:"rules"`
						} `json:"driver"`
					} `json:"tool"`
					Results []struct {
						RuleID    string `json:"ruleId"`
						RuleIndex *int   `json:"ruleIndex"`
					} `json:"results"`
				} `json:"runs"`
			}
			if err := json.Unmarshal([]byte(out), &log); err != nil || len(log.Runs) != 1 {
				t.Fatalf("not a SARIF log with one run (%v):\n%s", err, out)
			}
			sarifRun := log.Runs[0]
			var got []string
			for _, r := range sarifRun.Tool.Driver.Rules {
				got = append(got, r.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("rules %q, want %q", got, tt.want)
			}
			for _, res := range sarifRun.Results {
				if res.RuleIndex == nil || *res.RuleIndex >= len(got) || got[*res.RuleIndex] != res.RuleID {
					t.Errorf("result for %s has rule index %v into %q", res.RuleID, res.RuleIndex, got)
				}
			}
		})
	}
}

func TestMainColor(t *testing.T) {
	workdir(t, map[string]string{"milli.yaml": milliYAML})
	// A bytes.Buffer is not a terminal: never colour.
	_, out, _ := run(t, "", "milli.yaml")
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour written to a non-terminal:\n%q", out)
	}
	cfg := &Config{Output: "text"}
	t.Setenv("NO_COLOR", "1")
	if useColor(cfg, os.Stdout) {
		t.Error("useColor true with NO_COLOR set")
	}
	t.Setenv("NO_COLOR", "")
	if useColor(&Config{Output: "text", NoColor: true}, os.Stdout) {
		t.Error("useColor true with --no-color")
	}
	if useColor(&Config{Output: "json"}, os.Stdout) {
		t.Error("useColor true for json")
	}
}

func TestMainHelpAndVersion(t *testing.T) {
	code, out, _ := run(t, "", "--help")
	if code != 0 || !strings.Contains(out, "--fail-on") || !strings.Contains(out, "Exit codes") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "", "--version")
	if code != 0 || !strings.HasPrefix(out, "podlint ") || len(strings.TrimSpace(out)) <= len("podlint") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}

// sampleCatalogue keeps the format goldens independent of the wording of
// the real checks (docs/checks.md is the golden for those).
func sampleCatalogue() []*checks.Check {
	return []*checks.Check{
		{
			ID: "memory-unit-milli", Title: "Memory written with the milli suffix m", Severity: checks.Error,
			Symptom:     checks.ContainerCreating,
			Description: `A memory quantity ending in "m" is read as milli: "1024m" is 1.024 bytes. The API server accepts it; the runtime cannot start a container with such a limit.`,
			Remediation: `Use a binary unit such as Mi ("1024Mi").`,
			Bad:         "resources:\n  limits:\n    memory: 1024m",
			Good:        "resources:\n  limits:\n    memory: 1024Mi\n",
		},
		{
			ID: "configmap-not-found", Title: "ConfigMap | missing", Severity: checks.Warning,
			Symptom: checks.CreateContainerConfigError, Cluster: true,
			Description: "A referenced ConfigMap does not exist in the namespace.",
			Uses:        "The ConfigMaps of the pod's namespace, from a snapshot.",
			Remediation: "Create the ConfigMap first, or mark the reference optional.",
		},
	}
}

func TestListChecksGolden(t *testing.T) {
	for _, format := range listFormats() {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := ListChecks(&buf, format, sampleCatalogue()); err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("testdata", "list-checks."+format+".golden"), buf.Bytes(), *update)
		})
	}
}

func TestMainListChecks(t *testing.T) {
	for _, format := range listFormats() {
		code, out, errOut := run(t, "", "--list-checks", "-o", format)
		if code != 0 {
			t.Fatalf("--list-checks -o %s: exit %d: %s", format, code, errOut)
		}
		for _, c := range checks.Catalogue() {
			if !strings.Contains(out, c.ID) {
				t.Errorf("--list-checks -o %s lacks %s", format, c.ID)
			}
		}
	}
}

func TestExplainGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Explain(&buf, sampleCatalogue()[0]); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "explain.golden"), buf.Bytes(), *update)
	// A cluster check says what it uses.
	buf.Reset()
	if err := Explain(&buf, sampleCatalogue()[1]); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\nWHAT IT USES\n  The ConfigMaps of the pod's namespace, from a snapshot.\n") {
		t.Errorf("--explain of a cluster check lacks WHAT IT USES:\n%s", buf.String())
	}
	// Every real cluster check's --explain says it.
	for _, c := range checks.Catalogue() {
		if !c.Cluster {
			continue
		}
		buf.Reset()
		if err := Explain(&buf, c); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "\nWHAT IT USES\n") {
			t.Errorf("--explain %s lacks WHAT IT USES", c.ID)
		}
	}
}

func TestMainExplain(t *testing.T) {
	for _, c := range checks.Catalogue() {
		code, out, errOut := run(t, "", "--explain", c.ID)
		if code != 0 {
			t.Fatalf("--explain %s: exit %d: %s", c.ID, code, errOut)
		}
		for _, section := range []string{"WHAT IT CATCHES", "STUCK STATE", "HOW TO FIX IT", "BAD", "GOOD"} {
			if !strings.Contains(out, "\n"+section+"\n") {
				t.Errorf("--explain %s lacks section %s", c.ID, section)
			}
		}
		if !strings.HasPrefix(out, c.ID+": "+c.Title+"\n") {
			t.Errorf("--explain %s does not start with its ID and title:\n%s", c.ID, out)
		}
	}
}

func TestExitCode(t *testing.T) {
	finding := func(s checks.Severity) lint.Finding { return lint.Finding{Finding: checks.Finding{Severity: s}} }
	tests := []struct {
		failOn string
		r      lint.Report
		want   int
	}{
		{"error", lint.Report{}, 0},
		{"error", lint.Report{Findings: []lint.Finding{finding(checks.Warning)}}, 0},
		{"error", lint.Report{Findings: []lint.Finding{finding(checks.Error)}}, 1},
		{"warning", lint.Report{Findings: []lint.Finding{finding(checks.Warning)}}, 1},
		{"warning", lint.Report{Findings: []lint.Finding{finding(checks.Info)}}, 0},
		{"info", lint.Report{Findings: []lint.Finding{finding(checks.Info)}}, 1},
		{"none", lint.Report{Findings: []lint.Finding{finding(checks.Error)}}, 0},
		{"none", lint.Report{Errors: []lint.InputError{{File: "x"}}}, 2},
		{"error", lint.Report{Findings: []lint.Finding{finding(checks.Error)}, Errors: []lint.InputError{{File: "x"}}}, 2},
	}
	for _, tt := range tests {
		var failOn FailOn
		if err := failOn.Set(tt.failOn); err != nil {
			t.Fatal(err)
		}
		if got := ExitCode(&Config{FailOn: failOn}, &tt.r); got != tt.want {
			t.Errorf("ExitCode(--fail-on %s, %d findings, %d errors) = %d, want %d", tt.failOn, len(tt.r.Findings), len(tt.r.Errors), got, tt.want)
		}
	}
}
