package wire

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cnskiosk.dev/shared/cf"
	"cnskiosk.dev/shared/team"
)

// exampleDev is the device of every example message.
const exampleDev = "kiosk-fi-careggi-01"

// examples returns the example message of every type, read from
// testdata/examples/<type>.json.
func examples(t testing.TB) map[Type][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "examples", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[Type][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[Type(strings.TrimSuffix(filepath.Base(f), ".json"))] = b
	}
	return out
}

func TestExamplesCoverEveryType(t *testing.T) {
	ex := examples(t)
	for _, typ := range Types() {
		if _, ok := ex[typ]; !ok {
			t.Errorf("no testdata/examples/%s.json", typ)
		}
	}
	if got, want := len(ex), len(Types()); got != want {
		t.Errorf("%d example files, want %d (one per type)", got, want)
	}
}

func TestExamplesDecode(t *testing.T) {
	for typ, data := range examples(t) {
		e, err := Decode(exampleDev, data)
		if err != nil {
			t.Errorf("%s: Decode: %v", typ, err)
			continue
		}
		if e.Type != typ {
			t.Errorf("%s.json holds type %s", typ, e.Type)
		}
		if got, want := e.Seq != 0, typ.IsOp(); got != want {
			t.Errorf("%s: seq %d", typ, e.Seq)
		}
		again, err := e.Encode()
		if err != nil {
			t.Fatalf("%s: Encode: %v", typ, err)
		}
		e2, err := Decode(exampleDev, again)
		if err != nil || !sameEnvelope(e, e2) {
			t.Errorf("%s: round trip = %+v, %v; want %+v", typ, e2, err, e)
		}
	}
}

func sameEnvelope(a, b Envelope) bool {
	var ab, bb bytes.Buffer
	if json.Compact(&ab, a.Body) != nil || json.Compact(&bb, b.Body) != nil {
		return false
	}
	a.Body, b.Body = nil, nil
	a.decoded, b.decoded, a.decodedFrom, b.decodedFrom = nil, nil, nil, nil // may hold raw JSON of other spacing
	return reflect.DeepEqual(a, b) && ab.String() == bb.String()
}

// TestExamplesNestedPayloads checks the free-form parts of the examples
// (rpc params and results, ack results) against their documented types.
func TestExamplesNestedPayloads(t *testing.T) {
	ex := examples(t)
	req := bodyOf[RPCRequest](t, ex[TypeRPCReq])
	if err := strictUnmarshal(req.Params, new(CardLookupParams)); err != nil {
		t.Errorf("rpc.req params: %v", err)
	}
	res := bodyOf[RPCResponse](t, ex[TypeRPCRes])
	if err := strictUnmarshal(res.Result, new(CardLookupResult)); err != nil {
		t.Errorf("rpc.res result: %v", err)
	}
	ack := bodyOf[Ack](t, ex[TypeAck])
	if err := strictUnmarshal(ack.Result, new(OpResult)); err != nil {
		t.Errorf("ack result: %v", err)
	}
}

func bodyOf[T any](t *testing.T, data []byte) T {
	t.Helper()
	e, err := Decode(exampleDev, data)
	if err != nil {
		t.Fatal(err)
	}
	v, err := DecodeBody[T](e)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestExamplesUseValidCodes keeps the examples realistic: every codice
// fiscale and Codice TEAM in them is valid.
func TestExamplesUseValidCodes(t *testing.T) {
	for typ, data := range examples(t) {
		var walk func(key string, v any)
		walk = func(key string, v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					walk(k, x)
				}
			case []any:
				for _, x := range v {
					walk(key, x)
				}
			case string:
				switch key {
				case "cf":
					if err := cf.Validate(v); err != nil {
						t.Errorf("%s: cf %s: %v", typ, v, err)
					}
				case "team":
					if err := team.Validate(v); err != nil {
						t.Errorf("%s: team %s: %v", typ, v, err)
					}
				}
			}
		}
		var m any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		walk("", m)
	}
}
