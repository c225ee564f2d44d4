package manifest

import (
	"encoding"
	"encoding/json"
	"reflect"
	"unsafe"
)

// What the strict decode checked, without its cost.
//
// sigs.k8s.io/json's strict decode (unknown and duplicate fields reported)
// took half again the time of the same decode without those checks, most
// of it in bookkeeping for error messages the fast path never shows: any
// strict error only sends the object to the YAML path. knownFieldsOnly
// answers the same question from the token index scanJSON has already
// built: it walks the JSON beside the Go type it decodes into and reports
// false for a key no field takes (names matched case-sensitively, as the
// decoder matches them, from the field table the YAML path decodes with:
// structInfo in typed.go) or a key repeated in one object. The decode itself
// is then the plain case-sensitive one, which still reports every value of
// the wrong type. The walk may refuse more than the strict decode would
// (a repeated map key), never less: TestKnownFieldsOnly and
// FuzzKnownFieldsOnly hold it to the strict decode, and
// FuzzParseAdmissionJSON the fast path to the YAML path.

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// knownFieldsOnly reports whether the JSON value at token i, decoded into
// a value of type t, has no unknown and no repeated key anywhere.
func (r *jsonRaw) knownFieldsOnly(i int, t reflect.Type) bool {
	for {
		if t.Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler) {
			return true // the type reads its own JSON
		}
		if t.Kind() != reflect.Pointer {
			break
		}
		t = t.Elem()
	}
	tok := r.toks[i]
	if tok.kind == '"' && (t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler)) {
		return true
	}
	switch tok.kind {
	case '{':
		var fields map[string]reflect.Type
		switch t.Kind() {
		case reflect.Struct:
			fields = structInfo(t).types
		case reflect.Map, reflect.Interface:
		default:
			return true // a type error, which the decode reports
		}
		end := int(tok.next)
		for k := i + 1; k < end; k = int(r.toks[k+1].next) {
			name := r.keyText(k)
			for p := i + 1; p < k; p = int(r.toks[p+1].next) {
				if r.keyText(p) == name {
					return false
				}
			}
			vt := t
			switch t.Kind() {
			case reflect.Struct:
				var ok bool
				if vt, ok = fields[name]; !ok || vt == nil {
					return false
				}
			case reflect.Map:
				vt = t.Elem()
			}
			if !r.knownFieldsOnly(k+1, vt) {
				return false
			}
		}
	case '[':
		switch t.Kind() {
		case reflect.Slice, reflect.Array:
			if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
				return true // []byte is a base64 string; an array is a type error
			}
			t = t.Elem()
		case reflect.Interface:
		default:
			return true
		}
		for k := i + 1; k < int(tok.next); k = int(r.toks[k].next) {
			if !r.knownFieldsOnly(k, t) {
				return false
			}
		}
	}
	return true
}

// keyText is the key at token k, unescaped; without escapes it is the raw
// text, which Go compares to a string without copying it.
func (r *jsonRaw) keyText(k int) string {
	t := r.toks[k]
	if !t.escaped {
		return unsafeString(r.data[t.start+1 : t.end-1])
	}
	return r.text(t)
}

// unsafeString views b as a string without copying. The walk only compares
// and looks up the strings it makes this way, and the data they view does
// not change while it runs.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
