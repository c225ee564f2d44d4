package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/lint"
)

// Output renders a report. The catalogue is passed in rather than read
// from checks.Registry so that formats which describe rules (sarif) list
// exactly the checks the caller ran with.
type Output interface {
	Write(w io.Writer, r *lint.Report, catalogue []*checks.Check) error
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
