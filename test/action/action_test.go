package action

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// needBash skips when bash is missing locally and fails in CI.
func needBash(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("bash not on PATH (required in CI)")
		}
		t.Skip("bash not on PATH")
	}
}

type result struct {
	code    int
	stdout  string
	stderr  string
	outputs map[string]string // what the step wrote to GITHUB_OUTPUT
	path    string            // what the step wrote to GITHUB_PATH
}

// script runs hack/action.sh STEP in dir with the runner's variables
// pointing into runnerTemp and the given inputs, and nothing else of the
// caller's GitHub or INPUT_ environment.
func script(t *testing.T, step, dir, runnerTemp string, env map[string]string) result {
	t.Helper()
	ghOut := filepath.Join(t.TempDir(), "github_output")
	ghPath := filepath.Join(t.TempDir(), "github_path")
	cmd := exec.CommandContext(t.Context(), "bash", filepath.Join(repoRoot(t), "hack", "action.sh"), step)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "INPUT_") || strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "RUNNER_") || strings.HasPrefix(k, "PODLINT") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, "RUNNER_TEMP="+runnerTemp, "GITHUB_OUTPUT="+ghOut, "GITHUB_PATH="+ghPath,
		"GITHUB_ACTION_PATH="+repoRoot(t))
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), outputs: map[string]string{}}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("action.sh %s: %v", step, err)
	}
	if data, err := os.ReadFile(ghOut); err == nil {
		for line := range strings.Lines(string(data)) {
			k, v, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "=")
			r.outputs[k] = v
		}
	}
	if data, err := os.ReadFile(ghPath); err == nil {
		r.path = string(data)
	}
	return r
}

