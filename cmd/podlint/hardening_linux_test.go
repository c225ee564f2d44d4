package main

// Regression tests for issue 8 (CLI items 1-9), run against the real
// binary: exit codes, signals, stdin, FIFOs and devices only show their
// real behaviour at the process boundary.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	// pkgDir is this package's directory, taken before any test changes
	// the working directory (t.Chdir), so the build finds go.mod.
	pkgDir string
)

// podlint builds the command once for all tests of this file.
func podlint(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "podlint-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "podlint")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Dir = pkgDir
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	var err error
	if pkgDir, err = os.Getwd(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// result is one finished run.
type result struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
	usage          *syscall.Rusage
}

func (r result) String() string {
	return fmt.Sprintf("exit %d after %s\nstdout:\n%s\nstderr:\n%s", r.code, r.elapsed, r.stdout, r.stderr)
}

// runTimeout bounds every run: a podlint that hangs fails the test
// instead of stalling the suite.
const runTimeout = time.Minute

// runIn runs podlint in dir with args; stdin may be nil (/dev/null).
func runIn(t *testing.T, dir string, stdin *os.File, args ...string) result {
	t.Helper()
	bin := podlint(t) // built first: the build does not count against the run's time
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatalf("podlint %q still running after %s (killed)", args, runTimeout)
	}
	r.code = cmd.ProcessState.ExitCode()
	r.usage, _ = cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return r
}

// workspace is a directory holding bad.yaml (one memory-unit-milli
// finding) and the given files.
func workspace(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["bad.yaml"] = badPod
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const badFinding = "bad.yaml:11:17: error: "

// mergeBomb: anchors that merge the previous one nine times, nine deep,
// merged into metadata.labels on the last line (issue 8, item 1).
func mergeBomb() (src string, mergeLine int) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nanchors:\n  m0: &m0 {a: v, b: v, c: v, d: v, e: v, f: v, g: v, h: v, i: v}\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "  m%d: &m%d\n    <<: [%s]\n    k: v\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*m%d,", i-1), 9), ","))
	}
	b.WriteString("metadata:\n  name: bomb\n  labels:\n    <<: *m9\n")
	return b.String(), strings.Count(b.String(), "\n")
}

// TestMergeKeyBomb: nine levels of merge keys finish in under a second
// of CPU and 100 MB, with one error at the merge key, and the other
// file's finding is still printed.
func TestMergeKeyBomb(t *testing.T) {
	src, line := mergeBomb()
	if len(src) > 1000 {
		t.Fatalf("the bomb is %d bytes; it should be under 1 KB", len(src))
	}
	dir := workspace(t, map[string]string{"bomb.yaml": src})
	r := runIn(t, dir, nil, ".")
	if r.code != 1 || !strings.Contains(r.stdout, badFinding) {
		t.Errorf("want exit 1 and the finding in bad.yaml; %s", r)
	}
	want := fmt.Sprintf("bomb.yaml:%d:5: error: metadata.labels: the object is too large", line)
	if n := strings.Count(r.stdout, "too large"); n != 1 || !strings.Contains(r.stdout, want) {
		t.Errorf("want one error %q; %s", want, r)
	}
	if r.usage == nil {
		t.Fatal("no rusage")
	}
	cpu := time.Duration(r.usage.Utime.Nano() + r.usage.Stime.Nano())
	if cpu > time.Second {
		t.Errorf("CPU time %s, want under 1s", cpu)
	}
	if rss := r.usage.Maxrss << 10; rss > 100<<20 {
		t.Errorf("peak RSS %d MiB, want under 100 MiB", rss>>20)
	}
}

// TestWalkSkipsNonRegular: a FIFO, a socket and a link to /dev/zero named
// *.yaml in a walked directory are each reported once and skipped; the
// walk neither blocks nor reads forever (issue 8, items 2 and 3).
func TestWalkSkipsNonRegular(t *testing.T) {
	dir := workspace(t, map[string]string{})
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml")); err != nil {
		t.Fatal(err)
	}
	// Socket paths are limited to about 100 bytes; listen from inside dir.
	t.Chdir(dir)
	l, err := net.Listen("unix", "sock.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	r := runIn(t, dir, nil, ".")
	if r.code != 2 || !strings.Contains(r.stdout, badFinding) {
		t.Errorf("want exit 2 with bad.yaml's finding; %s", r)
	}
	for _, want := range []string{
		"pipe.yaml: error: is a named pipe (FIFO), not a regular file; skipped",
		"sock.yaml: error: is a socket, not a regular file; skipped",
		"zero.yaml: error: is a character device, not a regular file; skipped",
	} {
		if strings.Count(r.stdout, want) != 1 {
			t.Errorf("want once %q; %s", want, r)
		}
	}
	if r.elapsed > 10*time.Second {
		t.Errorf("took %s", r.elapsed)
	}
}

