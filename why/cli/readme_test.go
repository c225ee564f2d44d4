package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMEExamples runs the examples of the README's "Why is my pod
// stuck?" section and compares their output with what the README shows,
// so that the README always shows the real output.
func TestREADMEExamples(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Why is my pod stuck?\n")
	if !ok {
		t.Fatal(`README.md has no "## Why is my pod stuck?" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	examples := 0
	for _, block := range strings.Split(section, "```console\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		cmd, want, _ := strings.Cut(block, "\n")
		args, ok := strings.CutPrefix(cmd, "$ podlint why ")
		if !ok {
			t.Errorf("example does not start with $ podlint why: %q", cmd)
			continue
		}
		fields := strings.Fields(args)
		for i, f := range fields {
			if i > 0 && fields[i-1] == "--from" {
				fields[i] = filepath.Join("..", "..", f)
			}
		}
		_, got, stderr := run(t, fields...)
		if got != want {
			t.Errorf("README example %q is out of date (stderr %q)\n--- README ---\n%s\n--- real ---\n%s", cmd, stderr, want, got)
		}
		examples++
	}
	if examples < 2 {
		t.Errorf("the section has %d examples, want two", examples)
	}
}
