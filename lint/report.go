package lint

import (
	"strconv"

	"github.com/podlint/podlint/checks"
)

// Finding is a checks.Finding placed in a file.
type Finding struct {
	checks.Finding
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// InputError is an input that could not be read or parsed. It never stops
// the run; it makes the exit code 2.
type InputError struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

func (e InputError) Error() string {
	if e.Line > 0 {
		return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Message
	}
	return e.File + ": " + e.Message
}

// Summary counts what a run saw.
type Summary struct {
	Files    int `json:"files"`
	Objects  int `json:"objects"`
	Findings int `json:"findings"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
	// Skipped counts objects of kinds podlint does not know (CRDs).
	Skipped int `json:"skipped"`
	// Suppressed counts findings dropped by the podlint.io/ignore annotation.
	Suppressed int `json:"suppressed"`
	// Patches counts kustomize patches, which are not objects: files a
	// kustomization lists under patches, patchesStrategicMerge or
	// patchesJson6902, and documents with a "$patch" directive.
	Patches int `json:"patches"`
}

// Report is the outcome of one lint run, ready for an output format.
// Findings are sorted by file, line, column, check.
type Report struct {
	Findings []Finding    `json:"findings"`
	Errors   []InputError `json:"errors"`
	Summary  Summary      `json:"summary"`
	// Checks are the checks that ran, in catalogue order, so that formats
	// which describe rules (sarif) list those and no others.
	Checks []*checks.Check `json:"-"`
}
