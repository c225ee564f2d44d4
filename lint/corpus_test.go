package lint

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	kruntime "k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/manifest"
	"github.com/podlint/podlint/test/need"
)

// corpusDir is the shared real-world corpus, beside the repository
// (need.Corpus checks it is there).
var corpusDir = filepath.Join(need.RepoRoot(), "..", "shared", "corpus", "files")

// corpusGolden lists every finding podlint makes on the corpus. A change
// to it is a change in what users see on manifests people really ship, so
// each new error line has to be reviewed against the file it names.
var corpusGolden = filepath.Join("testdata", "corpus", "findings.golden")

// wholeCorpus is one lint run over the whole corpus, shared by the tests
// that read it: each run costs seconds, more under -race.
var wholeCorpus = sync.OnceValue(func() *Report {
	return Run(context.Background(), Options{Paths: []string{corpusDir}})
})

func needCorpus(tb testing.TB) {
	tb.Helper()
	need.Corpus(tb)
}

// TestCorpusRun lints the whole corpus: nothing panics, and every finding
// and every error is placed in a file at a line.
func TestCorpusRun(t *testing.T) {
	needCorpus(t)
	rep := wholeCorpus()
	for _, f := range rep.Findings {
		if f.File == "" || f.Line < 1 || f.Column < 1 {
			t.Errorf("unplaced finding %+v", f)
		}
	}
	for _, e := range rep.Errors {
		if e.File == "" || e.Line < 1 {
			t.Errorf("unplaced error %+v", e)
		}
	}
	s := rep.Summary
	t.Logf("%d files, %d objects (%d skipped), %d findings (%d errors, %d warnings, %d infos), %d suppressed, %d input errors",
		s.Files, s.Objects, s.Skipped, s.Findings, s.Errors, s.Warnings, s.Infos, s.Suppressed, len(rep.Errors))
	if s.Files < 1000 || s.Objects-s.Skipped < 1000 {
		t.Errorf("the corpus yielded too little: %+v", s)
	}
}

