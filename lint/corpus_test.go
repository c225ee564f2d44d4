package lint

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
)

// corpusDir is the shared real-world corpus, beside the repository.
var corpusDir = filepath.Join("..", "..", "shared", "corpus", "files")

func needCorpus(tb testing.TB) {
	tb.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		tb.Skip("corpus not present at ../shared/corpus")
	}
}

// TestCorpusRun lints the whole corpus: nothing panics, and every finding
// and every error is placed in a file at a line.
func TestCorpusRun(t *testing.T) {
	needCorpus(t)
	rep := Run(t.Context(), Options{Paths: []string{corpusDir}})
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

// BenchmarkDecodeCorpus is the baseline of `make bench`: reading the
// corpus and decoding every document into its typed object the usual way
// (sigs.k8s.io/yaml through the client-go scheme's codec), nothing else.
func BenchmarkDecodeCorpus(b *testing.B) {
	needCorpus(b)
	files := corpusFiles(b)
	dec := scheme.Codecs.UniversalDeserializer()
	b.ResetTimer()
	for b.Loop() {
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				b.Fatal(err)
			}
			r := utilyaml.NewYAMLReader(bufioReader(data))
			for {
				doc, err := r.Read()
				if err != nil {
					break
				}
				_, _, _ = dec.Decode(doc, nil, nil)
			}
		}
	}
}

// BenchmarkLintCorpus is podlint's side of `make bench`: the whole run,
// from finding the files to sorted, positioned findings.
func BenchmarkLintCorpus(b *testing.B) {
	needCorpus(b)
	for b.Loop() {
		Run(b.Context(), Options{Paths: []string{corpusDir}})
	}
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

func bufioReader(data []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(data)) }
