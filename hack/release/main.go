// Command release cross-compiles podlint's release binaries (make release)
// and, with -binary, one binary the same way (the Dockerfile).
//
//	go run ./hack/release [-version V] [-dist dist] [-platforms linux/amd64,...]
//	go run ./hack/release -binary podlint-webhook -platform linux/arm64 -o /out/podlint-webhook
//
// For each platform it builds podlint and podlint-webhook (static,
// -trimpath, stripped, the version stamped into package version), copies
// podlint to kubectl-podlint (the same binary under the kubectl plugin
// name), and writes into -dist:
//
//	podlint_V_OS_ARCH.tar.gz          podlint, podlint-webhook, README.md (.zip on windows)
//	kubectl-podlint_V_OS_ARCH.tar.gz  kubectl-podlint (the krew plugin archive; .zip on windows)
//	SHA256SUMS                        sha256sum -c format, over the archives
//	podlint.yaml                      the krew manifest (plugins/podlint.yaml with this
//	                                  version and these archives' sha256), for a semver V only
//	bin/OS_ARCH/                      the binaries themselves
//
// Archives are reproducible: fixed owner, mode and time (SOURCE_DATE_EPOCH,
// else the HEAD commit's time), sorted entries, no gzip name or time.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// versionVar is what -X sets; see package version.
const versionVar = "github.com/podlint/podlint/version.stamp"

// defaultPlatforms are the release targets: every OS and CPU a kubectl
// user is likely to run.
var defaultPlatforms = []string{
	"linux/amd64", "linux/arm64",
	"darwin/amd64", "darwin/arm64",
	"windows/amd64", "windows/arm64",
}

// commands are the packages built for each platform; kubectl-podlint is
// a copy of podlint.
var commands = []string{"podlint", "podlint-webhook"}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

type options struct {
	version   string
	dist      string
	platforms []string
	krew      string
	// One binary only (-binary).
	binary, platform, out string
}

func run(args []string, stdout io.Writer) error {
	var o options
	var platforms string
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.StringVar(&o.version, "version", os.Getenv("VERSION"), "version to stamp (default $VERSION, else git describe --tags --always --dirty, else dev)")
	fs.StringVar(&o.dist, "dist", "dist", "output directory (emptied first)")
	fs.StringVar(&platforms, "platforms", strings.Join(defaultPlatforms, ","), "comma-separated GOOS/GOARCH list")
	fs.StringVar(&o.krew, "krew", filepath.Join("plugins", "podlint.yaml"), "krew manifest template")
	fs.StringVar(&o.binary, "binary", "", "build only this command (podlint or podlint-webhook) to -o for -platform")
	fs.StringVar(&o.platform, "platform", "/", "GOOS/GOARCH for -binary (an empty half: the host's)")
	fs.StringVar(&o.out, "o", "", "output file for -binary")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.version == "" {
		o.version = gitDescribe()
	}
	if o.binary != "" {
		if o.out == "" {
			return errors.New("-binary needs -o")
		}
		// An empty half is the host's: a docker build without BuildKit
		// leaves TARGETARCH empty.
		goos, goarch, _ := strings.Cut(o.platform, "/")
		if goos == "" {
			goos = runtime.GOOS
		}
		if goarch == "" {
			goarch = runtime.GOARCH
		}
		if !slices.Contains(commands, o.binary) {
			return fmt.Errorf("-binary %q: want one of %s", o.binary, strings.Join(commands, ", "))
		}
		_, err := build(goos, goarch, o.version, o.out, "./cmd/"+o.binary)
		return err
	}
	for p := range strings.SplitSeq(platforms, ",") {
		if p = strings.TrimSpace(p); p != "" {
			o.platforms = append(o.platforms, p)
		}
	}
	return release(o, stdout)
}