// TestCorpusPrecision pins every finding and every input error on the
// corpus in testdata/corpus/findings.golden.
//
// The golden file records one lint run per source project (SOURCES.tsv),
// because that is how these manifests are linted in real life: each
// project lints its own repository. The whole corpus is also linted in one
// run, as `podlint .` in a monorepo would: inputs count as cluster state
// only where they are applied together (one directory), so the two must
// agree — before that rule, the whole run saw kubernetes/examples' flocker
// ReplicationController and ingress-nginx's kind Deployment as sharing
// host port 80. What the whole run adds or loses is recorded in its own
// section, so a change there shows up too.
func TestCorpusPrecision(t *testing.T) {
	needCorpus(t)
	projects := corpusProjects(t)

	var perProject []corpusLine
	var inputErrs []string
	var sum Summary
	for _, p := range projects {
		rep := Run(t.Context(), Options{Paths: p.files})
		for _, f := range rep.Findings {
			perProject = append(perProject, newCorpusLine(f))
		}
		for _, e := range rep.Errors {
			inputErrs = append(inputErrs, corpusRel(e.Error()))
		}
		sum.Files += rep.Summary.Files
		sum.Objects += rep.Summary.Objects
		sum.Skipped += rep.Summary.Skipped
		sum.Suppressed += rep.Summary.Suppressed
	}

	whole := wholeCorpus()
	if whole.Summary.Files != sum.Files || whole.Summary.Objects != sum.Objects {
		// SOURCES.tsv must name every file, or the per-project runs would
		// quietly lint less than the corpus.
		t.Errorf("per-project runs read %d files, %d objects; the whole corpus has %d files, %d objects",
			sum.Files, sum.Objects, whole.Summary.Files, whole.Summary.Objects)
	}
	wholeLines := map[string]bool{}
	for _, f := range whole.Findings {
		wholeLines[newCorpusLine(f).key()] = true
	}
	projectLines := map[string]bool{}
	for _, l := range perProject {
		projectLines[l.key()] = true
	}
	var onlyWhole, onlyProject []string
	for l := range wholeLines {
		if !projectLines[l] {
			onlyWhole = append(onlyWhole, l)
		}
	}
	for l := range projectLines {
		if !wholeLines[l] {
			onlyProject = append(onlyProject, l)
		}
	}
	slices.Sort(onlyWhole)
	slices.Sort(onlyProject)

	var errs, warns, infos []string
	byCheck := map[string]int{}
	for _, l := range perProject {
		switch l.severity {
		case checks.Error:
			errs = append(errs, l.text())
			byCheck[l.check]++
		case checks.Warning:
			warns = append(warns, l.text())
		default:
			infos = append(infos, l.text())
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "# podlint on ../shared/corpus with the default configuration, one run per source project\n")
	fmt.Fprintf(&b, "# (SOURCES.tsv). Every error below was checked against the file it names; review new\n")
	fmt.Fprintf(&b, "# ones the same way before running: go test ./lint -run TestCorpusPrecision -update\n")
	fmt.Fprintf(&b, "# files %d, objects %d (%d of unknown kinds skipped), suppressed %d\n", sum.Files, sum.Objects, sum.Skipped, sum.Suppressed)
	fmt.Fprintf(&b, "# errors %d, warnings %d, infos %d, input errors %d\n", len(errs), len(warns), len(infos), len(inputErrs))
	ids := make([]string, 0, len(byCheck))
	for id := range byCheck {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		fmt.Fprintf(&b, "# errors by check: %s %d\n", id, byCheck[id])
	}
	section := func(title string, lines []string) {
		fmt.Fprintf(&b, "\n## %s (%d)\n", title, len(lines))
		for _, l := range lines {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	section("errors", errs)
	section("warnings", warns)
	section("infos", infos)
	section("input errors", inputErrs)
	section("only when the whole corpus is one run", onlyWhole)
	section("only when each project is its own run", onlyProject)
	got := b.String()

	if *update {
		if err := os.MkdirAll(filepath.Dir(corpusGolden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(corpusGolden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(corpusGolden)
	if err != nil {
		t.Fatalf("%v (run go test ./lint -run TestCorpusPrecision -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("findings on the corpus differ from %s; review each new error against its file, then run with -update:\n%s",
			corpusGolden, lineDiff(string(want), got))
	}
}

// TestCorpusTraps spells out what the corpus README lists as tripping
// linters, each with a precondition proving the trap is really in the
// input, so the golden file cannot lose one without a test saying so.
func TestCorpusTraps(t *testing.T) {
	needCorpus(t)
	file := func(rel string) string { return filepath.Join(corpusDir, filepath.FromSlash(rel)) }
	parse := func(rel string) []*manifest.Object {
		t.Helper()
		data, err := os.ReadFile(file(rel))
		if err != nil {
			t.Fatal(err)
		}
		objs, errs := manifest.Parse(rel, data)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", rel, errs)
		}
		return objs
	}
	findings := func(rep *Report, check string) []string {
		var out []string
		for _, f := range rep.Findings {
			if f.Check == check {
				out = append(out, fmt.Sprintf("%s:%d:%d: %s", corpusRel(f.File), f.Line, f.Column, f.Message))
			}
		}
		return out
	}

	t.Run("alternative variants of one DaemonSet", func(t *testing.T) {
		// metallb ships metallb-native.yaml and metallb-frr.yaml, never
		// applied together; both hold DaemonSet metallb-system/speaker on
		// the host network.
		variants := []string{"metallb+metallb/config/manifests/metallb-native.yaml", "metallb+metallb/config/manifests/metallb-frr.yaml"}
		for _, rel := range variants {
			found := false
			for _, o := range parse(rel) {
				if !o.Known {
					continue
				}
				if ds, ok := o.Target.Object.(*appsv1.DaemonSet); ok && ds.Namespace == "metallb-system" && ds.Name == "speaker" {
					found = ds.Spec.Template.Spec.HostNetwork
				}
			}
			if !found {
				t.Fatalf("%s: no host-network DaemonSet metallb-system/speaker; the trap is gone", rel)
			}
		}
		rep := Run(t.Context(), Options{Paths: []string{file(variants[0]), file(variants[1])}})
		if got := findings(rep, "host-port-conflict"); len(got) > 0 {
			t.Errorf("versions of one DaemonSet reported as conflicting:\n%s", strings.Join(got, "\n"))
		}
	})

	t.Run("large bare cpu in GPU jobs", func(t *testing.T) {
		rel := "GoogleCloudPlatform+kubernetes-engine-samples/ai-ml/llm-multihost-gpus/llama3-405b-job.yaml"
		var cpus []string
		for _, o := range parse(rel) {
			if !o.Known || o.Target.Spec == nil {
				continue
			}
			for _, c := range o.Target.Containers() {
				if q, ok := c.Container.Resources.Requests[corev1.ResourceCPU]; ok {
					cpus = append(cpus, q.String())
				}
			}
		}
		if !slices.Contains(cpus, "32") {
			t.Fatalf("%s: no container requests cpu 32 (got %q); the trap is gone", rel, cpus)
		}
		if got := findings(Run(t.Context(), Options{Paths: []string{file(rel)}}), "cpu-unit-missing"); len(got) > 0 {
			t.Errorf("cpu: \"32\" reported:\n%s", strings.Join(got, "\n"))
		}
	})

	whole := wholeCorpus()

	t.Run("references without cluster knowledge", func(t *testing.T) {
		// ConfigMaps and Secrets created at run time (an operator, a
		// tutorial's kubectl create step) are not in the files; without a
		// snapshot or live cluster podlint cannot know they are missing.
		for _, id := range []string{"configmap-not-found", "secret-not-found", "pvc-not-found", "service-account-not-found", "image-pull-secret-not-found"} {
			if got := findings(whole, id); len(got) > 0 {
				t.Errorf("%s without cluster knowledge:\n%s", id, strings.Join(got, "\n"))
			}
		}
	})

	t.Run("kustomize patches", func(t *testing.T) {
		// Patches are Deployments without selector or template; they must
		// neither crash the run nor draw a finding.
		type ref struct{ file, name string }
		patches := map[ref]bool{}
		for _, p := range corpusProjects(t) {
			for _, name := range p.files {
				data, err := os.ReadFile(name)
				if err != nil {
					t.Fatal(err)
				}
				objs, _ := manifest.Parse(name, data)
				for _, o := range objs {
					if !o.Known {
						continue
					}
					if d, ok := o.Target.Object.(*appsv1.Deployment); ok && (d.Spec.Selector == nil || len(d.Spec.Template.Spec.Containers) == 0) {
						patches[ref{corpusRel(o.File), d.Name}] = true
					}
				}
			}
		}
		t.Logf("%d Deployments without selector or template", len(patches))
		if len(patches) < 10 {
			t.Fatalf("only %d Deployments without selector or template; the trap is gone", len(patches))
		}
		for _, f := range whole.Findings {
			if f.Object.Kind == "Deployment" && patches[ref{corpusRel(f.File), f.Object.Name}] {
				t.Errorf("finding on a kustomize patch: %s:%d:%d: %s: %s", corpusRel(f.File), f.Line, f.Column, f.Check, f.Message)
			}
		}
	})
}

// corpusLine is one finding as the golden file shows it.
type corpusLine struct {
	file           string
	line, col      int
	severity       checks.Severity
	check, message string
}

func (l corpusLine) text() string {
	if l.severity != checks.Error && l.severity != checks.Warning {
		return fmt.Sprintf("%s:%d:%d: %s %s: %s", l.file, l.line, l.col, l.severity, l.check, l.message)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", l.file, l.line, l.col, l.check, l.message)
}

// key names a finding in the comparison of the two run modes, where
// errors and warnings share a section.
func (l corpusLine) key() string {
	return fmt.Sprintf("%s:%d:%d: %s %s: %s", l.file, l.line, l.col, l.severity, l.check, l.message)
}

// newCorpusLine places a finding relative to the corpus, in its file name
// and in the message (which names other inputs' files).
func newCorpusLine(f Finding) corpusLine {
	return corpusLine{file: corpusRel(f.File), line: f.Line, col: f.Column, severity: f.Severity, check: f.Check, message: corpusRel(f.Message)}
}

func corpusRel(s string) string {
	return strings.ReplaceAll(s, corpusDir+string(filepath.Separator), "")
}

// corpusProject is one source repository of the corpus.
type corpusProject struct {
	repo  string
	files []string
}

// corpusProjects groups the corpus files by repository as SOURCES.tsv
// names them.
func corpusProjects(t *testing.T) []*corpusProject {
	data, err := os.ReadFile(filepath.Join(corpusDir, "..", "SOURCES.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	byRepo := map[string]*corpusProject{}
	var out []*corpusProject
	for i, row := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		cols := strings.Split(row, "\t")
		if i == 0 {
			if len(cols) < 2 || cols[0] != "corpus_file" || cols[1] != "repo" {
				t.Fatalf("SOURCES.tsv: unexpected header %q", row)
			}
			continue
		}
		if len(cols) < 2 {
			t.Fatalf("SOURCES.tsv line %d: %q", i+1, row)
		}
		p := byRepo[cols[1]]
		if p == nil {
			p = &corpusProject{repo: cols[1]}
			byRepo[cols[1]] = p
			out = append(out, p)
		}
		p.files = append(p.files, filepath.Join(corpusDir, "..", filepath.FromSlash(cols[0])))
	}
	slices.SortFunc(out, func(a, b *corpusProject) int { return cmp.Compare(a.repo, b.repo) })
	for _, p := range out {
		slices.Sort(p.files)
	}
	return out
}

// lineDiff lists the lines only one side has, enough to review a change.
func lineDiff(want, got string) string {
	count := func(s string) map[string]int {
		m := map[string]int{}
		for _, l := range strings.Split(s, "\n") {
			m[l]++
		}
		return m
	}
	w, g := count(want), count(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if g[l] < w[l] {
			b.WriteString("- " + l + "\n")
			w[l]--
		}
	}
	w = count(want)
	for _, l := range strings.Split(got, "\n") {
		if w[l] < g[l] {
			b.WriteString("+ " + l + "\n")
			g[l]--
		}
	}
	return b.String()
}

// BenchmarkDecodeCorpus is the baseline of `make bench`: finding the
// corpus files, reading them and decoding every document into its typed
// object the usual way (sigs.k8s.io/yaml through the client-go scheme's
// codec), nothing else. Files are decoded on GOMAXPROCS workers, as
// podlint's run does, so the ratio compares the same parallelism.
func BenchmarkDecodeCorpus(b *testing.B) {
	needCorpus(b)
	dec := scheme.Codecs.UniversalDeserializer()
	cpu := startCPU(b)
	for b.Loop() {
		files := corpusFiles(b)
		next := make(chan string)
		var wg sync.WaitGroup
		for range min(runtime.GOMAXPROCS(0), len(files)) {
			wg.Go(func() {
				for name := range next {
					decodeFile(b, dec, name)
				}
			})
		}
		for _, name := range files {
			next <- name
		}
		close(next)
		wg.Wait()
	}
	cpu.report(b)
}

// decodeFile is the usual client-side path: split the stream into
// documents, convert each to JSON and decode it with the scheme. Unknown
// kinds (CRDs) fail to decode after their conversion, as they would in a
// client that only knows the built-in types.
func decodeFile(tb testing.TB, dec kruntime.Decoder, name string) int {
	data, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if err != nil {
			break
		}
		if _, _, err := dec.Decode(doc, nil, nil); err == nil {
			n++
		}
	}
	return n
}

// BenchmarkLintCorpus is podlint's side of `make bench`: the whole run,
// from finding the files to sorted, positioned findings.
func BenchmarkLintCorpus(b *testing.B) {
	needCorpus(b)
	cpu := startCPU(b)
	for b.Loop() {
		Run(b.Context(), Options{Paths: []string{corpusDir}})
	}
	cpu.report(b)
}

// The 20x stream benchmarks take the corpus README's scale case: every
// corpus file concatenated into one stream, repeated 20 times (about
// 65,000 objects, 340 MB), as one input. They take minutes, so they run
// only when PODLINT_BENCH_STREAM is set; hack/bench-cli.sh measures the
// same stream through the podlint binary, with its peak RSS.

func BenchmarkDecodeStream20x(b *testing.B) {
	stream := corpusStream(b, 20)
	dec := scheme.Codecs.UniversalDeserializer()
	cpu := startCPU(b)
	for b.Loop() {
		decodeFile(b, dec, stream)
	}
	cpu.report(b)
	reportPeak(b)
}

func BenchmarkLintStream20x(b *testing.B) {
	stream := corpusStream(b, 20)
	cpu := startCPU(b)
	for b.Loop() {
		rep := Run(b.Context(), Options{Paths: []string{stream}})
		if len(rep.Errors) > 0 {
			b.Fatalf("stream input errors: %v", rep.Errors)
		}
	}
	cpu.report(b)
	reportPeak(b)
}

// corpusStream writes the corpus, n times over, as one YAML stream.
func corpusStream(b *testing.B, n int) string {
	needCorpus(b)
	if os.Getenv("PODLINT_BENCH_STREAM") == "" {
		b.Skip("set PODLINT_BENCH_STREAM=1 to run the 20x stream benchmarks (minutes)")
	}
	var one bytes.Buffer
	for _, name := range corpusFiles(b) {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		one.WriteString("---\n")
		one.Write(data)
		one.WriteString("\n")
	}
	name := filepath.Join(b.TempDir(), "stream.yaml")
	f, err := os.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	for range n {
		if _, err := f.Write(one.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	return name
}

// cpuClock measures the process's user+system CPU time. Other jobs on a
// shared machine inflate wall time but not CPU time, so the corpus
// benchmarks report both.
type cpuClock struct{ start time.Duration }

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU(b *testing.B) cpuClock {
	b.ReportAllocs()
	return cpuClock{start: processCPU()}
}

func (c cpuClock) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-c.start)/float64(b.N)/1e6, "cpu-ms/op")
	}
}

// reportPeak reports the memory the process obtained from the OS, which
// the runtime rarely returns: after one iteration it is the peak
// footprint of that run (plus the benchmark's own small state).
func reportPeak(b *testing.B) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.Sys)/(1<<20), "peak-sys-MiB")
}

func corpusFiles(tb testing.TB) []string {
	var files []string
	err := filepath.WalkDir(corpusDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && manifestExt(p) {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// TestCorpusKustomizeModes: the corpus holds no kustomization (its files
// were copied one by one; flannel's Documentation/kustomization is a
// directory of plain manifests), so rendering kustomizations must change
// nothing: --kustomize=never and the default agree on every finding and
// count.
func TestCorpusKustomizeModes(t *testing.T) {
	needCorpus(t)
	auto := wholeCorpus()
	never := Run(t.Context(), Options{Paths: []string{corpusDir}, Kustomize: KustomizeNever})
	if auto.Summary != never.Summary {
		t.Errorf("summary: auto %+v, never %+v", auto.Summary, never.Summary)
	}
	key := func(r *Report) []string {
		var out []string
		for _, f := range r.Findings {
			out = append(out, newCorpusLine(f).key())
		}
		for _, e := range r.Errors {
			out = append(out, corpusRel(e.Error()))
		}
		return out
	}
	if a, n := key(auto), key(never); !slices.Equal(a, n) {
		t.Errorf("auto and never differ:\n%s", lineDiff(strings.Join(n, "\n"), strings.Join(a, "\n")))
	}
}
