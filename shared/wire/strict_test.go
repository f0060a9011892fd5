package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// sentinel returns the one sentinel error err wraps, nil for nil.
func sentinel(err error) error {
	for _, s := range []error{ErrMalformed, ErrOversize, ErrVersion, ErrType, ErrDeviceMismatch, ErrTopic} {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}

// matchReference reports how Decode and the reference decoder differ on
// data: both must refuse it with the same sentinel error, or both accept
// it and produce the same envelope and body.
func matchReference(data []byte) string {
	got, gerr := Decode(exampleDev, data)
	want, werr := refDecode(exampleDev, data)
	switch {
	case sentinel(gerr) != sentinel(werr):
		return "Decode error " + errString(gerr) + ", reference " + errString(werr)
	case gerr != nil:
		return ""
	case !bytes.Equal(got.Body, want.Body):
		return "body " + string(got.Body) + ", reference " + string(want.Body)
	case !reflect.DeepEqual(got.decoded, want.decoded):
		g, _ := json.Marshal(got.decoded)
		w, _ := json.Marshal(want.decoded)
		return "decoded body " + string(g) + ", reference " + string(w)
	}
	got.decoded, got.decodedFrom, got.Body = nil, nil, nil
	want.decoded, want.decodedFrom, want.Body = nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		return "envelope " + string(g) + ", reference " + string(w)
	}
	return ""
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// trickyMessages are messages at the edges of what encoding/json accepts,
// built on the op.activation example (compact: ACT below).
func trickyMessages(t testing.TB) [][]byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, examples(t)[OpActivation]); err != nil {
		t.Fatal(err)
	}
	act := buf.String()
	body := act[strings.Index(act, `"body":`)+len(`"body":`) : len(act)-1]
	head := act[:strings.Index(act, `,"body":`)]
	rep := func(old, new string) string {
		if !strings.Contains(act, old) {
			t.Fatalf("%q not in the example", old)
		}
		return strings.Replace(act, old, new, 1)
	}
	msgs := []string{
		act, "", " ", "null", " null ", "nul", "nullx", "true", "1", `"x"`, "[]", "{}", "[1]", `{"v":1}`,
		act + " ", "\n" + act + "\t", act + "x", act + "{}", act + "}", act[:len(act)-1], act[:len(act)/2],
		"\ufeff" + act,
		// keys
		rep(`"dev":`, `"DEV":"kiosk-evil","dev":`), rep(`"dev":`, `"Dev":`), rep(`"dev":`, `"d\u0065v":`),
		rep(`"seq":`, `"seq":1,"seq":`), rep(`"cf":`, `"cf":"RSSMRA80A01H501U","cf":`), rep(`"v":1,`, `"v":1,"":1,`),
		rep(`"v":1,`, `"v":1,"prio":1,`), rep(`"counter":`, `"pin":"12345678","counter":`),
		rep(`"counter":`, `"x":1,"x":2,"counter":`), rep(`"counter":`, `"x":1,"counter":1,"counter":`),
		rep(`"counter":`, wideObject(120)+`"counter":`), rep(`"counter":`, wideObject(121)+`"counter":`),
		rep(`"requester":{`, `"requester":{`+wideObject(127)), rep(`"requester":{`, `"requester":{`+wideObject(128)),
		rep(`"role":"holder"`, `"role":"holder","x":{"A":1}`),
		rep(`"body":{`, `"body":{"x":`+strings.Repeat("[", 14)+strings.Repeat("]", 14)+`,`),
		rep(`"body":{`, `"body":{"x":`+strings.Repeat("[", 15)+strings.Repeat("]", 15)+`,`),
		rep(`"body":{`, `"body":{"x":`+strings.Repeat(`{"a":`, 15)+"1"+strings.Repeat("}", 15)+`,`),
		// order: the body before the type, or with no type
		"{" + `"body":` + body + "," + head[1:] + "}",
		"{" + `"body":` + strings.Replace(body, `"counter"`, `"x":1,"counter"`, 1) + "," + head[1:] + "}",
		"{" + `"body":` + strings.Replace(body, `"amount_cents":420`, `"amount_cents":"420"`, 1) + "," + head[1:] + "}",
		strings.Replace(act, `"type":"op.activation",`, "", 1),
		// envelope values
		rep(`"v":1`, `"v":1.0`), rep(`"v":1`, `"v":1e0`), rep(`"v":1`, `"v":-0`), rep(`"v":1`, `"v":01`),
		rep(`"v":1`, `"v":"1"`), rep(`"v":1`, `"v":null`), rep(`"v":1`, `"v":true`), rep(`"v":1`, `"v":2`),
		rep(`"v":1`, `"v":99999999999999999999`), rep(`"v":1`, `"v":-`), rep(`"v":1`, `"v":1.`), rep(`"v":1`, `"v":1e`),
		rep(`"seq":41`, `"seq":-1`), rep(`"seq":41`, `"seq":18446744073709551615`), rep(`"seq":41`, `"seq":18446744073709551616`),
		rep(`"seq":41`, `"seq":4.1e1`), rep(`"seq":41`, `"seq":null`), rep(`"seq":41`, `"seq":[41]`),
		rep(`"type":"op.activation"`, `"type":"op.activ\u0061tion"`), rep(`"type":"op.activation"`, `"type":"op.teleport"`),
		rep(`"type":"op.activation"`, `"type":null`), rep(`"type":"op.activation"`, `"type":1`),
		rep(`"at":"2026-01-19T09:14:03.512Z"`, `"at":null`), rep(`"at":"2026-01-19T09:14:03.512Z"`, `"at":"2026-01-19T10:14:03.512+01:00"`),
		rep(`"at":"2026-01-19T09:14:03.512Z"`, `"at":"2026-01-19 09:14:03Z"`), rep(`"at":"2026-01-19T09:14:03.512Z"`, `"at":{}`),
		rep(`"at":"2026-01-19T09:14:03.512Z"`, `"at":"2026-01-19T09:14:03.512\u005a"`),
		rep(`"id":"01KFARJJERV16Y4GCA0SK0AKAY"`, `"id":"01kfarjjerv16y4gca0sk0akay"`), rep(`"id":"01KFARJJERV16Y4GCA0SK0AKAY"`, `"id":null`),
		rep(`"dev":"kiosk-fi-careggi-01"`, `"dev":"kiosk-fi-careggi-02"`), rep(`"dev":"kiosk-fi-careggi-01"`, `"dev":"kiosk-fi-careggi-\u0030\u0031"`),
		head + `,"body":null}`, head + `,"body":[]}`, head + `,"body":"{}"}`, head + `,"body":1}`, head + `,"body":{}}`, head + `}`,
		head + `,"body":{"x":` + "\x01" + `}}`,
		// with version 2 or an unknown type, a broken body is not looked at; broken JSON always is
		strings.Replace(rep(`"v":1`, `"v":2`), `"counter"`, `"x":1,"counter"`, 1),
		strings.Replace(rep(`"type":"op.activation"`, `"type":"op.x"`), `"counter"`, `"x":1,"counter"`, 1),
		strings.Replace(rep(`"v":1`, `"v":2`), `"counter":`, `"counter"`, 1),
		strings.Replace(rep(`"v":1`, `"v":2`), `"counter":`, `"Counter":`, 1),
		// body values
		rep(`"amount_cents":420`, `"amount_cents":420.0`), rep(`"amount_cents":420`, `"amount_cents":4.2e2`),
		rep(`"amount_cents":420`, `"amount_cents":-420`), rep(`"amount_cents":420`, `"amount_cents":null`),
		rep(`"amount_cents":420`, `"amount_cents":9223372036854775808`), rep(`"amount_cents":420`, `"amount_cents":"420"`),
		rep(`"reader":{"method":"coin","amount_cents":420}`, `"reader":null`), rep(`"fse":{`, `"fse":null,"x":{`),
		rep(`"given":["alimentazione","pregressi","consultazione"]`, `"given":[]`),
		rep(`"given":["alimentazione","pregressi","consultazione"]`, `"given":null`),
		rep(`"given":["alimentazione","pregressi","consultazione"]`, `"given":[null,"a",null]`),
		rep(`"given":["alimentazione","pregressi","consultazione"]`, `"given":["a","b","c","d","e","f","g","h","i"]`),
		rep(`"given":["alimentazione","pregressi","consultazione"]`, `"given":"a"`),
		rep(`"given":["alimentazione","pregressi","consultazione"]`, `"given":[1]`),
		rep(`"given":["alimentazione","pregressi","consultazione"]`, `"given":[["a"]]`),
		rep(`"given":["alimentazione","pregressi","consultazione"]`, `"given":["a",]`),
		rep(`"card":{`, `"card":null,"x":{`), rep(`"card":{`, `"x":[],"card":{`),
		rep(`"requester":{"role":"holder"}`, `"requester":[]`), rep(`"requester":{"role":"holder"}`, `"requester":{"role":null}`),
		rep(`"requester":{"role":"holder"}`, `"requester":{"role":"holder","person":null}`),
		rep(`"requester":{"role":"holder"}`, `"requester":{"role":"tutor","person":{"surname":"Verdi","name":"Giuseppe","cf":"VRDGPP90H15F205X"}}`),
		rep(`"requester":{"role":"holder"}`, `"requester":{"role":"holder","person":{}}`),
		rep(`"counter":"careggi-cup-03"`, `"counter":1`), rep(`"counter":"careggi-cup-03"`, `"counter":true`),
		rep(`"counter":"careggi-cup-03"`, `"counter":null`), rep(`"counter":"careggi-cup-03"`, `"counter":{}`),
		rep(`"counter":"careggi-cup-03"`, `"declaration":true,"counter":"careggi-cup-03"`),
		rep(`"counter":"careggi-cup-03"`, `"declaration":"true","counter":"careggi-cup-03"`),
		rep(`"counter":"careggi-cup-03"`, `"declaration":1,"counter":"careggi-cup-03"`),
		rep(`"counter":"careggi-cup-03"`, `"declaration":tru,"counter":"careggi-cup-03"`),
		rep(`"counter":"careggi-cup-03"`, `"declaration":null,"counter":"careggi-cup-03"`),
		// strings
		rep(`"Comune di Firenze"`, `"Comune di Firenze \u0026 Fiesole \u003c\u003e \/ \" \\ \b\f\n\r\t"`),
		rep(`"Comune di Firenze"`, `"Comune di Forlì, Città"`), rep(`"Comune di Firenze"`, "\"Comune \xff\xfe di\xc3\"\""),
		rep(`"Comune di Firenze"`, `"\ud83d\ude00 \ud800 \udc00 \ud800\u0041 \ud800\ud800"`),
		rep(`"Comune di Firenze"`, `"\u00e8\u00E8"`), rep(`"Comune di Firenze"`, `"\u00g8"`), rep(`"Comune di Firenze"`, `"\x"`),
		rep(`"Comune di Firenze"`, "\"a\x1fb\""), rep(`"Comune di Firenze"`, "\"a\x7fb\""), rep(`"Comune di Firenze"`, `"\u"`),
		rep(`"Comune di Firenze"`, `"`),
		// dates
		rep(`"2029-03-31"`, `"2029-02-30"`), rep(`"2029-03-31"`, `""`), rep(`"2029-03-31"`, `null`), rep(`"2029-03-31"`, `20290331`),
		rep(`"2029-03-31"`, `"2029\u002d03-31"`), rep(`"2029-03-31"`, `"31/03/2029"`), rep(`"2029-03-31"`, `{}`),
		rep(`"2029-03-31"`, `"2029-03-31 "`), rep(`"2029-03-31"`, `"+2029-03-31"`), rep(`"2029-03-31"`, "\"2029-03-31\xff\""),
		// white space everywhere
		strings.NewReplacer(",", " ,\n", ":", "\t:\r", "{", "{ ", "}", " }", "[", "[ ", "]", " ]").Replace(act),
	}
	out := make([][]byte, 0, len(msgs)+len(Types()))
	for _, m := range msgs {
		out = append(out, []byte(m))
	}
	for _, typ := range Types() {
		out = append(out, examples(t)[typ])
	}
	return out
}