func release(o options, stdout io.Writer) error {
	if err := os.RemoveAll(o.dist); err != nil {
		return err
	}
	if err := os.MkdirAll(o.dist, 0o755); err != nil {
		return err
	}
	mtime := sourceDate()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		return err
	}
	start := time.Now()
	var archives []string
	for _, p := range o.platforms {
		goos, goarch, err := splitPlatform(p)
		if err != nil {
			return err
		}
		exe := ""
		if goos == "windows" {
			exe = ".exe"
		}
		dir := filepath.Join(o.dist, "bin", goos+"_"+goarch)
		t0 := time.Now()
		pkgs := make([]string, len(commands))
		for i, c := range commands {
			pkgs[i] = "./cmd/" + c
		}
		// One go build for both commands: their shared packages are
		// compiled once, in parallel.
		cpu, err := build(goos, goarch, o.version, dir+string(filepath.Separator), pkgs...)
		if err != nil {
			return err
		}
		if err := copyFile(filepath.Join(dir, "podlint"+exe), filepath.Join(dir, "kubectl-podlint"+exe)); err != nil {
			return err
		}
		// CPU time says what a build costs whatever else the machine runs.
		fmt.Fprintf(stdout, "built %-14s in %s (CPU %s)\n", p, time.Since(t0).Round(time.Second), cpu.Round(time.Second))

		suffix := "_" + o.version + "_" + goos + "_" + goarch
		ext := ".tar.gz"
		if goos == "windows" {
			ext = ".zip"
		}
		bundles := []struct {
			name  string
			files []string
		}{
			{"podlint" + suffix + ext, []string{"podlint" + exe, "podlint-webhook" + exe}},
			{"kubectl-podlint" + suffix + ext, []string{"kubectl-podlint" + exe}},
		}
		for _, b := range bundles {
			var entries []entry
			for _, f := range b.files {
				data, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					return err
				}
				entries = append(entries, entry{name: f, mode: 0o755, data: data})
			}
			if strings.HasPrefix(b.name, "podlint_") {
				entries = append(entries, entry{name: "README.md", mode: 0o644, data: readme})
			}
			if err := writeArchive(filepath.Join(o.dist, b.name), entries, mtime); err != nil {
				return err
			}
			archives = append(archives, b.name)
		}
	}
	sums, err := writeSums(o.dist, archives)
	if err != nil {
		return err
	}
	if semver.MatchString(o.version) {
		tmpl, err := os.ReadFile(o.krew)
		if err != nil {
			return err
		}
		manifest, err := fillKrew(tmpl, o.version, sums)
		switch {
		case errors.Is(err, errNoArchive):
			// A release of some platforms only (-platforms).
			fmt.Fprintf(stdout, "no krew manifest: %v\n", err)
		case err != nil:
			return fmt.Errorf("%s: %w", o.krew, err)
		default:
			if err := os.WriteFile(filepath.Join(o.dist, "podlint.yaml"), manifest, 0o644); err != nil {
				return err
			}
		}
	} else {
		fmt.Fprintf(stdout, "version %q is not a semver tag (vMAJOR.MINOR.PATCH): no krew manifest written\n", o.version)
	}
	fmt.Fprintf(stdout, "release %s: %d platforms in %s\n", o.version, len(o.platforms), time.Since(start).Round(time.Second))
	return report(o.dist, stdout)
}

// build runs go build for one platform; out is a file, or a directory
// ending in a separator for several packages. It returns the CPU time the
// build took, the compiler and linker processes included.
func build(goos, goarch, version, out string, pkgs ...string) (time.Duration, error) {
	args := append([]string{"build", "-trimpath",
		"-ldflags", "-s -w -X " + versionVar + "=" + version,
		"-o", out}, pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("go build %s/%s %s: %w", goos, goarch, strings.Join(pkgs, " "), err)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}

func splitPlatform(p string) (goos, goarch string, err error) {
	goos, goarch, ok := strings.Cut(p, "/")
	if !ok || goos == "" || goarch == "" || strings.Contains(goarch, "/") {
		return "", "", fmt.Errorf("platform %q: want GOOS/GOARCH", p)
	}
	return goos, goarch, nil
}

func gitDescribe() string {
	out, err := exec.Command("git", "describe", "--tags", "--always", "--dirty").Output()
	if v := strings.TrimSpace(string(out)); err == nil && v != "" {
		return v
	}
	return "dev"
}

// sourceDate is the time stamped on every archive entry, so that the same
// commit archives to the same bytes.
func sourceDate() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	if out, err := exec.Command("git", "log", "-1", "--format=%ct").Output(); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	// The earliest time a zip file can hold.
	return time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o755)
}

type entry struct {
	name string
	mode int64
	data []byte
}