// TestExplicitNonRegular: a FIFO named on the command line is opened
// without blocking (no writer: reported, the run goes on; a writer:
// linted, as for podlint <(helm template .)); a socket is reported.
func TestExplicitNonRegular(t *testing.T) {
	dir := workspace(t, map[string]string{})
	fifo := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	r := runIn(t, dir, nil, "pipe.yaml", "bad.yaml")
	if r.code != 2 || !strings.Contains(r.stdout, badFinding) || !strings.Contains(r.stdout, "in 2 files") ||
		!strings.Contains(r.stdout, "pipe.yaml: error: is a named pipe (FIFO) and nothing was written to it") {
		t.Errorf("FIFO without a writer: %s", r)
	}
	r = runIn(t, dir, nil, "/dev/null")
	if r.code != 2 || !strings.Contains(r.stdout, "/dev/null: error: is a character device and nothing was read from it") {
		t.Errorf("/dev/null: %s", r)
	}

	// With a writer, what it writes is linted.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0) // O_RDWR: open without waiting for a reader
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.WriteString(strings.Replace(badPod, "name: web", "name: piped", 1))
		time.Sleep(200 * time.Millisecond)
		w.Close()
	}()
	r = runIn(t, dir, nil, "pipe.yaml")
	if r.code != 1 || !strings.Contains(r.stdout, "pipe.yaml:11:17: error: ") {
		t.Errorf("FIFO with a writer: %s", r)
	}

	t.Chdir(dir)
	l, err := net.Listen("unix", "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	r = runIn(t, dir, nil, "s.yaml", "bad.yaml")
	if r.code != 2 || !strings.Contains(r.stdout, "s.yaml: error: is a socket, not a regular file") || !strings.Contains(r.stdout, badFinding) {
		t.Errorf("socket: %s", r)
	}
}

// waiting tells whether process pid has reached the read it will block
// on: a thread inside read(2) on stdin, or, for a FIFO (read through the
// runtime's poller), the FIFO among its open files. The Go runtime catches
// SIGTERM from its first instruction, so the process's signal mask says
// nothing about whether podlint listens yet.
func waiting(pid int, fifo string) bool {
	proc := "/proc/" + strconv.Itoa(pid)
	if fifo != "" {
		fds, _ := os.ReadDir(proc + "/fd")
		for _, fd := range fds {
			if target, err := os.Readlink(proc + "/fd/" + fd.Name()); err == nil && target == fifo {
				return true
			}
		}
		return false
	}
	tasks, _ := os.ReadDir(proc + "/task")
	for _, task := range tasks {
		sc, err := os.ReadFile(proc + "/task/" + task.Name() + "/syscall")
		// "0 0x0 ...": syscall 0 (read on amd64; 63 on arm64) on fd 0.
		if err == nil && (strings.HasPrefix(string(sc), "0 0x0 ") || strings.HasPrefix(string(sc), "63 0x0 ")) {
			return true
		}
	}
	return false
}

// signalled starts podlint, waits until it catches sig, sends it, and
// returns the exit code and how long the process took to end.
func signalled(t *testing.T, sig syscall.Signal, stdin *os.File, fifo string, args ...string) (int, time.Duration, string) {
	t.Helper()
	cmd := exec.Command(podlint(t), args...)
	cmd.Dir = t.TempDir()
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !waiting(cmd.Process.Pid, fifo) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("podlint never reached its read; stderr: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case <-waited:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-waited
		t.Fatalf("podlint still running 10s after %v", sig)
	}
	return cmd.ProcessState.ExitCode(), time.Since(start), stderr.String()
}

