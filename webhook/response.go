package webhook

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/podlint/podlint/checks"
)

// Warning limits. The API server drops nothing below these, but kubectl
// prints every warning on its own line and clients stop reading long
// lists; 4 KiB in total keeps the response header small.
const (
	warningSoftLimit  = 120
	warningHardLimit  = 256
	warningTotalLimit = 4 << 10
)

// formatFinding is how a finding reads in a denial and in a warning:
// `field: message [check-id]`, the shape of the API server's own errors.
func formatFinding(f checks.Finding) string {
	msg := oneLine(f.Message)
	if f.Field == "" {
		return msg + " [" + f.Check + "]"
	}
	return f.Field + ": " + msg + " [" + f.Check + "]"
}

// warningText fits a finding into one warning. Up to warningSoftLimit it is
// the full formatFinding; longer, the message is shortened so that the
// field and the check ID (what users search for) always survive; it never
// exceeds warningHardLimit.
func warningText(f checks.Finding) string {
	full := formatFinding(f)
	if len(full) <= warningSoftLimit {
		return full
	}
	if len(full) <= warningHardLimit {
		// Between the limits the message is kept whole: cutting
		// "did you mean 1024Mi?" off to save a few bytes helps nobody.
		return full
	}
	return limitLine(f, warningHardLimit)
}

// limitLine is formatFinding cut to at most limit bytes: the message is
// shortened so that the field and the check ID survive, unless the field
// alone leaves no room, then the field goes.
func limitLine(f checks.Finding, limit int) string {
	full := formatFinding(f)
	if len(full) <= limit {
		return full
	}
	suffix := " [" + f.Check + "]"
	prefix := ""
	if f.Field != "" {
		prefix = f.Field + ": "
	}
	room := limit - len(prefix) - len(suffix) - len("…")
	if room < 16 {
		// A path so long that it leaves no room for the message: keep
		// the message and check ID and drop the path instead.
		prefix = ""
		room = limit - len(suffix) - len("…")
	}
	return prefix + truncate(oneLine(f.Message), max(room, 0)) + "…" + suffix
}

// limitWarnings keeps the warnings in order until their total would pass
// warningTotalLimit, then says how many were left out.
func limitWarnings(ws []string) []string {
	total := 0
	for i, w := range ws {
		// Reserve room for the "and N more" line.
		if total+len(w) > warningTotalLimit-64 {
			out := append(ws[:i:i], fmt.Sprintf("podlint: and %d more warning(s) not shown", len(ws)-i))
			return out
		}
		total += len(w)
	}
	return ws
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// oneLine keeps a message on one line: HTTP warning headers cannot carry
// line breaks, and the API server drops warnings with control characters.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
