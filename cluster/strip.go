package cluster

import (
	"reflect"
	"strings"
)

// Strip removes from an object, in place, what podlint does not keep of
// the row's kind: managedFields, the Drop paths, the values of KeysOnly
// maps and, for a row that keeps only listed fields, the metadata it does
// not list (annotations, labels, owner references, finalizers). Sources
// that hand objects to the store (--live, the webhook's informer caches,
// typed or metadata-only) call it, so that a 5,000-node cluster does not
// cost 5,000 image lists, and so that no Secret data is held: kubectl
// apply copies a whole Secret, data included, into its
// kubectl.kubernetes.io/last-applied-configuration annotation.
func (r Row) Strip(o Object) {
	o.SetManagedFields(nil)
	if r.Keep != nil {
		if !r.keeps("metadata.annotations") {
			o.SetAnnotations(nil)
		}
		if !r.keeps("metadata.labels") {
			o.SetLabels(nil)
		}
		if !r.keeps("metadata.ownerReferences") {
			o.SetOwnerReferences(nil)
		}
		if !r.keeps("metadata.finalizers") {
			o.SetFinalizers(nil)
		}
	}
	v := reflect.ValueOf(o)
	for _, p := range r.Drop {
		clearPath(v, strings.Split(p, "."))
	}
	for _, p := range r.KeysOnly {
		clearValues(v, strings.Split(p, "."))
	}
}

// clearValues empties every value of the map at a JSON path, keeping its
// keys: a ConfigMap's key names stay, its contents go.
func clearValues(v reflect.Value, path []string) {
	for _, name := range path {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return
		}
		f, ok := jsonField(v, name)
		if !ok {
			return
		}
		v = f
	}
	if v.Kind() != reflect.Map || v.IsNil() {
		return
	}
	zero := reflect.Zero(v.Type().Elem())
	for _, k := range v.MapKeys() {
		v.SetMapIndex(k, zero)
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

// keeps tells whether Keep lists path or a field above it.
func (r Row) keeps(path string) bool {
	for _, k := range r.Keep {
		if k == path || strings.HasPrefix(path, k+".") {
			return true
		}
	}
	return false
}
