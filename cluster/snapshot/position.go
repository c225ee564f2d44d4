package snapshot

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/podlint/podlint/manifest/jsonscan"
)

// PositionError is a snapshot that could not be decoded, placed at a line
// of the file and, for JSON, a byte offset (a kubectl -o json snapshot may
// be one line of 200 MB).
type PositionError struct {
	File string
	// Line is 1-based; 0 when unknown.
	Line int
	// Offset is the byte offset in the file (0-based); -1 when unknown.
	Offset int64
	Err    error
}

// Message is the error without the file and line.
func (e *PositionError) Message() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("byte %d: %v", e.Offset, e.Err)
	}
	return e.Err.Error()
}

func (e *PositionError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message())
	}
	return e.File + ": " + e.Message()
}

func (e *PositionError) Unwrap() error { return e.Err }

// offsetIn returns where sub starts in data, or -1 when sub is not a
// slice of data's array (JSON converted from YAML, or pruned bytes).
func offsetIn(data, sub []byte) int64 {
	if cap(sub) == 0 || cap(data) == 0 || cap(sub) > cap(data) ||
		&data[:cap(data)][cap(data)-1] != &sub[:cap(sub)][cap(sub)-1] {
		return -1
	}
	return int64(cap(data) - cap(sub))
}

// at places err in the file data: at the scanner's position when it is a
// jsonscan.Error over data, else at the start of sub when sub is a slice of
// data, else at line.
func at(name string, data, sub []byte, line int, err error) *PositionError {
	e := &PositionError{File: name, Line: line, Offset: -1, Err: err}
	off := int64(-1)
	var sc *jsonscan.Error
	if errors.As(err, &sc) {
		if o := offsetIn(data, sc.Input); o >= 0 {
			off = o + int64(sc.Offset)
		}
	}
	if off < 0 {
		off = offsetIn(data, sub)
	}
	if off >= 0 {
		e.Offset = off
		e.Line = bytes.Count(data[:min(off, int64(len(data)))], []byte("\n")) + 1
	}
	return e
}

// listMetaError is a List's metadata that encoding/json refused; meta is
// where it is in the file.
type listMetaError struct {
	meta []byte
	err  error
}

func (e *listMetaError) Error() string { return e.err.Error() }
func (e *listMetaError) Unwrap() error { return e.err }

var yamlLineRE = regexp.MustCompile(`yaml: line (\d+): `)

// yamlPos turns the line of a YAML error, counted in src, a piece of the
// file that starts at line first, into a line of the file (at most src's
// last), and drops it from the message.
func yamlPos(err error, src []byte, first int) (int, error) {
	msg := err.Error()
	m := yamlLineRE.FindStringSubmatch(msg)
	if m == nil {
		return first, err
	}
	last := first + bytes.Count(bytes.TrimRight(src, " \t\r\n"), []byte("\n"))
	n, convErr := strconv.Atoi(m[1])
	if convErr != nil || n < 0 {
		return first, err
	}
	rest := msg[strings.Index(msg, m[0])+len(m[0]):]
	if strings.HasPrefix(rest, "did not find expected") || strings.HasPrefix(rest, "found duplicate %") ||
		rest == "found incompatible YAML document" || rest == "found undefined tag handle" {
		// yaml.v3 counts lines from 0 in its parser's errors (not in its
		// scanner's).
		n++
	}
	return min(first+max(n, 1)-1, last), errors.New(strings.Replace(msg, m[0], "yaml: ", 1))
}
