package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestKubectlPlugin installs the binary as kubectl-podlint on PATH, the
// way "make build" leaves it in bin/, and runs it through kubectl's plugin
// dispatch: kubectl passes the arguments after the plugin name. Without
// kubectl the test skips, except in CI.
func TestKubectlPlugin(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("kubectl not found: %v", err)
		}
		t.Skipf("kubectl not found: %v", err)
	}
	dir := t.TempDir()
	bin := buildBinary(t)
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kubectl-podlint"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	fixture, err := filepath.Abs(filepath.Join("..", "..", "why", "testdata", "image-pull-unauthorized.containerd.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"why deploy/web", []string{"podlint", "why", "--from", fixture, "-n", "shop", "deploy/web"}, 1, "image-pull-unauthorized: registry docker02:35000 refused"},
		{"why json", []string{"podlint", "why", "--from", fixture, "-o", "json"}, 1, `"cause": "image-pull-unauthorized"`},
		{"why usage", []string{"podlint", "why", "--bogus"}, 2, ""},
		{"lint", []string{"podlint", "--list-checks"}, 0, "memory-unit-milli"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), kubectl, tc.args...)
			cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"), "KUBECONFIG="+filepath.Join(dir, "no-kubeconfig"), "NO_COLOR=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) {
				code = exitErr.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Errorf("kubectl %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(tc.args, " "), code, tc.code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.want) {
				t.Errorf("stdout lacks %q:\n%s", tc.want, stdout.String())
			}
		})
	}
}

// TestBinaryWhy: the real binary dispatches "podlint why" to the why
// command, with its exit codes.
func TestBinaryWhy(t *testing.T) {
	bin := buildBinary(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"why", "--from", filepath.Join("..", "..", "why", "testdata", "healthy.yaml")}, 0, "Nothing stuck"},
		{[]string{"why", "--from", filepath.Join("..", "..", "why", "testdata", "oom-killed.yaml")}, 1, "oom-killed:"},
		{[]string{"why", "--from", "missing.json"}, 2, ""},
	} {
		cmd := exec.CommandContext(t.Context(), bin, tc.args...)
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		err := cmd.Run()
		code := 0
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			code = exitErr.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.code || !strings.Contains(stdout.String(), tc.want) {
			t.Errorf("podlint %s: exit %d (want %d)\n%s", strings.Join(tc.args, " "), code, tc.code, stdout.String())
		}
	}
}