// TestDecodeMatchesReference holds Decode to the decoder it replaced on
// every example and on messages at the edges of what encoding/json
// accepts; FuzzDecodeMatchesReference goes on from there.
func TestDecodeMatchesReference(t *testing.T) {
	for i, data := range trickyMessages(t) {
		if diff := matchReference(data); diff != "" {
			t.Errorf("message %d %q: %s", i, data, diff)
		}
	}
}

func FuzzDecodeMatchesReference(f *testing.F) {
	for _, data := range trickyMessages(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if diff := matchReference(data); diff != "" {
			t.Fatalf("%q: %s", data, diff)
		}
	})
}

// TestDecodeOrder: the body, decoded in the same pass when its type came
// before it, is the same when the type comes after it.
func TestDecodeOrder(t *testing.T) {
	for _, typ := range Types() {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(examples(t)[typ], &m); err != nil {
			t.Fatal(err)
		}
		keys := []string{"body", "v", "id", "dev", "seq", "type", "at"}
		var b bytes.Buffer
		b.WriteByte('{')
		for _, k := range keys {
			if v, ok := m[k]; ok {
				if b.Len() > 1 {
					b.WriteByte(',')
				}
				b.WriteString(`"` + k + `":`)
				b.Write(v)
			}
		}
		b.WriteByte('}')
		late, err := Decode(exampleDev, b.Bytes())
		if err != nil {
			t.Fatalf("%s, body first: %v", typ, err)
		}
		early, err := Decode(exampleDev, examples(t)[typ])
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(late.decoded, early.decoded) {
			t.Errorf("%s: body first decoded %+v, last %+v", typ, late.decoded, early.decoded)
		}
	}
}

