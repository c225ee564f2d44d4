package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/lint"
)

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"deploy/cart.yaml", "deploy/cart.yaml"},
		{"naïve/ünïcode ✓.yaml", "naïve/ünïcode ✓.yaml"},
		{"x.yaml\n::error file=f::m", `x.yaml\n::error file=f::m`},
		{"a\rb\tc", `a\rb\tc`},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"nul\x00del\x7f", `nul\x00del\x7f`},
		{"c1\u009b31m", `c1\u009b31m`},
		{"bidi\u202egnp.yaml", `bidi\u202egnp.yaml`},
		{"iso\u2066x\u2069 lsep\u2028", `iso\u2066x\u2069 lsep\u2028`},
		{"bad\xffutf8", `bad\xffutf8`},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEscapeJSON(t *testing.T) {
	in := map[string]string{"f": "a\u009bb\u202ec\x7fd✓\x1b"}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(in); err != nil {
		t.Fatal(err)
	}
	got := escapeJSON(buf.Bytes())
	if want := `{"f":"a\u009bb\u202ec\u007fd✓\u001b"}` + "\n"; string(got) != want {
		t.Errorf("escapeJSON = %s, want %s", got, want)
	}
	var back map[string]string
	if err := json.Unmarshal(got, &back); err != nil || back["f"] != in["f"] {
		t.Errorf("round trip: %q, %v", back["f"], err)
	}
}

// TestFormatsEscapeNames: file names, Helm template names and messages
// with control characters, in every format: no raw control character, no
// line that GitHub Actions would run as a forged workflow command.
func TestFormatsEscapeNames(t *testing.T) {
	forged := "x.yaml\n::error file=forged.yaml,line=1::pwned\x1b[2J\u202e"
	rep := &lint.Report{
		Findings: []lint.Finding{{
			Finding: checks.Finding{Check: "memory-unit-milli", Severity: checks.Error, Field: "spec",
				Message: "value \x1b]0;title\x07 \r\n::warning::forged", Object: checks.ObjectRef{Kind: "Pod", Name: "p\u009b"}},
			File: forged, Line: 3, Column: 4,
		}},
		Errors: []lint.InputError{{File: forged, Line: 2, Message: "bad\x1b[31m\n::error::forged"}},
		Checks: sampleCatalogue(),
	}
	rep.Summary.Findings, rep.Summary.Errors = 1, 1
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			out, err := New(format, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := out.Write(&buf, rep); err != nil {
				t.Fatal(err)
			}
			s := buf.String()
			for _, l := range strings.Split(s, "\n") {
				if strings.HasPrefix(l, "::error file=forged") || strings.HasPrefix(l, "::warning::") || strings.HasPrefix(l, "::error::") {
					t.Errorf("forged workflow command %q in:\n%s", l, s)
				}
			}
			for _, r := range s {
				if r < 0x20 && r != '\n' || r >= 0x7f && r <= 0x9f || r == '\u202e' {
					t.Errorf("raw %U in:\n%s", r, s)
				}
			}
		})
	}
}
