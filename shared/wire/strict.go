package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// decoder is Decode's single pass over a message: it checks the JSON syntax
// and the key rules (checkKey, maxDepth) while it fills the envelope and,
// when its type is known by then, the body, following their plans. It
// accepts and refuses exactly what encoding/json with
// DisallowUnknownFields, after a separate scan of the keys, did
// (FuzzDecodeMatchesReference), at a fraction of the cost: encoding/json's
// Decoder copied the message and scanned the body four times.
//
// Faults come in two kinds, because Decode reports them at different
// steps. A fault of the message as a whole (syntax, a key rule, an unknown
// or mistyped envelope field) ends the walk. A fault of the body's
// contents (an unknown field, a value of the wrong type) is only recorded
// in soft and the walk goes on, still checking the rest of the message:
// Decode reports it after the envelope's own checks (version, type, id...),
// as it did when the body was decoded on its own.
type decoder struct {
	data  []byte
	i     int    // next byte to read
	depth int    // objects and arrays open at i
	name  []byte // key of the value being decoded, for messages
	soft  error  // first fault of the body's contents
	arena []byte // backs the strings text returns (see text)
}

// The strings of a message share allocations of arenaSize bytes, of which
// a string longer than arenaMax gets none: a message's dozen or so strings
// cost one allocation, not one each, and a string kept after the message
// keeps at most arenaSize bytes with it.
const (
	arenaSize = 512
	arenaMax  = 128
)

// envelope decodes the message into e, and returns the body when its type
// came before it (nil otherwise: Decode decodes it later from e.Body).
func (d *decoder) envelope(e *Envelope) (any, error) {
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == 'n' {
		// encoding/json leaves the envelope as it is: Decode then
		// reports the missing version.
		if err := d.literal("null"); err != nil {
			return nil, err
		}
		return nil, d.end()
	}
	if d.i >= len(d.data) || d.data[d.i] != '{' {
		if err := d.skip(); err != nil {
			return nil, err
		}
		return nil, errors.New("message is not a JSON object")
	}
	if err := d.open(); err != nil {
		return nil, err
	}
	ev := reflect.ValueOf(e).Elem()
	var body any
	var buf [8][]byte
	seen := buf[:0]
	for more := !d.closes('}'); more; {
		k, err := d.key(seen)
		if err != nil {
			return nil, err
		}
		seen = append(seen, k)
		switch string(k) {
		case "body":
			body, err = d.body(e)
		case "type":
			err = d.typ(e)
		default:
			f := envelopePlan.field(string(k))
			if f == nil {
				return nil, fmt.Errorf("unknown envelope field %q", k)
			}
			err = d.strict(f.plan, ev.FieldByIndex(f.index))
		}
		if err != nil {
			return nil, err
		}
		if more, err = d.next('}'); err != nil {
			return nil, err
		}
	}
	return body, d.end()
}

var envelopePlan = func() *plan {
	p, err := planOf(reflect.TypeFor[Envelope](), map[reflect.Type]*plan{})
	if err != nil {
		panic(err) // the Envelope type itself is wrong: no message could be decoded
	}
	return p
}()

// typeNames maps each type's name to its constant, so that a decoded
// envelope shares the constant's string.
var typeNames = func() map[string]Type {
	m := map[string]Type{}
	for _, t := range Types() {
		m[string(t)] = t
	}
	return m
}()

func (d *decoder) typ(e *Envelope) error {
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == '"' {
		start := d.i
		from, to, plain, err := d.str()
		if err != nil {
			return err
		}
		if t, ok := typeNames[string(d.data[from:to])]; ok && plain {
			e.Type = t
			return nil
		}
		d.i = start
	}
	return d.strict(envelopePlan.field("type").plan, reflect.ValueOf(&e.Type).Elem())
}

// strict decodes one envelope field: a fault there is a fault of the message.
func (d *decoder) strict(p *plan, v reflect.Value) error {
	saved := d.soft
	d.soft = nil
	err := d.value(p, v)
	if err == nil {
		err = d.soft
	}
	d.soft = saved
	return err
}

