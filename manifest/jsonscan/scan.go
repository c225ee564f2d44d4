package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Scanner is a cursor over JSON text.
type Scanner struct {
	b []byte
	i int
}

// New returns a scanner at the start of b.
func New(b []byte) *Scanner { return &Scanner{b: b} }

// Offset is the cursor's byte offset in the input.
func (s *Scanner) Offset() int { return s.i }

// Error is malformed JSON. Input is what the scanner was given and Offset
// where in it the problem was found, so that a caller holding a larger
// buffer (Input may be a slice of it) can place it in the file.
type Error struct {
	Input  []byte
	Offset int
	Msg    string
}

func (e *Error) Error() string { return "invalid JSON: " + e.Msg }

// Errorf is an Error at the cursor.
func (s *Scanner) Errorf(format string, args ...any) error {
	return &Error{Input: s.b, Offset: min(s.i, len(s.b)), Msg: fmt.Sprintf(format, args...)}
}

// unexpectedEnd is a value cut off by the end of the input.
func (s *Scanner) unexpectedEnd() error {
	return &Error{Input: s.b, Offset: len(s.b), Msg: "unexpected end of JSON input"}
}

func (s *Scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// Peek moves past white space and returns the next byte, 0 at the end.
func (s *Scanner) Peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// Raw reads a string and returns its raw contents (escapes kept).
func (s *Scanner) Raw() ([]byte, error) {
	if s.Peek() != '"' {
		return nil, s.Errorf("expected a string")
	}
	start := s.i + 1
	j := start
	for {
		// IndexByte is vectorised; escapes are rare, so look for the quote
		// first and count the backslashes before it afterwards.
		k := bytes.IndexByte(s.b[j:], '"')
		if k < 0 {
			return nil, s.unexpectedEnd()
		}
		j += k
		bs := 0
		for p := j - 1; p >= start && s.b[p] == '\\'; p-- {
			bs++
		}
		if bs%2 == 1 {
			j++
			continue
		}
		s.i = j + 1
		return s.b[start:j], nil
	}
}

// String reads a string value with its escapes decoded; keys and kinds
// rarely hold escapes or invalid UTF-8, so only then does it pay for
// json.Unmarshal (which replaces bad bytes as encoding/json always does). A
// value that is not a string is skipped and reads as "".
func (s *Scanner) String() (string, error) {
	if s.Peek() != '"' {
		return "", s.Skip()
	}
	start := s.i
	raw, err := s.Raw()
	if err != nil {
		return "", err
	}
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw), nil
	}
	var v string
	if err := json.Unmarshal(s.b[start:s.i], &v); err != nil {
		return "", &Error{Input: s.b, Offset: start, Msg: err.Error()}
	}
	return v, nil
}

// Null consumes a null at the cursor and reports whether there was one.
func (s *Scanner) Null() bool {
	if s.Peek() != 'n' || !bytes.HasPrefix(s.b[s.i:], []byte("null")) {
		return false
	}
	if end := s.i + 4; end < len(s.b) {
		switch s.b[end] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
		default:
			return false // nullx: not a literal; Skip reports it
		}
	}
	s.i += 4
	return true
}

// Skip passes over one value.
func (s *Scanner) Skip() error {
	switch s.Peek() {
	case 0:
		return s.unexpectedEnd()
	case '"':
		_, err := s.Raw()
		return err
	case '{', '[':
	default:
		start := s.i
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ':', ' ', '\t', '\r', '\n':
				if s.i == start {
					return s.Errorf("unexpected %q", s.b[s.i])
				}
				return nil
			}
			s.i++
		}
		return nil
	}
	// Brackets of both kinds nest in one counter; the item's own
	// decoding catches a mismatch.
	depth := 0
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			if _, err := s.Raw(); err != nil {
				return err
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				s.i++
				return nil
			}
		}
		s.i++
	}
	return s.unexpectedEnd()
}

// Span skips one value and returns its bytes, a slice of the input.
func (s *Scanner) Span() ([]byte, error) {
	s.ws()
	start := s.i
	if err := s.Skip(); err != nil {
		return nil, err
	}
	return s.b[start:s.i], nil
}

// Object calls fn for each key of the object at the cursor, with the
// cursor at the value, which fn must consume (Skip, Span or a nested walk).
func (s *Scanner) Object(fn func(key []byte) error) error {
	if s.Peek() != '{' {
		return s.Errorf("expected an object")
	}
	s.i++
	if s.Peek() == '}' {
		s.i++
		return nil
	}
	for {
		key, err := s.Raw()
		if err != nil {
			return err
		}
		if s.Peek() != ':' {
			return s.Errorf("expected ':' after object key")
		}
		s.i++
		s.ws()
		if err := fn(key); err != nil {
			return err
		}
		switch s.Peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		case 0:
			return s.unexpectedEnd()
		default:
			return s.Errorf("expected ',' or '}' in object")
		}
	}
}

// Array calls fn at each element of the array at the cursor; fn must
// consume it.
func (s *Scanner) Array(fn func() error) error {
	if s.Peek() != '[' {
		return s.Errorf("expected an array")
	}
	s.i++
	if s.Peek() == ']' {
		s.i++
		return nil
	}
	for {
		s.ws()
		if err := fn(); err != nil {
			return err
		}
		switch s.Peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		case 0:
			return s.unexpectedEnd()
		default:
			return s.Errorf("expected ',' or ']' in array")
		}
	}
}

// errTypeFound stops TypeOf's walk once apiVersion and kind are read.
var errTypeFound = errors.New("type found")

// TypeOf reads an object's apiVersion and kind without decoding the rest;
// it stops as soon as both are known (kubectl prints them first). A
// non-string apiVersion or kind reads as "".
func TypeOf(item []byte) (apiVersion, kind string, err error) {
	s := New(item)
	err = s.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "apiVersion":
			apiVersion, err = s.String()
		case "kind":
			kind, err = s.String()
		default:
			err = s.Skip()
		}
		if err == nil && apiVersion != "" && kind != "" {
			return errTypeFound
		}
		return err
	})
	if errors.Is(err, errTypeFound) {
		err = nil
	}
	return apiVersion, kind, err
}