// install runs the install step for the action's own checkout, as
// "uses: podlint/podlint@v0.9.1" does, and returns RUNNER_TEMP.
func install(t *testing.T) string {
	t.Helper()
	needBash(t)
	tmp := t.TempDir()
	r := script(t, "install", repoRoot(t), tmp, map[string]string{"INPUT_VERSION": "", "PODLINT_ACTION_REF": "v0.9.1"})
	if r.code != 0 {
		t.Fatalf("install: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	bindir := filepath.Join(tmp, "podlint-bin")
	if r.path != bindir+"\n" {
		t.Errorf("install wrote %q to GITHUB_PATH, want %q", r.path, bindir+"\n")
	}
	// The checkout build carries the action's ref as its version.
	if !strings.Contains(r.stdout, "podlint v0.9.1\n") {
		t.Errorf("install did not print the stamped version:\n%s", r.stdout)
	}
	return tmp
}

type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name string `json:"name"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			Level     string `json:"level"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine   int `json:"startLine"`
						StartColumn int `json:"startColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
		Invocations []struct {
			ToolExecutionNotifications []struct {
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
	} `json:"runs"`
}

// results renders a SARIF file's results as "ruleId level uri:line:col".
func results(t *testing.T, file string) (got []string, notifications int) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("SARIF file: %v", err)
	}
	var log sarifLog
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatalf("SARIF file is not JSON: %v\n%s", err, data)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "podlint" {
		t.Fatalf("SARIF file: version %q, %d runs, want 2.1.0 with one podlint run", log.Version, len(log.Runs))
	}
	for _, r := range log.Runs[0].Results {
		for _, l := range r.Locations {
			p := l.PhysicalLocation
			got = append(got, r.RuleID+" "+r.Level+" "+p.ArtifactLocation.URI+":"+strconv.Itoa(p.Region.StartLine)+":"+strconv.Itoa(p.Region.StartColumn))
		}
	}
	for _, inv := range log.Runs[0].Invocations {
		notifications += len(inv.ToolExecutionNotifications)
	}
	slices.Sort(got)
	return got, notifications
}

const (
	apiError      = "::error file=deploy/api.yaml,line=20,col=21,title=memory-unit-milli::spec.template.spec.containers[0].resources.limits[memory]: "
	workerWarning = "::warning file=deploy/worker.yaml,line=20,col=18,title=cpu-unit-missing::"
)

// TestAction builds podlint the way the action does, then runs the run
// step over testdata with the inputs a workflow would give.
func TestAction(t *testing.T) {
	tmp := install(t)
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	sarif := filepath.Join(tmp, "podlint.sarif")
	both := []string{
		"cpu-unit-missing warning deploy/worker.yaml:20:18",
		"memory-unit-milli error deploy/api.yaml:20:21",
	}

	tests := []struct {
		name   string
		inputs map[string]string
		code   int
		// Lines the log must and must not hold.
		want, notWant []string
		// SARIF results; nil: no SARIF file is written.
		sarif         []string
		notifications int
	}{
		{
			name:   "defaults: annotations, SARIF, fail on the error",
			inputs: map[string]string{"INPUT_PATHS": "deploy", "INPUT_FAIL_ON": "error", "INPUT_FORMAT": "github", "INPUT_SARIF_UPLOAD": "true"},
			code:   1,
			want:   []string{apiError, workerWarning, "podlint: 2 findings (1 error, 1 warning, 0 info)"},
			sarif:  both,
		},
		{
			name:   "no inputs at all is the whole working directory",
			inputs: map[string]string{},
			code:   2, // broken/ is in it
			want:   []string{apiError, "::error file=broken/pod.yaml,line=4,title=podlint::", "::error title=podlint::podlint exited with 2"},
			sarif:  both, notifications: 1,
		},
		{
			name:    "fail-on none reports but passes",
			inputs:  map[string]string{"INPUT_PATHS": "deploy", "INPUT_FAIL_ON": "none"},
			code:    0,
			want:    []string{apiError, workerWarning},
			notWant: []string{"::error title=podlint::"},
			sarif:   both,
		},
		{
			name:   "fail-on warning fails on a warning alone",
			inputs: map[string]string{"INPUT_PATHS": "deploy/worker.yaml", "INPUT_FAIL_ON": "warning"},
			code:   1,
			want:   []string{workerWarning},
			sarif:  both[:1],
		},
		{
			name:    "clean input",
			inputs:  map[string]string{"INPUT_PATHS": "clean", "INPUT_FAIL_ON": "info"},
			code:    0,
			want:    []string{"podlint: no findings"},
			notWant: []string{"::error", "::warning"},
			sarif:   []string{},
		},
		{
			name:    "several paths on several lines",
			inputs:  map[string]string{"INPUT_PATHS": "deploy/api.yaml\n  clean \n"},
			code:    1,
			want:    []string{apiError},
			notWant: []string{workerWarning},
			sarif:   both[1:],
		},
		{
			name:    "config input",
			inputs:  map[string]string{"INPUT_PATHS": "deploy", "INPUT_CONFIG": "relaxed.podlint.yaml"},
			code:    0,
			want:    []string{workerWarning},
			notWant: []string{apiError},
			sarif:   both[:1],
		},
		{
			name:   "sarif-upload false writes no SARIF",
			inputs: map[string]string{"INPUT_PATHS": "deploy", "INPUT_SARIF_UPLOAD": "false"},
			code:   1,
			want:   []string{apiError},
			sarif:  nil,
		},
		{
			name:    "text format, with one annotation for the failure",
			inputs:  map[string]string{"INPUT_PATHS": "deploy", "INPUT_FORMAT": "text"},
			code:    1,
			want:    []string{"deploy/api.yaml:20:21: error: spec.template.spec.containers[0].resources.limits[memory]: ", "::error title=podlint::findings at or above error (fail-on); see the log"},
			notWant: []string{apiError},
			sarif:   both,
		},
		{
			name:   "an unreadable input still uploads SARIF with the notification",
			inputs: map[string]string{"INPUT_PATHS": "broken deploy"},
			code:   2,
			want:   []string{"::error file=broken/pod.yaml,line=4,title=podlint::", apiError, "::error title=podlint::podlint exited with 2"},
			sarif:  both, notifications: 1,
		},
		{
			name:   "bad fail-on is a usage error",
			inputs: map[string]string{"INPUT_PATHS": "deploy", "INPUT_FAIL_ON": "fatal"},
			code:   2,
			want:   []string{"::error title=podlint::podlint exited with 2"},
			sarif:  both,
		},
		{
			name:   "missing config file",
			inputs: map[string]string{"INPUT_PATHS": "deploy", "INPUT_CONFIG": "nope.yaml"},
			code:   2,
			want:   []string{"::error title=podlint::config file nope.yaml not found"},
			sarif:  nil,
		},
		{
			name:   "bad format is a usage error, SARIF unaffected",
			inputs: map[string]string{"INPUT_PATHS": "clean", "INPUT_FORMAT": "xml"},
			code:   2,
			want:   []string{"::error title=podlint::podlint exited with 2"},
			sarif:  []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_ = os.Remove(sarif)
			r := script(t, "run", testdata, tmp, tt.inputs)
			log := r.stdout + r.stderr
			if r.code != tt.code {
				t.Errorf("exit code %d, want %d\n%s", r.code, tt.code, log)
			}
			if got := r.outputs["exit-code"]; got != strconv.Itoa(tt.code) {
				t.Errorf("exit-code output %q, want %d", got, tt.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(log, w) {
					t.Errorf("log lacks %q\n%s", w, log)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(log, w) {
					t.Errorf("log has %q\n%s", w, log)
				}
			}
			if tt.sarif == nil {
				if _, err := os.Stat(sarif); err == nil {
					t.Errorf("SARIF file written with sarif-upload off or before a usage error")
				}
				if r.outputs["sarif-file"] != "" {
					t.Errorf("sarif-file output %q, want none", r.outputs["sarif-file"])
				}
				return
			}
			if r.outputs["sarif-file"] != sarif {
				t.Errorf("sarif-file output %q, want %q", r.outputs["sarif-file"], sarif)
			}
			got, notifications := results(t, sarif)
			if !slices.Equal(got, tt.sarif) {
				t.Errorf("SARIF results\n got %q\nwant %q", got, tt.sarif)
			}
			if notifications != tt.notifications {
				t.Errorf("SARIF has %d tool execution notifications, want %d", notifications, tt.notifications)
			}
		})
	}
}

// TestInstallVersion checks the go install path with a stand-in go: the
// module proxy is not needed to see which module and version it asks for.
func TestInstallVersion(t *testing.T) {
	needBash(t)
	fake := t.TempDir()
	record := filepath.Join(fake, "args")
	goStub := `#!/usr/bin/env bash
echo "GOBIN=$GOBIN $*" > "` + record + `"
mkdir -p "$GOBIN"
printf '#!/bin/sh\necho podlint v0.2.0\n' > "$GOBIN/podlint"
chmod +x "$GOBIN/podlint"
`
	if err := os.WriteFile(filepath.Join(fake, "go"), []byte(goStub), 0o755); err != nil {
		t.Fatal(err)
	}
	path := fake + string(os.PathListSeparator) + os.Getenv("PATH")

	tmp := t.TempDir()
	r := script(t, "install", t.TempDir(), tmp, map[string]string{"INPUT_VERSION": "v0.2.0", "PATH": path})
	if r.code != 0 {
		t.Fatalf("install: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	args, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	want := "GOBIN=" + filepath.Join(tmp, "podlint-bin") + " install github.com/podlint/podlint/cmd/podlint@v0.2.0\n"
	if string(args) != want {
		t.Errorf("go was run as\n %q\nwant\n %q", args, want)
	}
	if !strings.Contains(r.stdout, "podlint v0.2.0") {
		t.Errorf("install did not print the installed version:\n%s", r.stdout)
	}

	// A version is pasted into a command line: anything but a tag, commit
	// or "latest" is refused before go runs.
	_ = os.Remove(record)
	r = script(t, "install", t.TempDir(), t.TempDir(), map[string]string{"INPUT_VERSION": "v1 ; touch pwned", "PATH": path})
	if r.code != 2 || !strings.Contains(r.stdout, "::error title=podlint::version") {
		t.Errorf("bad version: exit %d, want 2 with an error annotation\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(record); err == nil {
		t.Error("go ran for a bad version")
	}
}

// actionFile is the part of action.yml the tests read.
type actionFile struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Author      string            `json:"author"`
	Branding    map[string]string `json:"branding"`
	Inputs      map[string]struct {
		Description string  `json:"description"`
		Required    bool    `json:"required"`
		Default     *string `json:"default"`
	} `json:"inputs"`
	Outputs map[string]struct {
		Description string `json:"description"`
		Value       string `json:"value"`
	} `json:"outputs"`
	Runs struct {
		Using string `json:"using"`
		Steps []struct {
			ID    string            `json:"id"`
			If    string            `json:"if"`
			Uses  string            `json:"uses"`
			Run   string            `json:"run"`
			Shell string            `json:"shell"`
			With  map[string]string `json:"with"`
			Env   map[string]string `json:"env"`
		} `json:"steps"`
	} `json:"runs"`
}

// TestActionFile holds action.yml and the script together: the inputs the
// issue names with their defaults, every variable the script reads set from
// the matching input, the SARIF upload wired to the run step's output.
func TestActionFile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.UnmarshalStrict(data, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if a.Name == "" || a.Description == "" {
		t.Error("action.yml needs a name and a description (the Marketplace shows them)")
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", a.Runs.Using)
	}
	defaults := map[string]string{
		"paths": ".", "config": "", "fail-on": "error", "format": "github",
		"sarif-upload": "true", "version": "",
	}
	for name, def := range defaults {
		in, ok := a.Inputs[name]
		switch {
		case !ok:
			t.Errorf("input %q missing", name)
		case in.Description == "":
			t.Errorf("input %q has no description", name)
		case in.Default == nil || *in.Default != def:
			t.Errorf("input %q default = %v, want %q", name, in.Default, def)
		}
	}

	scriptText, err := os.ReadFile(filepath.Join(repoRoot(t), "hack", "action.sh"))
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	for _, m := range regexp.MustCompile(`\b(INPUT_[A-Z_]+|PODLINT_ACTION_REF)\b`).FindAllString(string(scriptText), -1) {
		read[m] = true
	}
	set := map[string]bool{}
	var runSteps, uploads int
	for _, s := range a.Runs.Steps {
		if s.Run != "" {
			if s.Shell != "bash" {
				t.Errorf("step %q: shell %q, want bash", s.ID, s.Shell)
			}
			if !strings.Contains(s.Run, `"$GITHUB_ACTION_PATH/hack/action.sh" `+s.ID) {
				t.Errorf("step %q runs %q, want hack/action.sh %s", s.ID, s.Run, s.ID)
			}
			if strings.Contains(s.Run, "${{") {
				t.Errorf("step %q pastes an expression into the script: %q", s.ID, s.Run)
			}
			runSteps++
		}
		for k, v := range s.Env {
			set[k] = true
			if name, ok := strings.CutPrefix(k, "INPUT_"); ok {
				input := strings.ToLower(strings.ReplaceAll(name, "_", "-"))
				if v != "${{ inputs."+input+" }}" {
					t.Errorf("step %q: %s = %q, want ${{ inputs.%s }}", s.ID, k, v, input)
				}
				if _, ok := a.Inputs[input]; !ok {
					t.Errorf("step %q: %s names no input", s.ID, k)
				}
			}
		}
		if strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@") {
			uploads++
			if s.With["sarif_file"] != "${{ steps.run.outputs.sarif-file }}" {
				t.Errorf("upload-sarif sarif_file = %q", s.With["sarif_file"])
			}
			for _, w := range []string{"!cancelled()", "inputs.sarif-upload == 'true'", "steps.run.outputs.sarif-file != ''"} {
				if !strings.Contains(s.If, w) {
					t.Errorf("upload-sarif if %q lacks %q", s.If, w)
				}
			}
		}
	}
	if runSteps != 2 || uploads != 1 {
		t.Errorf("%d script steps and %d upload-sarif steps, want 2 and 1", runSteps, uploads)
	}
	for k := range read {
		if !set[k] {
			t.Errorf("hack/action.sh reads %s, which action.yml never sets", k)
		}
	}
	for k := range set {
		if !read[k] {
			t.Errorf("action.yml sets %s, which hack/action.sh never reads", k)
		}
	}
	for name, o := range a.Outputs {
		if o.Value != "${{ steps.run.outputs."+name+" }}" {
			t.Errorf("output %q = %q", name, o.Value)
		}
	}
	info, err := os.Stat(filepath.Join(repoRoot(t), "hack", "action.sh"))
	if err != nil || info.Mode()&0o111 == 0 {
		t.Errorf("hack/action.sh is not executable: %v", err)
	}
}