// body copies the body's JSON into e.Body and decodes it if e.Type is
// already known.
func (d *decoder) body(e *Envelope) (any, error) {
	d.ws()
	start := d.i
	var body any
	var err error
	if p := plans[e.Type]; p != nil && start < len(d.data) && d.data[start] == '{' {
		v := reflect.New(p.typ)
		body, err = v.Interface(), d.value(p, v.Elem())
	} else {
		err = d.skip()
	}
	if err != nil {
		return nil, err
	}
	e.Body = append(json.RawMessage(nil), d.data[start:d.i]...)
	return body, nil
}

// decodeBody decodes raw, a body that Decode has already walked (syntax and
// key rules are known good), into a new value of plan p.
func decodeBody(p *plan, raw []byte) (any, error) {
	d := decoder{data: raw}
	v := reflect.New(p.typ)
	if err := d.value(p, v.Elem()); err != nil {
		return nil, err
	}
	return v.Interface(), d.soft
}

// fault records a fault of the body's contents; the first one is reported.
func (d *decoder) fault(format string, args ...any) {
	if d.soft == nil {
		d.soft = fmt.Errorf("field %q: "+format, append([]any{d.name}, args...)...)
	}
}

// value fills v, of plan p, from the JSON value at d.i, as encoding/json
// would: null leaves strings, numbers, booleans and structs as they are and
// sets pointers and slices to nil; an Unmarshaler gets the raw JSON.
func (d *decoder) value(p *plan, v reflect.Value) error {
	d.ws()
	if d.i >= len(d.data) {
		return d.syntax("unexpected end of input")
	}
	c := d.data[d.i]
	if p.kind == planUnmarshaler {
		start := d.i
		if err := d.skip(); err != nil {
			return err
		}
		if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(d.data[start:d.i]); err != nil {
			d.fault("%v", err)
		}
		return nil
	}
	if c == 'n' {
		if err := d.literal("null"); err != nil {
			return err
		}
		if p.kind == planPointer || p.kind == planSlice {
			v.SetZero()
		}
		return nil
	}
	switch p.kind {
	case planPointer:
		if v.IsNil() {
			v.Set(reflect.New(p.elem.typ))
		}
		return d.value(p.elem, v.Elem())
	case planStruct:
		if c == '{' {
			return d.object(p, v)
		}
	case planSlice:
		if c == '[' {
			return d.array(p, v)
		}
	case planString:
		if c == '"' {
			s, err := d.text()
			v.SetString(s)
			return err
		}
	case planBool:
		if c == 't' || c == 'f' {
			word := "false"
			if c == 't' {
				word = "true"
			}
			v.SetBool(c == 't')
			return d.literal(word)
		}
	case planInt:
		if c == '-' || c >= '0' && c <= '9' {
			num, err := d.number()
			if err != nil {
				return err
			}
			n, err := strconv.ParseInt(string(num), 10, 64)
			if err != nil || v.OverflowInt(n) {
				d.fault("number is not an integer of %s", p.typ)
				return nil
			}
			v.SetInt(n)
			return nil
		}
	case planUint:
		if c == '-' || c >= '0' && c <= '9' {
			num, err := d.number()
			if err != nil {
				return err
			}
			n, err := strconv.ParseUint(string(num), 10, 64)
			if err != nil || v.OverflowUint(n) {
				d.fault("number is not an integer of %s", p.typ)
				return nil
			}
			v.SetUint(n)
			return nil
		}
	}
	d.fault("%s where %s expected", jsonKind(c), p.typ)
	return d.skip()
}

