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

// buildBinary compiles the real command, so the process boundary (exit
// status, stdin, signal wiring) is tested, not only cli.Main.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "podlint")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

const badPod = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: registry.k8s.io/pause:3.10
    resources:
      limits:
        memory: 1024m
`

func TestBinary(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("bad.yaml", badPod)
	write("good.yaml", strings.Replace(badPod, "1024m", "1024Mi", 1))
	write("broken.yaml", "kind: [\n")

	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  string
	}{
		{"finding", []string{"bad.yaml"}, "", 1, "bad.yaml:11:17: error: "},
		{"clean", []string{"good.yaml"}, "", 0, "no findings"},
		{"directory", []string{"."}, "", 2, "broken.yaml"},
		{"stdin", []string{"-"}, badPod, 1, "[memory-unit-milli]"},
		{"stdin clean", []string{"-o", "json", "-"}, strings.Replace(badPod, "1024m", "1Gi", 1), 0, `"findings": []`},
		{"usage error", []string{"--output", "xml"}, "", 2, ""},
		{"version", []string{"--version"}, "", 0, "podlint "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), bin, tt.args...)
			cmd.Dir = dir
			cmd.Stdin = strings.NewReader(tt.stdin)
			cmd.Env = append(os.Environ(), "NO_COLOR=1")
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
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.want) {
				t.Errorf("stdout lacks %q:\n%s", tt.want, stdout.String())
			}
		})
	}
}
