package why

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixtures lists the dumps under testdata, one (or one per runtime
// wording) per row.
func fixtures(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, pat := range []string{"testdata/*.yaml", "testdata/*.json"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) == 0 {
		t.Fatal("no fixtures in testdata")
	}
	return out
}

// fixtureKey is the row a fixture is for: "image-not-found.crio.yaml" is
// for image-not-found, "log-hint.dns-failure.yaml" for log-hint/dns-failure.
func fixtureKey(path string) string {
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if sub, ok := strings.CutPrefix(name, "log-hint."); ok {
		sub, _, _ = strings.Cut(sub, ".")
		return "log-hint/" + sub
	}
	key, _, _ := strings.Cut(name, ".")
	return key
}

// fixtureTargets reads testdata/NAME.args: namespace/NAME targets, one a
// line (the CLI goldens pass the whole line as arguments).
func fixtureTargets(t *testing.T, path string) []Target {
	data, err := os.ReadFile(strings.TrimSuffix(path, filepath.Ext(path)) + ".args")
	if err != nil {
		return nil
	}
	var out []Target
	for _, f := range strings.Fields(string(data)) {
		if name, ok := strings.CutPrefix(f, "namespace/"); ok {
			out = append(out, Target{Kind: KindNamespace, Name: name})
		}
	}
	return out
}

// TestFixtureCauses: each fixture is diagnosed with the row it is named
// after; the healthy cluster with nothing.
func TestFixtureCauses(t *testing.T) {
	for _, path := range fixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			d, errs := LoadFile(path, nil)
			for _, e := range errs {
				t.Errorf("decoding: %v", e)
			}
			rep, err := Diagnose(d, Options{Now: d.Newest(), Targets: fixtureTargets(t, path)})
			if err != nil {
				t.Fatal(err)
			}
			key := fixtureKey(path)
			if key == "healthy" {
				if len(rep.Diagnoses) != 0 || rep.Summary.Stuck != 0 {
					t.Errorf("healthy cluster: %d diagnoses, summary %+v", len(rep.Diagnoses), rep.Summary)
				}
				return
			}
			var got []string
			for _, dg := range rep.Diagnoses {
				got = append(got, dg.rule.Key())
				if dg.rule.Key() == key {
					return
				}
			}
			t.Errorf("diagnosed %q, want %s among them", got, key)
		})
	}
}
