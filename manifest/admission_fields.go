package manifest

import (
	"encoding"
	"encoding/json"
	"reflect"
	"sync"
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

// jsonType is what knownFieldsOnly needs to know about a Go type, found
// once per type: asking reflect whether a type implements an interface,
// or looking a type up in a cache, for every value was most of the walk's
// cost. Types point at their fields' and elements' jsonTypes.
type jsonType struct {
	reads    bool // a json.Unmarshaler (the type or its pointer): it reads its own JSON
	readsStr bool // an encoding.TextUnmarshaler: it reads its own JSON string
	kind     reflect.Kind
	fields   map[string]*jsonType // a struct's fields by JSON name
	elem     *jsonType            // a slice's, array's or map's element
	bytes    bool                 // []byte, a base64 string
}

// jsonTypes caches the jsonType of the types parseAdmissionJSON decodes
// into, like structInfos caches typeInfo: computed once, never changed.
var jsonTypes sync.Map // reflect.Type -> *jsonType

func jsonTypeOf(t reflect.Type) *jsonType {
	if v, ok := jsonTypes.Load(t); ok {
		return v.(*jsonType)
	}
	v, _ := jsonTypes.LoadOrStore(t, buildJSONType(t, map[reflect.Type]*jsonType{}))
	return v.(*jsonType)
}

// buildJSONType builds t's jsonType and those of everything it holds;
// built holds those under way, so that a recursive type points back at
// itself instead of recursing without end.
func buildJSONType(t reflect.Type, built map[reflect.Type]*jsonType) *jsonType {
	if jt, ok := built[t]; ok {
		return jt
	}
	jt := &jsonType{}
	built[t] = jt
	u := t
	for {
		if u.Implements(jsonUnmarshaler) || reflect.PointerTo(u).Implements(jsonUnmarshaler) {
			jt.reads = true
			return jt
		}
		if u.Kind() != reflect.Pointer {
			break
		}
		u = u.Elem()
	}
	jt.readsStr = u.Implements(textUnmarshaler) || reflect.PointerTo(u).Implements(textUnmarshaler)
	jt.kind = u.Kind()
	switch jt.kind {
	case reflect.Struct:
		types := structInfo(u).types
		jt.fields = make(map[string]*jsonType, len(types))
		for name, ft := range types {
			jt.fields[name] = buildJSONType(ft, built)
		}
	case reflect.Slice, reflect.Array, reflect.Map:
		jt.bytes = jt.kind == reflect.Slice && u.Elem().Kind() == reflect.Uint8
		jt.elem = buildJSONType(u.Elem(), built)
	}
	return jt
}

// knownFieldsOnly reports whether the JSON value at token i, decoded into
// a value of type jt, has no unknown and no repeated key anywhere.
func (r *jsonRaw) knownFieldsOnly(i int, jt *jsonType) bool {
	tok := r.toks[i]
	if jt.reads || tok.kind == '"' && jt.readsStr {
		return true
	}
	switch tok.kind {
	case '{':
		switch jt.kind {
		case reflect.Struct, reflect.Map, reflect.Interface:
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
			vt := jt
			switch jt.kind {
			case reflect.Struct:
				var ok bool
				if vt, ok = jt.fields[name]; !ok {
					return false
				}
			case reflect.Map:
				vt = jt.elem
			}
			if !r.knownFieldsOnly(k+1, vt) {
				return false
			}
		}
	case '[':
		et := jt
		switch {
		case jt.bytes:
			return true // a base64 string; an array is a type error
		case jt.kind == reflect.Slice || jt.kind == reflect.Array:
			et = jt.elem
		case jt.kind != reflect.Interface:
			return true
		}
		for k := i + 1; k < int(tok.next); k = int(r.toks[k].next) {
			if !r.knownFieldsOnly(k, et) {
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
