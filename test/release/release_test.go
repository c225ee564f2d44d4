package release

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
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

const version = "v9.9.9-test"

// releaseTool runs go run ./hack/release in the repository.
func releaseTool(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", append([]string{"run", "./hack/release"}, args...)...)
	cmd.Dir = repoRoot(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go run ./hack/release %q: %v\n%s%s", args, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// untar extracts a .tar.gz into dir and returns its entries' names.
func untar(t *testing.T, file, dir string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, h.Name), data, os.FileMode(h.Mode)); err != nil {
			t.Fatal(err)
		}
	}
}

func versionOf(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s --version: %v\n%s", bin, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestReleaseHostPlatform(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the test extracts .tar.gz archives")
	}
	platform := runtime.GOOS + "/" + runtime.GOARCH
	dist := t.TempDir()
	out := releaseTool(t, "-version", version, "-platforms", platform, "-dist", dist)
	if !strings.Contains(out, "no krew manifest: ") {
		t.Errorf("a one-platform release should say why it wrote no krew manifest:\n%s", out)
	}

	suffix := "_" + version + "_" + runtime.GOOS + "_" + runtime.GOARCH + ".tar.gz"
	want := []string{"kubectl-podlint" + suffix, "podlint" + suffix}

	// SHA256SUMS: sha256sum -c format, one line per archive, all matching.
	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q", sc.Text())
		}
		data, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := sha256.Sum256(data); hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s: sha256 does not match SHA256SUMS", name)
		}
		listed = append(listed, name)
	}
	if !slices.Equal(listed, want) {
		t.Errorf("SHA256SUMS lists %q, want %q", listed, want)
	}
	assertPublished(t, dist)
	if sha256sum, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.CommandContext(t.Context(), sha256sum, "-c", "SHA256SUMS")
		cmd.Dir = dist
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c SHA256SUMS: %v\n%s", err, out)
		}
	}

	x := t.TempDir()
	if got := untar(t, filepath.Join(dist, want[1]), x); !slices.Equal(got, []string{"README.md", "podlint", "podlint-webhook"}) {
		t.Errorf("%s holds %q", want[1], got)
	}
	if got := untar(t, filepath.Join(dist, want[0]), x); !slices.Equal(got, []string{"kubectl-podlint"}) {
		t.Errorf("%s holds %q", want[0], got)
	}
	for bin, wantVersion := range map[string]string{
		"podlint":         "podlint " + version,
		"kubectl-podlint": "podlint " + version,
		"podlint-webhook": "podlint-webhook " + version,
	} {
		if got := versionOf(t, filepath.Join(x, bin)); got != wantVersion {
			t.Errorf("%s --version = %q, want %q", bin, got, wantVersion)
		}
	}
	a, _ := os.ReadFile(filepath.Join(x, "podlint"))
	b, _ := os.ReadFile(filepath.Join(x, "kubectl-podlint"))
	if !bytes.Equal(a, b) {
		t.Error("kubectl-podlint differs from podlint")
	}

	// Static: a binary that needs no C library runs in distroless/static.
	if runtime.GOOS == "linux" {
		if file, err := exec.LookPath("file"); err == nil {
			out, _ := exec.CommandContext(t.Context(), file, filepath.Join(x, "podlint-webhook")).CombinedOutput()
			if !strings.Contains(string(out), "statically linked") {
				t.Errorf("podlint-webhook is not static: %s", out)
			}
		}
	}
}

// TestDockerfileUsesTheReleaseBuild: no Docker engine runs here, so the
// Dockerfile's build command is run as written, and the Dockerfile is held
// to it.
func TestDockerfileUsesTheReleaseBuild(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(data), "\\\n", " ")
	const build = `go run ./hack/release -binary podlint-webhook -platform "$TARGETOS/$TARGETARCH"`
	for _, w := range []string{build, `-version "$VERSION"`, "ARG VERSION=", "-o /out/podlint-webhook", "COPY --from=build /out/podlint-webhook /podlint-webhook"} {
		if !strings.Contains(strings.Join(strings.Fields(text), " "), w) {
			t.Errorf("Dockerfile lacks %q", w)
		}
	}
	// The same command for the host, as docker build without BuildKit
	// runs it (TARGETARCH empty).
	out := filepath.Join(t.TempDir(), "podlint-webhook")
	releaseTool(t, "-binary", "podlint-webhook", "-platform", runtime.GOOS+"/", "-version", version, "-o", out)
	if got := versionOf(t, out); got != "podlint-webhook "+version {
		t.Errorf("--version = %q", got)
	}
}
