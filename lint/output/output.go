package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/lint"
)

// Output renders a report. Formats that describe rules (sarif) take them
// from Report.Checks, the checks the run had enabled, so that a rule list
// never names a check that was turned off.
type Output interface {
	Write(w io.Writer, r *lint.Report) error
}

// Formats returns the names New accepts, in the order help texts show them.
func Formats() []string { return []string{"text", "json", "sarif", "github"} }

// Options are the decisions the caller makes for a format.
type Options struct {
	// Color turns on ANSI colour in the text format. The CLI decides it
	// (terminal, NO_COLOR, --no-color) so that rendering stays pure.
	Color bool
	// Version is the tool version written into sarif.
	Version string
}

// New returns the format with the given name.
func New(name string, opts Options) (Output, error) {
	switch name {
	case "text":
		return &Text{Color: opts.Color}, nil
	case "json":
		return &JSON{}, nil
	case "sarif":
		return &SARIF{Version: opts.Version}, nil
	case "github":
		return &GitHub{}, nil
	}
	return nil, fmt.Errorf("unknown output format %q (want %s)", name, strings.Join(Formats(), ", "))
}

// message is a finding's message prefixed with its field path, the way
// Kubernetes' own field errors read, so that the container and the exact
// key are visible even where the position is only the nearest ancestor.
func message(f *lint.Finding) string {
	if f.Field == "" {
		return f.Message
	}
	return f.Field + ": " + f.Message
}

// level names a severity in a format's vocabulary: "error" and "warning"
// are every format's words; they differ in what they call info (sarif
// "note", github "notice").
func level(s checks.Severity, info string) string {
	switch s {
	case checks.Error, checks.Warning:
		return s.String()
	}
	return info
}