// TestPlansCoverEveryType: every message type is decoded by the single
// pass, and its plan knows exactly the fields encoding/json knows.
func TestPlansCoverEveryType(t *testing.T) {
	for _, typ := range Types() {
		p := plans[typ]
		if p == nil {
			_, err := planOf(reflect.TypeOf(registry[typ]()).Elem(), map[reflect.Type]*plan{})
			t.Errorf("%s: no plan: %v", typ, err)
			continue
		}
		checkPlanFields(t, string(typ), p)
	}
	checkPlanFields(t, "envelope", envelopePlan)
}

// checkPlanFields compares the fields of every struct plan under p with the
// keys encoding/json writes for a value with every field set.
func checkPlanFields(t *testing.T, where string, p *plan) {
	t.Helper()
	switch p.kind {
	case planPointer, planSlice:
		checkPlanFields(t, where, p.elem)
		return
	case planStruct:
	default:
		return
	}
	v := reflect.New(p.typ).Elem()
	fill(v)
	b, err := json.Marshal(v.Interface())
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	var want, got []string
	for k := range m {
		want = append(want, k)
	}
	for _, f := range p.fields {
		got = append(got, f.name)
		checkPlanFields(t, where+"."+f.name, f.plan)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s: plan fields %v, encoding/json %v", where, got, want)
	}
}

