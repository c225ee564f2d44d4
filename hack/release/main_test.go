package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podlint/podlint/test/plugin"
)

func readTarGz(t *testing.T, file string) map[string]*tar.Header {
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
	if gz.Name != "" || !gz.ModTime.IsZero() {
		t.Errorf("gzip header carries name %q, time %v", gz.Name, gz.ModTime)
	}
	tr := tar.NewReader(gz)
	out := map[string]*tar.Header{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = h
	}
}

func TestArchivesAreReproducible(t *testing.T) {
	mtime := time.Date(2026, 3, 4, 5, 6, 8, 0, time.UTC)
	entries := []entry{
		{name: "podlint", mode: 0o755, data: []byte("binary")},
		{name: "README.md", mode: 0o644, data: []byte("# podlint\n")},
	}
	dir := t.TempDir()
	for _, ext := range []string{".tar.gz", ".zip"} {
		t.Run(ext, func(t *testing.T) {
			a, b := filepath.Join(dir, "a"+ext), filepath.Join(dir, "b"+ext)
			if err := writeArchive(a, entries, mtime); err != nil {
				t.Fatal(err)
			}
			// Same entries in another order: same bytes.
			if err := writeArchive(b, []entry{entries[1], entries[0]}, mtime); err != nil {
				t.Fatal(err)
			}
			da, _ := os.ReadFile(a)
			db, _ := os.ReadFile(b)
			if !bytes.Equal(da, db) {
				t.Error("two archives of the same files differ")
			}
			modes := map[string]os.FileMode{}
			if ext == ".zip" {
				zr, err := zip.OpenReader(a)
				if err != nil {
					t.Fatal(err)
				}
				defer zr.Close()
				for i, f := range zr.File {
					modes[f.Name] = f.Mode().Perm()
					if !f.Modified.Equal(mtime) {
						t.Errorf("%s: time %v, want %v", f.Name, f.Modified, mtime)
					}
					if i == 0 && f.Name != "README.md" {
						t.Errorf("first entry %s, want the entries sorted", f.Name)
					}
				}
			} else {
				for name, h := range readTarGz(t, a) {
					modes[name] = os.FileMode(h.Mode).Perm()
					if !h.ModTime.Equal(mtime) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" {
						t.Errorf("%s: time %v, owner %d:%d %q", name, h.ModTime, h.Uid, h.Gid, h.Uname)
					}
				}
			}
			if modes["podlint"] != 0o755 || modes["README.md"] != 0o644 || len(modes) != 2 {
				t.Errorf("modes %v", modes)
			}
		})
	}
}

// TestFillKrew fills the manifest kept in plugins/ for a release and
// checks the result by krew's rules.
func TestFillKrew(t *testing.T) {
	tmpl, err := os.ReadFile(filepath.Join("..", "..", "plugins", "podlint.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	want := map[string]string{}
	for i, p := range defaultPlatforms {
		goos, goarch, _ := strings.Cut(p, "/")
		ext := ".tar.gz"
		if goos == "windows" {
			ext = ".zip"
		}
		sum := strings.Repeat(string("0123456789abcdef"[i]), 63) + "1"
		sums["kubectl-podlint_v1.2.3_"+goos+"_"+goarch+ext] = sum
		sums["podlint_v1.2.3_"+goos+"_"+goarch+ext] = strings.Repeat("f", 64)
		want[p] = sum
	}
	out, err := fillKrew(tmpl, "v1.2.3", sums)
	if err != nil {
		t.Fatal(err)
	}
	m, err := plugin.Validate("podlint.yaml", out)
	if err != nil {
		t.Fatalf("filled manifest: %v\n%s", err, out)
	}
	if m.Spec.Version != "v1.2.3" {
		t.Errorf("version %s", m.Spec.Version)
	}
	for _, p := range m.Spec.Platforms {
		if p.Sha256 != want[p.OSArch()] {
			t.Errorf("%s: sha256 %s, want %s", p.OSArch(), p.Sha256, want[p.OSArch()])
		}
		if !strings.Contains(p.URI, "/v1.2.3/kubectl-podlint_v1.2.3_") {
			t.Errorf("%s: uri %s", p.OSArch(), p.URI)
		}
	}
	if strings.Contains(string(out), "v0.1.0") {
		t.Error("the template's version is left somewhere")
	}
	// The comments stay.
	if !strings.HasPrefix(string(out), "# krew plugin manifest") {
		t.Error("comments lost")
	}

	delete(sums, "kubectl-podlint_v1.2.3_darwin_arm64.tar.gz")
	if _, err := fillKrew(tmpl, "v1.2.3", sums); !errors.Is(err, errNoArchive) {
		t.Errorf("a missing archive: %v, want errNoArchive", err)
	}
}

func TestSplitPlatform(t *testing.T) {
	for _, p := range []string{"linux", "linux/", "/amd64", "linux/amd64/v3", ""} {
		if _, _, err := splitPlatform(p); err == nil {
			t.Errorf("splitPlatform(%q) accepted", p)
		}
	}
	if goos, goarch, err := splitPlatform("windows/arm64"); err != nil || goos != "windows" || goarch != "arm64" {
		t.Errorf("splitPlatform(windows/arm64) = %q %q %v", goos, goarch, err)
	}
}

func TestSemver(t *testing.T) {
	for v, want := range map[string]bool{
		"v0.1.0": true, "v1.2.3-rc.1": true, "v1.2.3+meta": true,
		"0.1.0": false, "v0.1": false, "f917e5e": false, "v0.1.0-3-gf917e5e-dirty": true, "dev": false,
	} {
		if got := semver.MatchString(v); got != want {
			t.Errorf("semver(%q) = %v", v, got)
		}
	}
}
