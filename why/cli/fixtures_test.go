package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podlint/podlint/test/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(t.Context(), args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
	return code, out.String(), errb.String()
}

// TestFixtureGoldens runs podlint why --from on every fixture, as text
// and as JSON, against testdata/golden. Stuck clusters exit 1, the
// healthy one 0, and none writes to stderr.
func TestFixtureGoldens(t *testing.T) {
	var files []string
	for _, pat := range []string{"../testdata/*.yaml", "../testdata/*.json"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		var extra []string
		if data, err := os.ReadFile(strings.TrimSuffix(path, filepath.Ext(path)) + ".args"); err == nil {
			extra = strings.Fields(string(data))
		}
		for _, format := range []string{"text", "json"} {
			t.Run(name+"/"+format, func(t *testing.T) {
				args := append([]string{"--from", path, "-o", format}, extra...)
				code, stdout, stderr := run(t, args...)
				want := ExitStuck
				if name == "healthy" {
					want = ExitOK
				}
				if code != want {
					t.Errorf("exit %d, want %d; stderr:\n%s", code, want, stderr)
				}
				if stderr != "" {
					t.Errorf("stderr:\n%s", stderr)
				}
				ext := map[string]string{"text": ".txt", "json": ".json"}[format]
				golden.Assert(t, filepath.Join("..", "testdata", "golden", name+ext), []byte(stdout), *update)
			})
		}
	}
}
