package output

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Clean escapes what a terminal or a CI log would act on rather than
// show, in a path or message about to be printed: C0 and C1 control
// characters (ESC starts colour and cursor sequences, CR overwrites a
// line, LF starts one that GitHub Actions may run as a workflow command),
// DEL, Unicode line separators, bidirectional overrides (which make text
// read differently from what it is) and invalid UTF-8. They come back as
// Go-style escapes (\n, \x1b, \u202e), so nothing is lost from view.
func Clean(s string) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, size) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !unsafeRune(r, size):
			b.WriteString(s[i : i+size])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

// unsafeRune tells whether Clean escapes r (size is its UTF-8 length).
func unsafeRune(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return true
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r == 0x2028, r == 0x2029,
		r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// escapeJSON rewrites, in encoded JSON, the characters encoding/json
// leaves raw but Clean escapes (DEL, C1 controls, bidirectional
// overrides) as \u escapes. Outside strings JSON is ASCII, so this never
// changes a value, only how it is spelled: a terminal showing the JSON
// then shows them instead of obeying them.
func escapeJSON(data []byte) []byte {
	if !bytes.ContainsFunc(data, func(r rune) bool { return r >= 0x7f && unsafeRune(r, utf8.RuneLen(r)) }) {
		return data
	}
	var b bytes.Buffer
	b.Grow(len(data) + 16)
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r >= 0x7f && unsafeRune(r, size) && !(r == utf8.RuneError && size == 1) {
			fmt.Fprintf(&b, `\u%04x`, r)
		} else {
			b.Write(data[i : i+size])
		}
		i += size
	}
	return b.Bytes()
}