func jsonKind(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// object fills struct v from the object at d.i.
func (d *decoder) object(p *plan, v reflect.Value) error {
	if err := d.open(); err != nil {
		return err
	}
	// The key rules, cheaper than checkKey on every key: a field's name is
	// spelled right, and a set of the fields seen finds it repeated.
	var known uint64
	var buf [4][]byte
	unknown := buf[:0] // other keys seen, for checkKey
	next := 0
	for n, more := 0, !d.closes('}'); more; n++ {
		k, err := d.rawKey()
		if err != nil {
			return err
		}
		d.name = k
		if n >= maxObjectKeys {
			return fmt.Errorf("object with more than %d keys", maxObjectKeys)
		}
		if i := p.lookup(k, next); i >= 0 {
			if known&(1<<i) != 0 {
				return fmt.Errorf("key %q repeated", k)
			}
			known |= 1 << i
			next = i + 1
			f := p.fields[i]
			err = d.value(f.plan, v.FieldByIndex(f.index))
		} else {
			if err := checkKey(k, unknown); err != nil {
				return err
			}
			unknown = append(unknown, k)
			d.fault("unknown field")
			err = d.skip()
		}
		if err != nil {
			return err
		}
		if more, err = d.next('}'); err != nil {
			return err
		}
	}
	return nil
}

// array fills slice v from the array at d.i: from index 0, as encoding/json
// does; an empty array gives an empty slice, not nil.
func (d *decoder) array(p *plan, v reflect.Value) error {
	if err := d.open(); err != nil {
		return err
	}
	n := 0
	for more := !d.closes(']'); more; n++ {
		if n >= v.Len() {
			if n >= v.Cap() {
				v.Grow(max(4, 2*n) - v.Len()) // in place: no new slice header, as MakeSlice makes
			}
			v.SetLen(n + 1)
		}
		if err := d.value(p.elem, v.Index(n)); err != nil {
			return err
		}
		var err error
		if more, err = d.next(']'); err != nil {
			return err
		}
	}
	if n == 0 {
		v.Set(reflect.MakeSlice(p.typ, 0, 0))
	} else if n < v.Len() {
		v.SetLen(n)
	}
	return nil
}

// skip walks over the value at d.i, checking its syntax and key rules.
func (d *decoder) skip() error {
	d.ws()
	if d.i >= len(d.data) {
		return d.syntax("unexpected end of input")
	}
	switch c := d.data[d.i]; {
	case c == '{':
		if err := d.open(); err != nil {
			return err
		}
		var buf [16][]byte
		seen := buf[:0]
		for more := !d.closes('}'); more; {
			k, err := d.key(seen)
			if err != nil {
				return err
			}
			seen = append(seen, k)
			if err := d.skip(); err != nil {
				return err
			}
			if more, err = d.next('}'); err != nil {
				return err
			}
		}
		return nil
	case c == '[':
		if err := d.open(); err != nil {
			return err
		}
		for more := !d.closes(']'); more; {
			if err := d.skip(); err != nil {
				return err
			}
			var err error
			if more, err = d.next(']'); err != nil {
				return err
			}
		}
		return nil
	case c == '"':
		_, _, _, err := d.str()
		return err
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		_, err := d.number()
		return err
	}
	return d.syntax("value expected")
}

func (d *decoder) syntax(what string) error {
	return fmt.Errorf("invalid JSON at offset %d: %s", d.i, what)
}

func (d *decoder) ws() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// end checks that nothing but white space follows the message's value.
func (d *decoder) end() error {
	d.ws()
	if d.i != len(d.data) {
		return d.syntax("data after the JSON value")
	}
	return nil
}

// open enters the object or array at d.i.
func (d *decoder) open() error {
	if d.depth++; d.depth > maxDepth {
		return fmt.Errorf("nesting deeper than %d", maxDepth)
	}
	d.i++
	return nil
}

// closes reports whether the object or array just opened is empty, and
// leaves it if so.
func (d *decoder) closes(end byte) bool {
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == end {
		d.i++
		d.depth--
		return true
	}
	return false
}

// next reads the comma before another member (true) or the end of the
// object or array (false).
func (d *decoder) next(end byte) (bool, error) {
	d.ws()
	if d.i < len(d.data) {
		switch d.data[d.i] {
		case ',':
			d.i++
			return true, nil
		case end:
			d.i++
			d.depth--
			return false, nil
		}
	}
	return false, d.syntax("',' or '" + string(end) + "' expected")
}

// key reads an object key and the colon after it. The key must keep the
// rules of checkKey given the keys seen before it in the same object.
func (d *decoder) key(seen [][]byte) ([]byte, error) {
	k, err := d.rawKey()
	if err != nil {
		return nil, err
	}
	return k, checkKey(k, seen)
}

// rawKey reads an object key, as written (an escaped key breaks the key
// rules), and the colon after it.
func (d *decoder) rawKey() ([]byte, error) {
	d.ws()
	if d.i >= len(d.data) || d.data[d.i] != '"' {
		return nil, d.syntax("object key expected")
	}
	from, to, _, err := d.str()
	if err != nil {
		return nil, err
	}
	d.ws()
	if d.i >= len(d.data) || d.data[d.i] != ':' {
		return nil, d.syntax("':' expected")
	}
	d.i++
	return d.data[from:to], nil
}

// str reads the string at d.i. It returns the bounds of its contents and
// whether they are the string's value as they stand (no escape, valid
// UTF-8).
func (d *decoder) str() (from, to int, plain bool, err error) {
	from, plain = d.i+1, true
	j := from
	for j < len(d.data) && plainASCII[d.data[j]] {
		j++
	}
	if j < len(d.data) && d.data[j] == '"' { // the common case
		d.i = j + 1
		return from, j, true, nil
	}
	ascii := true
	for ; j < len(d.data); j++ {
		switch c := d.data[j]; {
		case c == '"':
			d.i = j + 1
			if !ascii && plain {
				plain = utf8.Valid(d.data[from:j])
			}
			return from, j, plain, nil
		case c == '\\':
			plain = false
			if j++; j >= len(d.data) {
				break
			}
			switch d.data[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(d.data) || !isHex(d.data[j+1]) || !isHex(d.data[j+2]) || !isHex(d.data[j+3]) || !isHex(d.data[j+4]) {
					d.i = j
					return 0, 0, false, d.syntax("bad \\u escape")
				}
				j += 4
			default:
				d.i = j
				return 0, 0, false, d.syntax("bad escape")
			}
		case c < 0x20:
			d.i = j
			return 0, 0, false, d.syntax("control character in string")
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	d.i = len(d.data)
	return 0, 0, false, d.syntax("unterminated string")
}

// plainASCII holds the bytes that stand for themselves in a JSON string:
// printable ASCII but the quote and the backslash.
var plainASCII = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// text reads the string at d.i as a Go string.
func (d *decoder) text() (string, error) {
	start := d.i
	from, to, plain, err := d.str()
	if err != nil {
		return "", err
	}
	if plain {
		return d.intern(d.data[from:to]), nil
	}
	// Escapes or invalid UTF-8: encoding/json's own unquoting (invalid
	// bytes and lone surrogates become U+FFFD), of a string known good.
	var s string
	err = json.Unmarshal(d.data[start:d.i], &s)
	return s, err
}

// intern returns b as a string, in d.arena if it fits. A string covers
// bytes of the arena that are never written again: the arena only grows
// within its capacity, and a full one is replaced, not reused.
func (d *decoder) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > arenaMax {
		return string(b)
	}
	if cap(d.arena)-len(d.arena) < len(b) {
		d.arena = make([]byte, 0, arenaSize)
	}
	n := len(d.arena)
	d.arena = append(d.arena, b...)
	return unsafe.String(&d.arena[n], len(b))
}

// number reads the number at d.i and returns its text.
func (d *decoder) number() ([]byte, error) {
	start, j := d.i, d.i
	digits := func() bool {
		k := j
		for j < len(d.data) && d.data[j] >= '0' && d.data[j] <= '9' {
			j++
		}
		return j > k
	}
	if j < len(d.data) && d.data[j] == '-' {
		j++
	}
	switch {
	case j < len(d.data) && d.data[j] == '0':
		j++
	case !digits():
		d.i = j
		return nil, d.syntax("digit expected")
	}
	if j < len(d.data) && d.data[j] == '.' {
		if j++; !digits() {
			d.i = j
			return nil, d.syntax("digit expected after '.'")
		}
	}
	if j < len(d.data) && (d.data[j] == 'e' || d.data[j] == 'E') {
		if j++; j < len(d.data) && (d.data[j] == '+' || d.data[j] == '-') {
			j++
		}
		if !digits() {
			d.i = j
			return nil, d.syntax("digit expected in exponent")
		}
	}
	d.i = j
	return d.data[start:j], nil
}

// literal reads true, false or null.
func (d *decoder) literal(word string) error {
	if len(d.data)-d.i < len(word) || string(d.data[d.i:d.i+len(word)]) != word {
		return d.syntax("invalid literal")
	}
	d.i += len(word)
	return nil
}
