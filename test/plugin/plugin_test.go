package plugin

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// need returns the path of a tool, skipping locally and failing in CI
// when it is missing.
func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not on PATH (required in CI)", tool)
		}
		t.Skipf("%s not on PATH", tool)
	}
	return p
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

// TestKubectlPlugin builds with "make build" and runs the result through
// the real kubectl, as a user with bin/ on PATH would.
func TestKubectlPlugin(t *testing.T) {
	kubectl := need(t, "kubectl")
	makeBin := need(t, "make")
	bin := t.TempDir()
	build := exec.CommandContext(t.Context(), makeBin, "-C", repoRoot(t), "build", "BINDIR="+bin)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("make build: %v\n%s", err, out)
	}
	podlint, err := os.ReadFile(filepath.Join(bin, "podlint"))
	if err != nil {
		t.Fatal(err)
	}
	plugin, err := os.ReadFile(filepath.Join(bin, "kubectl-podlint"))
	if err != nil {
		t.Fatalf("make build did not write kubectl-podlint: %v", err)
	}
	if !bytes.Equal(podlint, plugin) {
		t.Error("kubectl-podlint is not the podlint binary")
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(badPod), 0o644); err != nil {
		t.Fatal(err)
	}
	// Only bin/ and kubectl's own directory on PATH: no other plugin, and
	// no other podlint, can answer.
	path := bin + string(os.PathListSeparator) + filepath.Dir(kubectl)
	kubectlRun := func(args ...string) (string, int) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), kubectl, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+path, "KUBECONFIG="+filepath.Join(dir, "no-kubeconfig"))
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("kubectl %q: %v", args, err)
		}
		return string(out), code
	}

	out, code := kubectlRun("podlint", "--version")
	if code != 0 || !strings.HasPrefix(out, "podlint ") {
		t.Errorf("kubectl podlint --version: exit %d, output %q", code, out)
	}

	out, code = kubectlRun("plugin", "list")
	if !strings.Contains(out, filepath.Join(bin, "kubectl-podlint")) {
		t.Errorf("kubectl plugin list (exit %d) does not list kubectl-podlint:\n%s", code, out)
	}

	// Arguments and the exit code pass through kubectl unchanged.
	out, code = kubectlRun("podlint", "--no-color", "bad.yaml")
	if code != 1 || !strings.Contains(out, "bad.yaml:11:17: error: ") || !strings.Contains(out, "[memory-unit-milli]") {
		t.Errorf("kubectl podlint bad.yaml: exit %d, want 1 with the finding\n%s", code, out)
	}
	out, code = kubectlRun("podlint", "--fail-on", "nope", "bad.yaml")
	if code != 2 {
		t.Errorf("kubectl podlint --fail-on nope: exit %d, want 2\n%s", code, out)
	}
}

// TestKrewManifest checks plugins/podlint.yaml by krew's rules, with one
// platform for each release target, each naming the archive hack/release
// writes for it.
func TestKrewManifest(t *testing.T) {
	file := filepath.Join(repoRoot(t), "plugins", "podlint.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Validate(file, data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var got []string
	for _, p := range m.Spec.Platforms {
		osArch := p.OSArch()
		got = append(got, osArch)
		goos, goarch, _ := strings.Cut(osArch, "/")
		ext, exe := ".tar.gz", ""
		if goos == "windows" {
			ext, exe = ".zip", ".exe"
		}
		wantURI := "https://github.com/podlint/podlint/releases/download/" + m.Spec.Version +
			"/kubectl-podlint_" + m.Spec.Version + "_" + goos + "_" + goarch + ext
		if p.URI != wantURI {
			t.Errorf("%s: uri %s, want %s", osArch, p.URI, wantURI)
		}
		if p.Bin != "kubectl-podlint"+exe {
			t.Errorf("%s: bin %s", osArch, p.Bin)
		}
	}
	slices.Sort(got)
	want := []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64", "windows/amd64", "windows/arm64"}
	if !slices.Equal(got, want) {
		t.Errorf("platforms %q, want %q", got, want)
	}
}

// TestValidateRejects shows Validate is not a rubber stamp.
func TestValidateRejects(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "plugins", "podlint.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	good := string(data)
	tests := []struct{ name, from, to, file, want string }{
		{"short sha256", `sha256: "0000000000000000000000000000000000000000000000000000000000000000"`, `sha256: "00"`, "podlint.yaml", "sha256"},
		{"unknown field", "      bin: kubectl-podlint\n", "      bin: kubectl-podlint\n      binary: x\n", "podlint.yaml", "unknown field"},
		{"file name", "", "", "lint.yaml", "krew wants"},
		{"version", "version: v0.1.0", "version: 0.1.0", "podlint.yaml", "version"},
		{"selector key", "os: linux", "platform: linux", "podlint.yaml", "selector key"},
		{"bin not extracted", "- from: kubectl-podlint\n", "- from: podlint\n", "podlint.yaml", "not among the files"},
		{"duplicate platform", "arch: arm64", "arch: amd64", "podlint.yaml", "second platform"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(good, tt.from, tt.to, 1)
			if tt.from != "" && bad == good {
				t.Fatalf("%q not in the manifest", tt.from)
			}
			_, err := Validate(tt.file, []byte(bad))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want an error about %q", err, tt.want)
			}
		})
	}
}
