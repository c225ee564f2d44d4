package why

import (
	"encoding/json"
	"errors"
	"fmt"
)

// scanner walks JSON text without building values, to split a List into
// its items and to read an item's apiVersion and kind. It validates the
// structure only as far as it needs; json.Unmarshal of each item does the
// rest.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf(format, args...)
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

var errEOF = errors.New("unexpected end of JSON input")

// object calls member for each key, with the scanner at the value, which
// member must consume.
func (s *scanner) object(member func(key string) error) error {
	if s.peek() != '{' {
		return s.errorf("expected an object")
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		if s.peek() != '"' {
			if s.i >= len(s.b) {
				return errEOF
			}
			return s.errorf("expected a string key, found %q", s.b[s.i])
		}
		key, err := s.str()
		if err != nil {
			return err
		}
		if s.peek() != ':' {
			return s.errorf("expected ':' after key %q", key)
		}
		s.i++
		s.ws()
		if err := member(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		case 0:
			return errEOF
		default:
			return s.errorf("expected ',' or '}' after the value of %q, found %q", key, s.b[s.i])
		}
	}
}

// array calls elem for each element, with the scanner at it.
func (s *scanner) array(elem func() error) error {
	if s.peek() != '[' {
		return s.errorf("expected an array")
	}
	s.i++
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		s.ws()
		if err := elem(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		case 0:
			return errEOF
		default:
			return s.errorf("expected ',' or ']' in array, found %q", s.b[s.i])
		}
	}
}

// str reads a string; keys and kinds rarely hold escapes, so only then
// does it pay for json.Unmarshal.
func (s *scanner) str() (string, error) {
	if s.peek() != '"' {
		return "", s.skip()
	}
	start := s.i
	escaped, err := s.strEnd()
	if err != nil {
		return "", err
	}
	if !escaped {
		return string(s.b[start+1 : s.i-1]), nil
	}
	var v string
	if err := json.Unmarshal(s.b[start:s.i], &v); err != nil {
		return "", err
	}
	return v, nil
}

// strEnd moves past the string at s.i and tells whether it had escapes.
func (s *scanner) strEnd() (bool, error) {
	s.i++
	escaped := false
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			escaped = true
			s.i += 2
			continue
		case '"':
			s.i++
			return escaped, nil
		}
		s.i++
	}
	return escaped, errEOF
}

// skip consumes one value of any type.
func (s *scanner) skip() error {
	switch s.peek() {
	case '{', '[':
		// Brackets of both kinds nest in one counter; the item's own
		// decoding catches a mismatch.
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if _, err := s.strEnd(); err != nil {
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
		return errEOF
	case '"':
		_, err := s.strEnd()
		return err
	case 0:
		return errEOF
	}
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			if s.i == start {
				return s.errorf("unexpected %q", s.b[s.i])
			}
			return nil
		}
		s.i++
	}
	return nil
}

// typeMeta reads apiVersion and kind from an object's top-level keys,
// stopping as soon as both are known (kubectl prints them first).
func typeMeta(b []byte) (apiVersion, kind string) {
	s := &scanner{b: b}
	stop := errors.New("stop")
	_ = s.object(func(key string) error {
		var err error
		switch key {
		case "apiVersion":
			apiVersion, err = s.str()
		case "kind":
			kind, err = s.str()
		default:
			err = s.skip()
		}
		if err == nil && apiVersion != "" && kind != "" {
			return stop
		}
		return err
	})
	return apiVersion, kind
}
