package snapshot

import (
	"bytes"
	"errors"
	"fmt"
)

// scanner walks JSON without decoding it. Splitting a snapshot into items
// with it costs a fraction of encoding/json's scan, and leaves each item a
// sub-slice of the file, so items decode in parallel without copies.
// Values it skips are checked only for balanced brackets and closed
// strings; the per-item json.Unmarshal validates them properly.
type scanner struct {
	b []byte
	i int
}

// scanError is malformed JSON; rest is the input from where it was found,
// so that the caller can place it in the file.
type scanError struct {
	whole, rest []byte
	msg         string
}

func (e *scanError) Error() string { return "invalid JSON: " + e.msg }

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

func (s *scanner) errorf(format string, args ...any) error {
	return &scanError{whole: s.b, rest: s.b[min(s.i, len(s.b)):], msg: fmt.Sprintf(format, args...)}
}

// unexpectedEnd is a value cut off by the end of the input.
func (s *scanner) unexpectedEnd() error {
	return &scanError{whole: s.b, rest: s.b[len(s.b):], msg: "unexpected end of JSON input"}
}

// str reads a string and returns its raw contents (escapes kept).
func (s *scanner) str() ([]byte, error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, s.errorf("expected a string")
	}
	start := s.i + 1
	j := start
	for {
		// IndexByte is vectorised; escapes are rare, so look for the quote
		// first and check the backslashes before it afterwards.
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

// skip passes over one value.
func (s *scanner) skip() error {
	s.ws()
	if s.i >= len(s.b) {
		return s.unexpectedEnd()
	}
	switch s.b[s.i] {
	case '"':
		_, err := s.str()
		return err
	case '{', '[':
	default:
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return nil
			}
			s.i++
		}
		return nil
	}
	depth := 0
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			if _, err := s.str(); err != nil {
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

// object calls fn for each key of the object at the cursor; fn must consume
// the value (with skip or a nested walk).
func (s *scanner) object(fn func(key []byte) error) error {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return s.errorf("expected an object")
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		s.ws()
		key, err := s.str()
		if err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return s.errorf("expected ':' after object key")
		}
		s.i++
		s.ws()
		if err := fn(key); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) {
			return s.unexpectedEnd()
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return s.errorf("expected ',' or '}' in object")
		}
	}
}

// array calls fn at each element; fn must consume it.
func (s *scanner) array(fn func() error) error {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '[' {
		return s.errorf("expected an array")
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		s.ws()
		if err := fn(); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) {
			return s.unexpectedEnd()
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return s.errorf("expected ',' or ']' in array")
		}
	}
}

// span skips one value and returns its bytes.
func (s *scanner) span() ([]byte, error) {
	s.ws()
	start := s.i
	if err := s.skip(); err != nil {
		return nil, err
	}
	return s.b[start:s.i], nil
}

// errTypeFound stops typeOf's walk once apiVersion and kind are read.
var errTypeFound = errors.New("type found")

// typeOf reads an item's apiVersion and kind without decoding the rest; it
// stops at the first field after both.
func typeOf(item []byte) (apiVersion, kind string, err error) {
	s := scanner{b: item}
	seen := 0
	err = s.object(func(key []byte) error {
		if seen == 2 {
			return errTypeFound
		}
		switch string(key) {
		case "apiVersion", "kind":
			if s.i < len(s.b) && s.b[s.i] == '"' {
				v, err := s.str()
				if err != nil {
					return err
				}
				if key[0] == 'k' {
					kind = string(v)
				} else {
					apiVersion = string(v)
				}
				seen++
				return nil
			}
		}
		return s.skip()
	})
	if errors.Is(err, errTypeFound) {
		err = nil
	}
	return apiVersion, kind, err
}

// prune appends the object at the cursor to dst with only the fields the
// tree keeps (keep) or without the fields it drops. Values are copied as
// they are; the caller's json.Unmarshal validates what is left.
func (s *scanner) prune(dst []byte, t fieldTree, keep bool) ([]byte, error) {
	dst = append(dst, '{')
	n := 0
	err := s.object(func(key []byte) error {
		sub, in := t[string(key)]
		if keep && !in || !keep && in && sub == nil {
			return s.skip()
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, '"')
		dst = append(dst, key...)
		dst = append(dst, '"', ':')
		if sub != nil && s.i < len(s.b) && s.b[s.i] == '{' {
			var err error
			dst, err = s.prune(dst, sub, keep)
			return err
		}
		v, err := s.span()
		dst = append(dst, v...)
		return err
	})
	return append(dst, '}'), err
}