// TestSignalsEndBlockedReads: SIGTERM and SIGINT end a run waiting on a
// stdin nobody closes, or on a FIFO whose writer never writes, within a
// second, with 143 and 130 (issue 8, item 2).
func TestSignalsEndBlockedReads(t *testing.T) {
	for _, tt := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}} {
		t.Run(tt.sig.String()+" on stdin", func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			defer w.Close() // held open: stdin never ends
			code, took, stderr := signalled(t, tt.sig, r, "", "-")
			if code != tt.code || took > time.Second {
				t.Errorf("exit %d after %s, want %d within 1s; stderr: %s", code, took, tt.code, stderr)
			}
		})
		t.Run(tt.sig.String()+" on a FIFO", func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "p.yaml")
			if err := syscall.Mkfifo(fifo, 0o644); err != nil {
				t.Fatal(err)
			}
			w, err := os.OpenFile(fifo, os.O_RDWR, 0) // a writer that never writes
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			code, took, stderr := signalled(t, tt.sig, nil, fifo, fifo)
			if code != tt.code || took > time.Second {
				t.Errorf("exit %d after %s, want %d within 1s; stderr: %s", code, took, tt.code, stderr)
			}
		})
	}
}

// cpuTicks is the CPU time process pid has used, in clock ticks (1/100 s).
func cpuTicks(pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces): utime and
	// stime are the 12th and 13th.
	_, rest, _ := strings.Cut(string(data), ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return u + st
}

// TestSignalEndsBusyRun: a run busy decoding (work that does not look at
// the context) still ends within a second of SIGTERM.
func TestSignalEndsBusyRun(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n")
	for i := range 40000 {
		// Unknown fields: each is compared with every PodSpec field for
		// a suggestion, seconds of CPU in all.
		fmt.Fprintf(&b, "  unknownfield%048d: 1\n", i)
	}
	path := filepath.Join(t.TempDir(), "slow.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(podlint(t), path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for cpuTicks(cmd.Process.Pid) < 30 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("podlint never got busy")
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case <-waited:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-waited
		t.Fatal("podlint still running 10s after SIGTERM")
	}
	if code, took := cmd.ProcessState.ExitCode(), time.Since(start); code != 143 || took > time.Second {
		t.Errorf("exit %d after %s, want 143 within 1s", code, took)
	}
}

// openPTY returns a pseudo-terminal's controlling side and its terminal.
func openPTY(t *testing.T) (ptm, pts *os.File) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptm.Close() })
	unlock := int32(0)
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, ptm.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); errno != 0 {
		t.Fatalf("TIOCSPTLCK: %v", errno)
	}
	var n uint32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, ptm.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); errno != 0 {
		t.Fatalf("TIOCGPTN: %v", errno)
	}
	pts, err = os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pts.Close() })
	return ptm, pts
}

// TestTerminalStdin: reading stdin from a terminal says so on stderr
// (else podlint - at a prompt looks hung), and SIGTERM still ends it.
func TestTerminalStdin(t *testing.T) {
	_, pts := openPTY(t)
	code, took, stderr := signalled(t, syscall.SIGTERM, pts, "", "-")
	if !strings.Contains(stderr, "reading manifests from standard input (a terminal); end with Ctrl-D") {
		t.Errorf("stderr lacks the notice: %q", stderr)
	}
	if code != 143 || took > time.Second {
		t.Errorf("exit %d after %s, want 143 within 1s", code, took)
	}
	// Not a terminal: no notice.
	r := runIn(t, t.TempDir(), nil, "-")
	if strings.Contains(r.stderr, "terminal") {
		t.Errorf("notice without a terminal: %s", r)
	}
}

