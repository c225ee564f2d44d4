package output

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/lint"
)

// Text writes one line a finding, `FILE:LINE:COL: SEVERITY: MESSAGE [ID]`,
// the shape compilers use so editors and terminals make it clickable, then
// input errors as `FILE:LINE: error: MESSAGE`, then a summary line.
type Text struct {
	Color bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

func (t *Text) paint(code, s string) string {
	if !t.Color {
		return s
	}
	return code + s + ansiReset
}

func (t *Text) severity(s checks.Severity) string {
	switch s {
	case checks.Error:
		return t.paint(ansiBold+ansiRed, "error")
	case checks.Warning:
		return t.paint(ansiBold+ansiYellow, "warning")
	}
	return t.paint(ansiBold+ansiCyan, s.String())
}

// Write implements Output.
func (t *Text) Write(w io.Writer, r *lint.Report) error {
	bw := bufio.NewWriter(w)
	for i := range r.Findings {
		f := &r.Findings[i]
		fmt.Fprintf(bw, "%s: %s: %s %s\n",
			t.paint(ansiBold, position(f.File, f.Line, f.Column)),
			t.severity(f.Severity), oneLine(message(f)), t.paint(ansiDim, "["+f.Check+"]"))
	}
	for _, e := range r.Errors {
		fmt.Fprintf(bw, "%s: %s: %s\n", t.paint(ansiBold, position(e.File, e.Line, 0)), t.severity(checks.Error), oneLine(e.Message))
	}
	fmt.Fprintln(bw, SummaryLine(&r.Summary, len(r.Errors)))
	return bw.Flush()
}

// oneLine keeps the one-line-a-finding shape that grep and editors rely
// on, and escapes the control characters left (Clean).
func oneLine(s string) string {
	return Clean(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s))
}

// position renders FILE:LINE:COL, leaving out what is unknown. The file
// name is escaped: a name may hold a newline and a forged line after it.
func position(file string, line, col int) string {
	var b strings.Builder
	b.WriteString(Clean(file))
	if line > 0 {
		b.WriteString(":" + strconv.Itoa(line))
		if col > 0 {
			b.WriteString(":" + strconv.Itoa(col))
		}
	}
	return b.String()
}

// SummaryLine is the one-line account of a run that the text format ends
// with (and the github format, for the log).
func SummaryLine(s *lint.Summary, inputErrors int) string {
	var b strings.Builder
	if s.Findings == 0 {
		b.WriteString("no findings")
	} else {
		fmt.Fprintf(&b, "%s (%s, %s, %s)", plural(s.Findings, "finding"),
			plural(s.Errors, "error"), plural(s.Warnings, "warning"), plural(s.Infos, "info"))
	}
	fmt.Fprintf(&b, " in %s, %s", plural(s.Files, "file"), plural(s.Objects, "object"))
	var extra []string
	if inputErrors > 0 {
		extra = append(extra, plural(inputErrors, "input error"))
	}
	if s.Skipped > 0 {
		extra = append(extra, plural(s.Skipped, "object")+" of unknown kinds skipped")
	}
	if s.Patches > 0 {
		noun := "kustomize patches"
		if s.Patches == 1 {
			noun = "kustomize patch"
		}
		extra = append(extra, fmt.Sprintf("%d %s skipped (patches are not objects)", s.Patches, noun))
	}
	if s.Suppressed > 0 {
		extra = append(extra, strconv.Itoa(s.Suppressed)+" suppressed by "+checks.IgnoreAnnotation)
	}
	if len(extra) > 0 {
		b.WriteString("; " + strings.Join(extra, "; "))
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 || word == "info" {
		return strconv.Itoa(n) + " " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
