package cluster

import (
	"reflect"
	"strings"
)

// Strip removes from a typed object, in place, what podlint does not keep
// of the row's kind: managedFields and the Drop paths. Sources that hand
// typed objects to the store (--live, the webhook's informer caches) call
// it, so that a 5,000-node cluster does not cost 5,000 image lists.
func (r Row) Strip(o Object) {
	o.SetManagedFields(nil)
	v := reflect.ValueOf(o)
	for _, p := range r.Drop {
		clearPath(v, strings.Split(p, "."))
	}
}

// clearPath sets the field at a JSON path (field names as their json tags
// spell them) to its zero value; a path that leads nowhere is left alone.
func clearPath(v reflect.Value, path []string) {
	for len(path) > 0 {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return
		}
		f, ok := jsonField(v, path[0])
		if !ok {
			return
		}
		if len(path) == 1 {
			f.SetZero()
			return
		}
		v, path = f, path[1:]
	}
}

// jsonField finds the struct field encoded under name, looking through
// inlined (embedded) structs as encoding/json does.
func jsonField(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if tag == "" && sf.Anonymous {
			ev := v.Field(i)
			if ev.Kind() == reflect.Pointer {
				if ev.IsNil() {
					continue
				}
				ev = ev.Elem()
			}
			if ev.Kind() == reflect.Struct {
				if f, ok := jsonField(ev, name); ok {
					return f, true
				}
			}
			continue
		}
		if tag == name || tag == "" && sf.Name == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}