// TestSizeCaps: a link to /dev/zero as an input, as --config and as
// --cluster-snapshot gives one clear error (issue 8, item 3); as an input
// or snapshot, the other files' findings are still printed.
func TestSizeCaps(t *testing.T) {
	dir := workspace(t, map[string]string{"big.yaml": strings.Repeat("# padding\n", 300_000)})
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string
		code int
	}{
		{"input, default cap", []string{"zero.yaml", "bad.yaml"},
			[]string{"zero.yaml: error: larger than 256Mi, podlint's size limit for one input (raise it with --max-input-bytes)", badFinding}, 2},
		{"input, lower cap", []string{"--max-input-bytes", "1Mi", "zero.yaml", "bad.yaml"},
			[]string{"zero.yaml: error: larger than 1Mi", badFinding}, 2},
		{"regular file over the cap", []string{"--max-input-bytes=2Mi", "big.yaml", "bad.yaml"},
			[]string{"big.yaml: error: larger than 2Mi", badFinding}, 2},
		{"cap raised", []string{"--max-input-bytes=4Mi", "big.yaml", "bad.yaml"},
			[]string{badFinding, "in 2 files"}, 1},
		{"snapshot", []string{"--max-input-bytes", "1Mi", "--cluster-snapshot", "zero.yaml", "bad.yaml"},
			[]string{"zero.yaml: error: reading cluster snapshot: larger than 1Mi", badFinding}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runIn(t, dir, nil, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d; %s", r.code, tt.code, r)
			}
			for _, w := range tt.want {
				if strings.Count(r.stdout, w) != 1 {
					t.Errorf("stdout lacks (once) %q; %s", w, r)
				}
			}
		})
	}
	r := runIn(t, dir, nil, "--max-input-bytes", "1Mi", "--config", "zero.yaml", "bad.yaml")
	if r.code != 2 || !strings.Contains(r.stderr, "podlint: reading configuration zero.yaml: larger than 1Mi") {
		t.Errorf("--config: %s", r)
	}
	r = runIn(t, dir, nil, "--max-input-bytes", "0", "bad.yaml")
	if r.code != 2 || !strings.Contains(r.stderr, "--max-input-bytes") {
		t.Errorf("--max-input-bytes 0: %s", r)
	}
}

