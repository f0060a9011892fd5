package wire

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// A plan says how the strict decoder fills a value of one Go type: the
// subset of encoding/json's rules that the contract's types use (structs
// with lower-case json names and embedded structs, pointers, slices,
// strings, integers, booleans, and types with their own UnmarshalJSON).
// A type that needs anything else has no plan, and its bodies are decoded
// by encoding/json instead (TestPlansCoverEveryType keeps every type of the
// contract on the fast path).
type plan struct {
	kind   planKind
	typ    reflect.Type
	elem   *plan    // pointer and slice
	fields []*field // struct: in the order encoding/json writes them, embedded structs' included
}

// maxFields bounds the fields of a struct plan: the decoder keeps the
// fields seen in one object in a 64-bit set.
const maxFields = 64

type planKind uint8

const (
	planString planKind = iota
	planInt
	planUint
	planBool
	planStruct
	planPointer
	planSlice
	planUnmarshaler // json.Unmarshaler: gets the raw JSON of the value
)

// field is a struct field the decoder may fill: its json name, its index
// path (through embedded structs) and the plan of its type.
type field struct {
	name  string
	index []int
	plan  *plan
}

// lookup returns the position in p.fields of the field named k, -1 if
// there is none. Keys mostly come in the order encoding/json writes the
// fields, so the one after the last found (next) is tried first.
func (p *plan) lookup(k []byte, next int) int {
	if next < len(p.fields) && p.fields[next].name == string(k) {
		return next
	}
	for i, f := range p.fields {
		if f.name == string(k) {
			return i
		}
	}
	return -1
}

// field returns the field named name, nil if there is none.
func (p *plan) field(name string) *field {
	if i := p.lookup([]byte(name), 0); i >= 0 {
		return p.fields[i]
	}
	return nil
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// plans holds the plan of every registered body type that has one, built
// once at start-up; nothing writes to it afterwards.
var plans = func() map[Type]*plan {
	out := map[Type]*plan{}
	seen := map[reflect.Type]*plan{}
	for t, newBody := range registry {
		if p, err := planOf(reflect.TypeOf(newBody()).Elem(), seen); err == nil {
			out[t] = p
		}
	}
	return out
}()

// planOf builds the plan of t, or says why the strict decoder cannot fill
// a t exactly as encoding/json would.
func planOf(t reflect.Type, seen map[reflect.Type]*plan) (*plan, error) {
	if p, ok := seen[t]; ok {
		return p, nil
	}
	p := &plan{typ: t}
	seen[t] = p // before the fields: a type may contain itself
	var err error
	switch {
	case reflect.PointerTo(t).Implements(unmarshalerType):
		p.kind = planUnmarshaler
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		err = fmt.Errorf("%s: encoding.TextUnmarshaler", t)
	default:
		switch t.Kind() {
		case reflect.String:
			p.kind = planString
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			p.kind = planInt
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			p.kind = planUint
		case reflect.Bool:
			p.kind = planBool
		case reflect.Pointer:
			p.kind = planPointer
			p.elem, err = planOf(t.Elem(), seen)
		case reflect.Slice:
			if t.Elem().Kind() == reflect.Uint8 {
				err = fmt.Errorf("%s: base64 byte slice", t) // encoding/json decodes it from a string
				break
			}
			p.kind = planSlice
			p.elem, err = planOf(t.Elem(), seen)
		case reflect.Struct:
			p.kind = planStruct
			if err = addFields(p, t, nil, seen); err == nil && len(p.fields) > maxFields {
				err = fmt.Errorf("%s: more than %d fields", t, maxFields)
			}
		default:
			err = fmt.Errorf("%s: kind %s", t, t.Kind())
		}
	}
	if err != nil {
		delete(seen, t)
		return nil, err
	}
	return p, nil
}

// addFields adds the fields of struct t, reached through index, to p.
// Embedded structs without a json name lend their fields, as in
// encoding/json; a name given twice is refused rather than resolved.
func addFields(p *plan, t reflect.Type, index []int, seen map[reflect.Type]*plan) error {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",string,") {
			return fmt.Errorf("%s.%s: ,string option", t, f.Name)
		}
		at := append(index[:len(index):len(index)], i)
		if f.Anonymous && name == "" {
			if f.Type.Kind() != reflect.Struct {
				return fmt.Errorf("%s.%s: embedded %s", t, f.Name, f.Type.Kind())
			}
			if err := addFields(p, f.Type, at, seen); err != nil {
				return err
			}
			continue
		}
		if !f.IsExported() {
			if f.Anonymous {
				return fmt.Errorf("%s.%s: unexported embedded field with a json name", t, f.Name)
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		if !validKey(name) {
			// encoding/json would match it without regard to case.
			return fmt.Errorf("%s.%s: json name %q is not lower-case", t, f.Name, name)
		}
		if p.field(name) != nil {
			return fmt.Errorf("%s: json name %q given twice", t, name)
		}
		fp, err := planOf(f.Type, seen)
		if err != nil {
			return err
		}
		p.fields = append(p.fields, &field{name: name, index: at, plan: fp})
	}
	return nil
}

// validKey reports whether k is spelled as the contract spells keys.
func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
