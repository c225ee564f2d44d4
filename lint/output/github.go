package output

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/podlint/podlint/lint"
)

// GitHub writes GitHub Actions workflow commands, which the runner turns
// into annotations on the pull request's diff:
// `::error file=F,line=L,col=C,title=ID::message`.
type GitHub struct{}

// Write implements Output.
func (*GitHub) Write(w io.Writer, r *lint.Report) error {
	bw := bufio.NewWriter(w)
	for i := range r.Findings {
		f := &r.Findings[i]
		props := []string{"file=" + escapeProperty(f.File)}
		if f.Line > 0 {
			props = append(props, "line="+strconv.Itoa(f.Line))
			if f.Column > 0 {
				props = append(props, "col="+strconv.Itoa(f.Column))
			}
		}
		props = append(props, "title="+escapeProperty(f.Check))
		fmt.Fprintf(bw, "::%s %s::%s\n", level(f.Severity, "notice"), strings.Join(props, ","), escapeData(message(f)))
	}
	for _, e := range r.Errors {
		props := []string{"file=" + escapeProperty(e.File)}
		if e.Line > 0 {
			props = append(props, "line="+strconv.Itoa(e.Line))
		}
		props = append(props, "title=podlint")
		fmt.Fprintf(bw, "::error %s::%s\n", strings.Join(props, ","), escapeData(e.Message))
	}
	// A plain line is not a command; it only shows in the job log.
	fmt.Fprintln(bw, "podlint: "+SummaryLine(&r.Summary, len(r.Errors)))
	return bw.Flush()
}

// escapeData follows the runner's rules for a command's message, then
// escapes the other control characters (Clean): the log shows the raw
// line too, where an ESC would still act.
func escapeData(s string) string {
	return Clean(strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s))
}

// escapeProperty also escapes the separators of the property list.
func escapeProperty(s string) string {
	return Clean(strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s))
}