// TestNoForgedOutput: names and comments holding control characters
// cannot forge a GitHub workflow command, move the cursor or reverse the
// text in any output format (issue 8, item 4).
func TestNoForgedOutput(t *testing.T) {
	forged := "x.yaml\n::error file=forged.yaml,line=1::pwned"
	dir := workspace(t, map[string]string{
		forged:                     badPod,
		"esc\x1b[2J\u202e.yaml":    badPod,
		"c1\u009b31m\r\u2028.yaml": "kind: [\n",
	})
	stdin, err := os.Open(filepath.Join(dir, "bad.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	helm := "---\n# Source: chart/\x1b]0;title\x07evil\u202e.yaml\n" + badPod
	helmFile := filepath.Join(dir, "helm.out")
	if err := os.WriteFile(helmFile, []byte(helm), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "json", "sarif", "github"} {
		t.Run(format, func(t *testing.T) {
			r := runIn(t, dir, nil, "-o", format, ".", "helm.out", "--config", "missing\x1b[31m.yaml")
			if r.code != 2 || !strings.Contains(r.stderr, `missing\x1b[31m.yaml`) {
				t.Errorf("config error: %s", r)
			}
			r = runIn(t, dir, nil, "-o", format, ".", "helm.out")
			if r.code != 2 {
				t.Errorf("exit %d; %s", r.code, r)
			}
			for _, out := range []string{r.stdout, r.stderr} {
				for _, l := range strings.Split(out, "\n") {
					if strings.HasPrefix(strings.TrimSpace(l), "::error file=forged.yaml") {
						t.Errorf("forged workflow command: %q", l)
					}
				}
				for _, bad := range []string{"\x1b", "\r", "\u009b", "\u202e", "\u2028", "\x07"} {
					if strings.Contains(out, bad) {
						t.Errorf("output holds %q:\n%s", bad, out)
					}
				}
			}
			if format == "json" || format == "sarif" {
				var v any
				if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
					t.Errorf("invalid JSON: %v", err)
				}
				// The escapes keep the value: the name decodes intact.
				if !strings.Contains(fmt.Sprint(v), "esc\x1b[2J\u202e.yaml") && format == "json" {
					t.Errorf("the file name did not survive the escaping:\n%s", r.stdout)
				}
			}
		})
	}
}

// TestReportedLines: reader errors and JSON trailing commas are reported
// at their line, a Helm chunk never at a line below 1, and the objects
// still linted (issue 8, items 5 and 6).
func TestReportedLines(t *testing.T) {
	dir := workspace(t, map[string]string{
		"nul.yaml":    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\x00b\n",
		"utf8.yaml":   "apiVersion: v1\nkind: Pod\nmetadata:\n  labels: {}\n  name: \xff\n",
		"helm.yaml":   "---\n# Source: chart/templates/x.yaml\nkind: [\n",
		"commas.json": "{\"apiVersion\": \"v1\", \"kind\": \"Pod\",\n \"metadata\": {\"name\": \"p\"},\n \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"nginx:1.27\", \"resources\": {\"limits\": {\"memory\": \"1024m\"}}},]}}\n",
	})
	r := runIn(t, dir, nil, "-o", "json", ".")
	if r.code != 2 {
		t.Errorf("exit %d; %s", r.code, r)
	}
	var rep struct {
		Findings []struct {
			File  string
			Line  int
			Check string
		}
		Errors []struct {
			File    string
			Line    int
			Message string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range rep.Errors {
		if e.Line < 1 {
			t.Errorf("error at line %d: %+v", e.Line, e)
		}
		got[e.File] = fmt.Sprintf("%d: %s", e.Line, e.Message)
	}
	for file, want := range map[string]string{
		"nul.yaml":    "4: control character U+0000",
		"utf8.yaml":   "5: invalid UTF-8 (byte 0xFF)",
		"commas.json": "3: trailing comma at column 108 before ']'",
	} {
		if !strings.HasPrefix(got[file], want) {
			t.Errorf("%s: got %q, want %q...", file, got[file], want)
		}
	}
	linted := false
	for _, f := range rep.Findings {
		linted = linted || f.File == "commas.json" && f.Check == "memory-unit-milli"
	}
	if !linted {
		t.Errorf("the JSON with trailing commas was not linted: %s", r.stdout)
	}
}

// TestConfigRanges: out-of-range configuration values stop the run with
// the key and its line (issue 8, item 7).
func TestConfigRanges(t *testing.T) {
	for value, want := range map[string]string{
		"memoryMinimum: -1Gi":    `c.yaml: line 2: memoryMinimum "-1Gi" must be positive`,
		"memoryMinimum: 1e400":   `c.yaml: line 2: memoryMinimum "1e400" is larger than any node's memory`,
		"cpuBareMaximum: 1e9999": `c.yaml: line 2: cpuBareMaximum must be a whole number of cores`,
		"cpuBareMaximum: -3":     `c.yaml: line 2: cpuBareMaximum must be a whole number of cores from 1 to 1000000, got "-3"`,
	} {
		dir := workspace(t, map[string]string{"c.yaml": "# podlint\n" + value + "\n"})
		r := runIn(t, dir, nil, "--config", "c.yaml", "bad.yaml")
		if r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("%s: want exit 2 and %q; %s", value, want, r)
		}
	}
}

// TestBrokenClusterSourcesStillLint: a malformed or oversized snapshot,
// or a --live that reads nothing, is an input error (exit 2) with its
// position; the manifests are linted all the same (issue 8, item 9).
func TestBrokenClusterSourcesStillLint(t *testing.T) {
	node := `{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}}`
	kubeconfig := `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`
	dir := workspace(t, map[string]string{
		"truncated.json": `{"kind":"List","items":[` + node + `,` + node[:30],
		"typed.json":     `{"kind":"List","items":[` + node + `,{"apiVersion":"v1","kind":"Node","metadata":{"name":"n2"},"spec":{"unschedulable":"yes"}}]}`,
		"bad.yml":        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata: {name: n1}\n- apiVersion: v1\n  kind: Node\n  metadata: {name: [n2}\n",
		"kubeconfig":     kubeconfig,
		"big.json":       `{"kind":"List","items":[` + strings.TrimSuffix(strings.Repeat(node+",", 20), ",") + `]}`,
	})
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"truncated JSON", []string{"--cluster-snapshot", "truncated.json"}, fmt.Sprintf("truncated.json:1: error: byte %d: invalid JSON: unexpected end of JSON input", 24+len(node)+1+30)},
		{"JSON of the wrong type", []string{"--cluster-snapshot", "typed.json"}, "typed.json:1: error: byte "},
		{"YAML", []string{"--cluster-snapshot", "bad.yml"}, "bad.yml:9: error: item: invalid YAML"},
		{"oversized", []string{"--max-input-bytes", "1Ki", "--cluster-snapshot", "big.json"}, "big.json: error: reading cluster snapshot: larger than 1Ki"},
		{"live unreachable", []string{"--live", "--kubeconfig", "kubeconfig", "--live-timeout", "5s"}, "--live: error: reading cluster https://127.0.0.1:1: no cluster data could be read"},
		{"live without kubeconfig", []string{"--live", "--kubeconfig", "absent"}, "--live: error: loading kubeconfig"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runIn(t, dir, nil, append(tt.args, "bad.yaml")...)
			if r.code != 2 || !strings.Contains(r.stdout, badFinding) || !strings.Contains(r.stdout, tt.want) {
				t.Errorf("want exit 2, bad.yaml's finding and %q; %s", tt.want, r)
			}
		})
	}
}