// fill sets every exported field under v to a non-zero value.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Unix(1, 0)))
			return
		}
		if v.Type() == reflect.TypeFor[Date]() {
			v.Set(reflect.ValueOf(NewDate(2029, 3, 31)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			v.SetBytes([]byte(`{}`))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint64:
		v.SetUint(1)
	case reflect.Bool:
		v.SetBool(true)
	}
}

// TestPlanRefuses: a type the single pass cannot fill as encoding/json
// would has no plan (its bodies go to encoding/json).
func TestPlanRefuses(t *testing.T) {
	type upper struct {
		Name string
	}
	type stringOpt struct {
		N int `json:"n,string"`
	}
	type twice struct {
		Common
		Counter string `json:"counter"`
	}
	type embeddedPtr struct {
		*Common
	}
	for _, v := range []any{upper{}, stringOpt{}, twice{}, embeddedPtr{}, map[string]int{}, []byte{}, 1.5, new(any)} {
		if _, err := planOf(reflect.TypeOf(v), map[reflect.Type]*plan{}); err == nil {
			t.Errorf("%T has a plan", v)
		}
	}
}

// refDateUnmarshal is Date.UnmarshalJSON as it was, before quickDate.
func refDateUnmarshal(b []byte) (Date, error) {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return Date{}, err
	}
	if s == "" {
		return Date{}, nil
	}
	return ParseDate(s)
}

func FuzzDateMatchesReference(f *testing.F) {
	for _, s := range []string{`"2029-03-31"`, `"2029-02-29"`, `"2028-02-29"`, `"2029-02-30"`, `"0000-01-01"`, `"9999-12-31"`,
		`"2029-13-01"`, `"2029-00-10"`, `"2029-04-31"`, `"2029-04-00"`, `"2029-4-1"`, `"2029\u002d03-31"`, `""`, `null`,
		`"31/03/2029"`, `20290331`, `"2029-03-31`, `"+029-03-31"`, `"-029-03-31"`, `"2029-03-3x"`, "\"2029-03-31\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got Date
		gerr := got.UnmarshalJSON(b)
		want, werr := refDateUnmarshal(b)
		if (gerr == nil) != (werr == nil) || gerr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("UnmarshalJSON(%q) = %v, %v; reference %v, %v", b, got, gerr, want, werr)
		}
	})
}

// wideObject returns n members "k0":0,"k1":1,... each followed by a comma.
func wideObject(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `"k%d":%d,`, i, i)
	}
	return b.String()
}
