package layout

import (
	"bytes"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/podlint/podlint"

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// deps returns `go list -deps` of a package, tests left out: what the
// package pulls into a binary.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("go not on PATH (required in CI)")
		}
		t.Skip("go not on PATH; these tests run go list")
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), goCmd, "list", "-deps", pkg)
	cmd.Dir = repoRoot(t)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, stderr.String())
	}
	return strings.Fields(string(out))
}

// TestLayering: each package's dependencies (go list -deps, without tests)
// stay out of the packages above it.
func TestLayering(t *testing.T) {
	for _, tc := range []struct {
		pkg string
		// forbidden are import path prefixes ("x" forbids x and x/...).
		forbidden []string
	}{
		// The heart: nothing of a front end or of the decoder, and no
		// controller-runtime.
		{"./checks", []string{module + "/manifest", module + "/lint", module + "/webhook", module + "/why", module + "/cluster", module + "/cmd", "sigs.k8s.io/controller-runtime"}},
		// The shared decoder sits below both front ends.
		{"./manifest", []string{module + "/lint", module + "/webhook", module + "/why", module + "/cmd", "sigs.k8s.io/controller-runtime"}},
		// Cluster knowledge serves every front end and stands on none.
		{"./cluster/...", []string{module + "/lint", module + "/webhook", module + "/why", module + "/cmd"}},
		// The front ends stand side by side: the webhook does not stand
		// on the CLI's package tree, nor the CLI on the webhook's.
		{"./webhook", []string{module + "/lint", module + "/why", module + "/cmd", "helm.sh/helm"}},
		{"./lint/...", []string{module + "/webhook", module + "/why", module + "/cmd"}},
		{"./why/...", []string{module + "/lint", module + "/webhook", module + "/cmd"}},
		// The chart renderer stands below package lint (which imports
		// it), on the Helm packages rendering needs and no others: not
		// the install action, the cluster client, registries or getters.
		{"./lint/helm", []string{module + "/lint/cli", module + "/lint/output", module + "/webhook", module + "/why", module + "/cmd",
			"helm.sh/helm/v3/pkg/action", "helm.sh/helm/v3/pkg/kube", "helm.sh/helm/v3/pkg/registry", "helm.sh/helm/v3/pkg/getter",
			"helm.sh/helm/v3/pkg/cli", "helm.sh/helm/v3/pkg/storage", "helm.sh/helm/v3/pkg/downloader", "helm.sh/helm/v3/pkg/repo"}},
		// Nothing ships k8s.io/kubernetes, nor Helm's install action.
		{"./...", []string{"k8s.io/kubernetes", "helm.sh/helm/v3/pkg/action"}},
	} {
		t.Run(tc.pkg, func(t *testing.T) {
			got := deps(t, tc.pkg)
			if len(got) == 0 {
				t.Fatalf("go list -deps %s listed nothing", tc.pkg)
			}
			for _, d := range got {
				if tc.pkg == "./lint/helm" && d == module+"/lint" {
					t.Errorf("%s depends on %s, which imports it", tc.pkg, d)
				}
				for _, f := range tc.forbidden {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("%s depends on %s", tc.pkg, d)
					}
				}
			}
		})
	}
}

// TestChecksDoNoIO: no non-test file of package checks imports a package
// that reads files, opens connections or runs programs. It looks at the
// package's own imports, not at go list -deps: os and net reach every
// binary through k8s.io/apimachinery whatever checks does, so the deps say
// nothing about checks itself. net/netip and net/url only parse strings.
func TestChecksDoNoIO(t *testing.T) {
	pkg, err := build.ImportDir(filepath.Join(repoRoot(t), "checks"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.GoFiles) == 0 || len(pkg.Imports) == 0 {
		t.Fatalf("package checks has %d files and %d imports; the test would prove nothing", len(pkg.GoFiles), len(pkg.Imports))
	}
	allowed := []string{"net/netip", "net/url"}
	forbidden := []string{"os", "net", "io/fs", "io/ioutil", "syscall", "plugin", "path/filepath", "crypto/tls", "database/sql"}
	for _, imp := range pkg.Imports {
		if slices.Contains(allowed, imp) {
			continue
		}
		for _, f := range forbidden {
			if imp == f || strings.HasPrefix(imp, f+"/") {
				t.Errorf("package checks imports %s (files %v)", imp, importers(t, pkg, imp))
			}
		}
	}
}

// importers names the files of pkg that import path, for the message.
func importers(t *testing.T, pkg *build.Package, path string) []string {
	t.Helper()
	var out []string
	for _, f := range pkg.GoFiles {
		src, err := os.ReadFile(filepath.Join(pkg.Dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(src, []byte(`"`+path+`"`)) {
			out = append(out, f)
		}
	}
	return out
}
