package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestTypeOf(t *testing.T) {
	tests := []struct {
		name, in         string
		apiVersion, kind string
		wantErr          string
	}{
		{"first keys", `{"apiVersion":"v1","kind":"Pod","spec":{}}`, "v1", "Pod", ""},
		{"after nested values", `{"metadata":{"name":"a","x":[1,{"y":"}"}]},"kind":"Node","apiVersion":"v1"}`, "v1", "Node", ""},
		{"escapes decoded", `{"apiVersion":"apps\/v1","kind":"Dep\u006coyment"}`, "apps/v1", "Deployment", ""},
		{"quote escaped in a skipped string", `{"a":"x\"}","kind":"Pod","apiVersion":"v1"}`, "v1", "Pod", ""},
		{"not strings", `{"apiVersion":1,"kind":["Pod"]}`, "", "", ""},
		{"missing", `{"metadata":{}}`, "", "", ""},
		{"truncated", `{"kind":"Pod","spec":{"a":`, "", "Pod", "invalid JSON: unexpected end of JSON input"},
		{"not an object", `[1]`, "", "", "invalid JSON: expected an object"},
		{"missing colon", `{"kind" "Pod"}`, "", "", "invalid JSON: expected ':' after object key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apiVersion, kind, err := TypeOf([]byte(tt.in))
			if apiVersion != tt.apiVersion || kind != tt.kind {
				t.Errorf("TypeOf = %q, %q; want %q, %q", apiVersion, kind, tt.apiVersion, tt.kind)
			}
			if got := errString(err); got != tt.wantErr {
				t.Errorf("err = %q, want %q", got, tt.wantErr)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestSplitList: the items of a List come back as slices of the input,
// and an error says where in the input it was found.
func TestSplitList(t *testing.T) {
	tests := []struct {
		name, in string
		items    []string
		wantErr  string
		offset   int
	}{
		{"items", `{"kind":"List","items":[ {"a":1} ,{"b":"]"}, [2], "s", 3 ]}`, []string{`{"a":1}`, `{"b":"]"}`, `[2]`, `"s"`, `3`}, "", 0},
		{"empty", `{"items":[]}`, nil, "", 0},
		{"garbage between items", `{"items":[{} x]}`, []string{`{}`}, "invalid JSON: expected ',' or ']' in array", 13},
		{"missing value", `{"items":[{},,{}]}`, []string{`{}`}, "invalid JSON: unexpected ','", 13},
		{"unclosed string", `{"items":["abc`, nil, "invalid JSON: unexpected end of JSON input", 14},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New([]byte(tt.in))
			var items []string
			err := s.Object(func(key []byte) error {
				if string(key) != "items" {
					return s.Skip()
				}
				return s.Array(func() error {
					v, err := s.Span()
					if err == nil {
						items = append(items, string(v))
					}
					return err
				})
			})
			if strings.Join(items, "|") != strings.Join(tt.items, "|") {
				t.Errorf("items %q, want %q", items, tt.items)
			}
			if got := errString(err); got != tt.wantErr {
				t.Fatalf("err = %q, want %q", got, tt.wantErr)
			}
			if err != nil {
				var se *Error
				if !errors.As(err, &se) || se.Offset != tt.offset || string(se.Input) != tt.in {
					t.Errorf("error at %d, want %d", se.Offset, tt.offset)
				}
			}
		})
	}
}

// FuzzScanner: no input makes the scanner panic or loop, a span is a
// piece of the input, and on valid JSON objects TypeOf reads what
// encoding/json reads.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{`{"apiVersion":"v1","kind":"Pod"}`, `{"kind":"List","items":[{"a":[1,2,{"b":"\""}]}]}`, `[`, `{"a":"\\"}`, `{"kind":"\ud800"}`, ` 1 `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := New(b)
		for s.Peek() != 0 {
			before := s.Offset()
			v, err := s.Span()
			if err != nil {
				break
			}
			if s.Offset() <= before || len(v) == 0 {
				t.Fatalf("no progress at %d", before)
			}
		}
		apiVersion, kind, err := TypeOf(b)
		top, ok := topLevel(b)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("valid JSON object: %v", err)
		}
		if want := top["apiVersion"]; len(want) == 1 && apiVersion != want[0] {
			t.Errorf("apiVersion %q, encoding/json %q", apiVersion, want[0])
		}
		if want := top["kind"]; len(want) == 1 && kind != want[0] {
			t.Errorf("kind %q, encoding/json %q", kind, want[0])
		}
	})
}

// topLevel reads a valid JSON object with encoding/json and returns, for
// each top-level key, its values in order (strings as such, anything else
// as ""); ok is false when b is not a valid JSON object.
func topLevel(b []byte) (map[string][]string, bool) {
	var m map[string]json.RawMessage
	if !json.Valid(b) || json.Unmarshal(b, &m) != nil || m == nil {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return nil, false
	}
	out := map[string][]string{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			s = ""
		}
		out[k.(string)] = append(out[k.(string)], s)
	}
	return out, true
}

func TestNull(t *testing.T) {
	for _, tc := range []struct {
		in   string
		null bool
		next byte // what Peek sees afterwards
	}{
		{`null`, true, 0},
		{` null,1`, true, ','},
		{"null}", true, '}'},
		{"null]", true, ']'},
		{"null\n", true, 0},
		{`nullx`, false, 'n'},
		{`nul`, false, 'n'},
		{`"null"`, false, '"'},
		{`1`, false, '1'},
		{``, false, 0},
	} {
		s := New([]byte(tc.in))
		if got := s.Null(); got != tc.null {
			t.Errorf("Null(%q) = %v, want %v", tc.in, got, tc.null)
		}
		if got := s.Peek(); got != tc.next {
			t.Errorf("after Null(%q) the cursor is at %q, want %q", tc.in, got, tc.next)
		}
	}
}