// writeArchive writes a .tar.gz or .zip (by name) of entries, sorted by
// name, with fixed owner and time.
func writeArchive(name string, entries []entry, mtime time.Time) error {
	entries = slices.Clone(entries)
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	var buf bytes.Buffer
	switch {
	case strings.HasSuffix(name, ".zip"):
		zw := zip.NewWriter(&buf)
		for _, e := range entries {
			h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: mtime}
			h.SetMode(os.FileMode(e.mode))
			w, err := zw.CreateHeader(h)
			if err != nil {
				return err
			}
			if _, err := w.Write(e.data); err != nil {
				return err
			}
		}
		if err := zw.Close(); err != nil {
			return err
		}
	case strings.HasSuffix(name, ".tar.gz"):
		gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return err
		}
		tw := tar.NewWriter(gz)
		for _, e := range entries {
			h := &tar.Header{Name: e.name, Mode: e.mode, Size: int64(len(e.data)), ModTime: mtime,
				Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			if _, err := tw.Write(e.data); err != nil {
				return err
			}
		}
		if err := tw.Close(); err != nil {
			return err
		}
		if err := gz.Close(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%s: unknown archive type", name)
	}
	return os.WriteFile(name, buf.Bytes(), 0o644)
}

// writeSums writes SHA256SUMS (the format sha256sum -c reads) and returns
// the sums by file name.
func writeSums(dist string, files []string) (map[string]string, error) {
	sums := map[string]string{}
	var b strings.Builder
	for _, f := range slices.Sorted(slices.Values(files)) {
		data, err := os.ReadFile(filepath.Join(dist, f))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		sums[f] = hex.EncodeToString(sum[:])
		fmt.Fprintf(&b, "%s  %s\n", sums[f], f)
	}
	return sums, os.WriteFile(filepath.Join(dist, "SHA256SUMS"), []byte(b.String()), 0o644)
}

var (
	semver   = regexp.MustCompile(`^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
	uriLine  = regexp.MustCompile(`^(\s*-?\s*)uri:\s*(\S+)\s*$`)
	sha2Line = regexp.MustCompile(`^(\s*-?\s*)sha256:\s*\S*\s*$`)
)

// errNoArchive: the krew manifest names an archive this run did not build.
var errNoArchive = errors.New("no archive built for")

// krewPlugin is the part of a krew Plugin manifest fillKrew reads.
type krewPlugin struct {
	Spec struct {
		Version   string `json:"version"`
		Platforms []struct {
			URI    string `json:"uri"`
			Sha256 string `json:"sha256"`
		} `json:"platforms"`
	} `json:"spec"`
}

// fillKrew turns the krew manifest kept in the repository into the one for
// this release: every occurrence of its version (spec.version and the
// archive URIs) becomes version, and each platform's sha256 becomes the
// sum of the archive its uri names. It edits text, so comments and layout
// stay as written.
func fillKrew(tmpl []byte, version string, sums map[string]string) ([]byte, error) {
	var p krewPlugin
	if err := yaml.Unmarshal(tmpl, &p); err != nil {
		return nil, err
	}
	if p.Spec.Version == "" {
		return nil, errors.New("no spec.version")
	}
	text := strings.ReplaceAll(string(tmpl), p.Spec.Version, version)
	lines := strings.SplitAfter(text, "\n")
	uri := ""
	filled := 0
	for i, l := range lines {
		if m := uriLine.FindStringSubmatch(strings.TrimRight(l, "\n")); m != nil {
			uri = strings.Trim(m[2], `"'`)
			continue
		}
		if m := sha2Line.FindStringSubmatch(strings.TrimRight(l, "\n")); m != nil {
			if uri == "" {
				return nil, fmt.Errorf("line %d: sha256 before any uri", i+1)
			}
			sum, ok := sums[path.Base(uri)]
			if !ok {
				return nil, fmt.Errorf("line %d: %w: %s", i+1, errNoArchive, uri)
			}
			lines[i] = m[1] + "sha256: \"" + sum + "\"\n"
			uri = ""
			filled++
		}
	}
	out := []byte(strings.Join(lines, ""))
	var check krewPlugin
	if err := yaml.Unmarshal(out, &check); err != nil {
		return nil, err
	}
	if filled != len(check.Spec.Platforms) {
		return nil, fmt.Errorf("filled %d sha256 lines for %d platforms", filled, len(check.Spec.Platforms))
	}
	return out, nil
}

// report lists the binaries and archives with their sizes.
func report(dist string, stdout io.Writer) error {
	return filepath.WalkDir(dist, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dist, p)
		fmt.Fprintf(stdout, "%8.1f MiB  %s\n", float64(info.Size())/(1<<20), rel)
		return nil
	})
}
