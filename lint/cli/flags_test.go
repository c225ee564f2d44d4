package cli

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/lint"
	"github.com/podlint/podlint/lint/helm"
)

func TestParseFlags(t *testing.T) {
	defaults := func(mod func(c *Config)) *Config {
		c := &Config{Output: "text", FailOn: FailOn{Severity: checks.Error}, Paths: []string{"."}, Kustomize: lint.KustomizeAuto,
			Helm: lint.HelmOptions{Mode: lint.HelmAuto, ReleaseName: helm.DefaultReleaseName, KubeVersion: helm.DefaultKubeVersion}}
		if mod != nil {
			mod(c)
		}
		return c
	}
	tests := []struct {
		name string
		args []string
		want *Config
	}{
		{"no args", nil, defaults(nil)},
		{"paths", []string{"a.yaml", "dir/", "-"}, defaults(func(c *Config) { c.Paths = []string{"a.yaml", "dir/", "-"} })},
		{"short output", []string{"-o", "json", "x"}, defaults(func(c *Config) { c.Output = "json"; c.Paths = []string{"x"} })},
		{"long output with =", []string{"--output=sarif"}, defaults(func(c *Config) { c.Output = "sarif" })},
		{"github", []string{"-o", "github"}, defaults(func(c *Config) { c.Output = "github" })},
		{"fail-on warning", []string{"--fail-on", "warning"}, defaults(func(c *Config) { c.FailOn = FailOn{Severity: checks.Warning} })},
		{"fail-on none", []string{"--fail-on=none"}, defaults(func(c *Config) { c.FailOn = FailOn{None: true} })},
		{"config", []string{"--config", "ci/podlint.yaml"}, defaults(func(c *Config) { c.ConfigFile = "ci/podlint.yaml" })},
		{"secret keys", []string{"--live", "--secret-keys"}, defaults(func(c *Config) { c.Live, c.SecretKeys = true, true })},
		{
			"enable and disable, repeated and comma-separated",
			[]string{"--enable", "memory-unit-milli,cpu-unit-missing", "--disable", "cpu-unit-missing", "--disable=schema-invalid"},
			defaults(func(c *Config) {
				c.Enable = []string{"memory-unit-milli", "cpu-unit-missing"}
				c.Disable = []string{"cpu-unit-missing", "schema-invalid"}
			}),
		},
		{"spaces around IDs", []string{"--disable", " cpu-unit-missing , "}, defaults(func(c *Config) { c.Disable = []string{"cpu-unit-missing"} })},
		{"list-checks", []string{"--list-checks"}, defaults(func(c *Config) { c.ListChecks = true })},
		{"list-checks markdown", []string{"--list-checks", "-o", "markdown"}, defaults(func(c *Config) { c.ListChecks = true; c.Output = "markdown" })},
		{"explain", []string{"--explain", "memory-unit-milli"}, defaults(func(c *Config) { c.Explain = "memory-unit-milli" })},
		{"version", []string{"--version"}, defaults(func(c *Config) { c.Version = true })},
		{"no-color", []string{"--no-color"}, defaults(func(c *Config) { c.NoColor = true })},
		{"kustomize never", []string{"--kustomize=never"}, defaults(func(c *Config) { c.Kustomize = lint.KustomizeNever })},
		{"kustomize auto", []string{"--kustomize", "auto"}, defaults(nil)},
		{"flags after paths", []string{"dir", "-o", "json"}, defaults(func(c *Config) { c.Output = "json"; c.Paths = []string{"dir"} })},
		{"helm never", []string{"--helm=never"}, defaults(func(c *Config) { c.Helm.Mode = lint.HelmNever })},
		{"helm values", []string{"-f", "a.yaml", "--values=b.yaml", "--set", "x=1,y=2", "--set", "z=3", "--release-name", "web", "--kube-version", "1.31", "chart/"},
			defaults(func(c *Config) {
				c.Helm.ValueFiles = []string{"a.yaml", "b.yaml"}
				c.Helm.Set = []string{"x=1,y=2", "z=3"}
				c.Helm.ReleaseName, c.Helm.KubeVersion = "web", "1.31"
				c.Paths = []string{"chart/"}
			})},
		{"double dash", []string{"--", "-o"}, defaults(func(c *Config) { c.Paths = []string{"-o"} })},
		{"namespace", []string{"-n", "shop", "deploy/"}, defaults(func(c *Config) { c.Namespace = "shop"; c.Paths = []string{"deploy/"} })},
		{"long namespace", []string{"--namespace=team-a"}, defaults(func(c *Config) { c.Namespace = "team-a" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFlags(tt.args)
			if err != nil {
				t.Fatalf("ParseFlags(%q): %v", tt.args, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseFlags(%q)\n got %+v\nwant %+v", tt.args, got, tt.want)
			}
		})
	}
}

func TestParseFlagsHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"--help", "-o", "bogus"}} {
		got, err := ParseFlags(args)
		if err != nil || !got.Help {
			t.Errorf("ParseFlags(%q) = %+v, %v; want Help", args, got, err)
		}
	}
}

func TestParseFlagsErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown flag", []string{"--frobnicate"}, []string{"unknown flag: --frobnicate"}},
		{"missing value", []string{"-o"}, []string{"flag needs an argument"}},
		{"bad output", []string{"-o", "xml"}, []string{`invalid --output "xml"`, "text, json, sarif, github"}},
		{"markdown without list-checks", []string{"-o", "markdown"}, []string{`invalid --output "markdown"`}},
		{"sarif with list-checks", []string{"--list-checks", "-o", "sarif"}, []string{"with --list-checks", "text, json, markdown"}},
		{"bad fail-on", []string{"--fail-on", "critical"}, []string{`invalid --fail-on "critical"`, "error, warning, info, none"}},
		{"bad helm", []string{"--helm", "always"}, []string{`invalid --helm "always"`, "auto, never"}},
		{"bad release name", []string{"--release-name", "Web_App"}, []string{`invalid --release-name "Web_App"`}},
		{"bad kube version", []string{"--kube-version", "latest"}, []string{`invalid --kube-version "latest"`}},
		{"values with helm never", []string{"--helm=never", "-f", "v.yaml"}, []string{"--values renders charts", "--helm=never"}},
		{"bad kustomize", []string{"--kustomize", "always"}, []string{`invalid --kustomize "always"`, "auto, never"}},
		{"unknown enable", []string{"--enable", "memory-unit-mili"}, []string{`--enable: unknown check "memory-unit-mili"`, "valid checks: memory-unit-milli,"}},
		{"unknown disable, two", []string{"--disable", "a,cpu-unit-missing,b"}, []string{`--disable: unknown checks "a", "b"`, "cpu-unit-missing"}},
		{"empty enable", []string{"--enable", ""}, []string{"--enable needs at least one check ID"}},
		{"unknown explain", []string{"--explain", "nope"}, []string{`--explain: unknown check "nope"`}},
		{"list and explain", []string{"--list-checks", "--explain", "memory-unit-milli"}, []string{"cannot be combined"}},
		{"bad namespace", []string{"-n", "Team_A"}, []string{`invalid --namespace "Team_A"`}},
		{"empty namespace", []string{"--namespace="}, []string{`invalid --namespace ""`}},
		{"secret keys without live", []string{"--secret-keys", "--cluster-snapshot", "c.json"}, []string{"--secret-keys needs --live"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFlags(tt.args)
			if err == nil {
				t.Fatalf("ParseFlags(%q) = %+v, want an error", tt.args, got)
			}
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Errorf("error %v is %T, want *UsageError", err, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestFailOn(t *testing.T) {
	for _, tt := range []struct {
		word  string
		fails []checks.Severity
	}{
		{"error", []checks.Severity{checks.Error}},
		{"warning", []checks.Severity{checks.Error, checks.Warning}},
		{"info", []checks.Severity{checks.Error, checks.Warning, checks.Info}},
		{"none", nil},
	} {
		var f FailOn
		if err := f.Set(tt.word); err != nil {
			t.Fatalf("Set(%q): %v", tt.word, err)
		}
		if f.String() != tt.word {
			t.Errorf("Set(%q).String() = %q", tt.word, f.String())
		}
		for _, s := range []checks.Severity{checks.Error, checks.Warning, checks.Info} {
			if want := slices.Contains(tt.fails, s); f.Fails(s) != want {
				t.Errorf("--fail-on %s: Fails(%s) = %v, want %v", tt.word, s, !want, want)
			}
		}
	}
	// Only the words the help lists: ParseSeverity's "warn" or "ERROR" are
	// not --fail-on levels.
	for _, word := range []string{"warn", "ERROR", "", "critical"} {
		var f FailOn
		if err := f.Set(word); err == nil {
			t.Errorf("Set(%q) accepted", word)
		}
	}
}
