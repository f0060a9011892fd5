package wire

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// edit returns the example of typ with change applied to its decoded JSON.
func edit(t *testing.T, typ Type, change func(env, body map[string]any)) []byte {
	t.Helper()
	var env map[string]any
	if err := json.Unmarshal(examples(t)[typ], &env); err != nil {
		t.Fatal(err)
	}
	body, _ := env["body"].(map[string]any)
	change(env, body)
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeEnvelopeErrors(t *testing.T) {
	act := examples(t)[OpActivation]
	tests := []struct {
		name string
		dev  string
		data []byte
		want error
	}{
		{"oversize", exampleDev, append(act, make([]byte, MaxMessageSize)...), ErrOversize},
		{"empty", exampleDev, nil, ErrMalformed},
		{"not JSON", exampleDev, []byte("v=1"), ErrMalformed},
		{"array", exampleDev, []byte("[1]"), ErrMalformed},
		{"trailing data", exampleDev, append(append([]byte{}, act...), []byte(` {}`)...), ErrMalformed},
		{"trailing garbage", exampleDev, append(append([]byte{}, act...), 'x'), ErrMalformed},
		{"wrong version", exampleDev, edit(t, OpActivation, func(e, _ map[string]any) { e["v"] = 2 }), ErrVersion},
		{"no version", exampleDev, edit(t, OpActivation, func(e, _ map[string]any) { delete(e, "v") }), ErrVersion},
		{"unknown type", exampleDev, edit(t, OpActivation, func(e, _ map[string]any) { e["type"] = "op.teleport" }), ErrType},
		{"unknown field", exampleDev, edit(t, OpActivation, func(e, _ map[string]any) { e["prio"] = 1 }), ErrMalformed},
		{"unknown body field", exampleDev, edit(t, OpActivation, func(_, b map[string]any) { b["pin"] = "12345678" }), ErrMalformed},
		{"bad ULID", exampleDev, edit(t, OpActivation, func(e, _ map[string]any) { e["id"] = "not-a-ulid" }), ErrMalformed},
		{"ULID overflow", exampleDev, edit(t, OpActivation, func(e, _ map[string]any) { e["id"] = "81KFARJJERV16Y4GCA0SK0AKAY" }), ErrMalformed},
		{"device mismatch", "kiosk-fi-careggi-02", act, ErrDeviceMismatch},
		{"bad device id", "", edit(t, OpActivation, func(e, _ map[string]any) { e["dev"] = "kiosk/+" }), ErrMalformed},
		{"upper case device id", "", edit(t, OpActivation, func(e, _ map[string]any) { e["dev"] = "Kiosk-01" }), ErrMalformed},
		{"missing at", exampleDev, edit(t, OpActivation, func(e, _ map[string]any) { delete(e, "at") }), ErrMalformed},
		{"bad at", exampleDev, edit(t, OpActivation, func(e, _ map[string]any) { e["at"] = "yesterday" }), ErrMalformed},
		{"missing seq on ops", exampleDev, edit(t, OpActivation, func(e, _ map[string]any) { delete(e, "seq") }), ErrMalformed},
		{"negative seq", exampleDev, edit(t, OpActivation, func(e, _ map[string]any) { e["seq"] = -1 }), ErrMalformed},
		{"body array", exampleDev, edit(t, OpActivation, func(e, _ map[string]any) { e["body"] = []int{1} }), ErrMalformed},
		{"body string", exampleDev, edit(t, OpActivation, func(e, _ map[string]any) { e["body"] = "{}" }), ErrMalformed},
		{"body null", exampleDev, edit(t, OpActivation, func(e, _ map[string]any) { e["body"] = nil }), ErrMalformed},
		{"body missing", exampleDev, edit(t, OpActivation, func(e, _ map[string]any) { delete(e, "body") }), ErrMalformed},
		{"body wrong field type", exampleDev, edit(t, OpActivation, func(_, b map[string]any) { b["card"] = "RSS" }), ErrMalformed},
	}
	for _, tt := range tests {
		_, err := Decode(tt.dev, tt.data)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: Decode = %v, want %v", tt.name, err, tt.want)
		}
		if n := sentinels(err); n != 1 {
			t.Errorf("%s: %v wraps %d sentinel errors, want 1", tt.name, err, n)
		}
	}
}

// sentinels counts the sentinel errors of this package that err wraps.
func sentinels(err error) int {
	n := 0
	for _, s := range []error{ErrMalformed, ErrOversize, ErrVersion, ErrType, ErrDeviceMismatch, ErrTopic} {
		if errors.Is(err, s) {
			n++
		}
	}
	return n
}

func TestDecodeWithoutTopicDevice(t *testing.T) {
	e, err := Decode("", examples(t)[OpActivation])
	if err != nil || e.Dev != exampleDev {
		t.Errorf("Decode(\"\", ...) = %q, %v; want device %s accepted", e.Dev, err, exampleDev)
	}
}

func TestDecodeSeqOnlyRequiredForOps(t *testing.T) {
	for _, typ := range Types() {
		data := edit(t, typ, func(e, _ map[string]any) { delete(e, "seq") })
		_, err := Decode(exampleDev, data)
		if got, want := err != nil, typ.IsOp(); got != want {
			t.Errorf("%s without seq: Decode = %v, want error %v", typ, err, want)
		}
	}
}

// TestDecodeBodyValidation checks that each body's Validate runs: every
// case breaks one rule of one type and must be ErrMalformed naming the field.
func TestDecodeBodyValidation(t *testing.T) {
	long := strings.Repeat("x", MaxText+1)
	tests := []struct {
		typ    Type
		change func(b map[string]any)
		want   string // in the error
	}{
		{OpActivation, func(b map[string]any) { delete(b, "operator") }, "operator.cf"},
		{OpActivation, func(b map[string]any) { b["operator"].(map[string]any)["cf"] = strings.Repeat("A", 17) }, "operator.cf"},
		{OpActivation, func(b map[string]any) { b["counter"] = strings.Repeat("c", 65) }, "counter"},
		{OpActivation, func(b map[string]any) { delete(b["card"].(map[string]any), "cf") }, "card.cf"},
		{OpActivation, func(b map[string]any) { delete(b["card"].(map[string]any), "team") }, "card.team"},
		{OpActivation, func(b map[string]any) { delete(b["card"].(map[string]any), "expiry") }, "card.expiry"},
		{OpActivation, func(b map[string]any) { b["card"].(map[string]any)["expiry"] = "31/03/2029" }, "YYYY-MM-DD"},
		{OpActivation, func(b map[string]any) { b["requester"] = map[string]any{"role": "cousin"} }, "requester.role"},
		{OpActivation, func(b map[string]any) { b["requester"] = map[string]any{"role": "delegate"} }, "requester.person"},
		{OpActivation, func(b map[string]any) {
			b["requester"] = map[string]any{"role": "tutor", "person": map[string]any{"surname": "Verdi", "cf": "VRDGPP90H15F205X"}}
		}, "person.name"},
		{OpActivation, func(b map[string]any) { delete(b["document"].(map[string]any), "kind") }, "document.kind"},
		{OpActivation, func(b map[string]any) { delete(b["document"].(map[string]any), "number") }, "document.number"},
		{OpActivation, func(b map[string]any) { b["delivery"].(map[string]any)["channel"] = "pigeon" }, "delivery.channel"},
		{OpActivation, func(b map[string]any) { b["delivery"].(map[string]any)["address"] = long }, "delivery.address"},
		{OpActivation, func(b map[string]any) { b["reader"].(map[string]any)["method"] = "bitcoin" }, "payment.method"},
		{OpActivation, func(b map[string]any) { b["reader"].(map[string]any)["amount_cents"] = -420 }, "payment.amount_cents"},
		{OpActivation, func(b map[string]any) { delete(b["fse"].(map[string]any), "policy") }, "consents.policy"},
		{OpActivation, func(b map[string]any) { b["fse"].(map[string]any)["given"] = make([]string, 17) }, "too many consents"},
		{OpFSEConsent, func(b map[string]any) { delete(b, "consents") }, "consents.policy"},
		{OpSuspension, func(b map[string]any) { delete(b, "card") }, "card.cf"},
		{OpReactivation, func(b map[string]any) { delete(b, "operator") }, "operator.cf"},
		{OpReissue, func(b map[string]any) { b["reason"] = "boredom" }, "reason"},
		{OpReissue, func(b map[string]any) { b["notify"].(map[string]any)["channel"] = "fax" }, "delivery.channel"},
		{OpPinReprint, func(b map[string]any) { delete(b, "delivery") }, "delivery.channel"},
		{OpRevocation, func(b map[string]any) { delete(b, "team") }, "team"},
		{OpReaderRequest, func(b map[string]any) { b["payment"].(map[string]any)["amount_cents"] = 100001 }, "payment.amount_cents"},
		{OpRegistryDataWrong, func(b map[string]any) { b["fields"] = make([]string, 17) }, "too many fields"},
		{OpRegistryDataWrong, func(b map[string]any) { b["note"] = long }, "note"},
		{OpAbandoned, func(b map[string]any) { b["procedure"] = "state" }, "procedure"},
		{OpAbandoned, func(b map[string]any) { delete(b["card"].(map[string]any), "team") }, "card.team"},
		{TypeAck, func(b map[string]any) { b["status"] = "lost" }, "status"},
		{TypeAck, func(b map[string]any) { delete(b, "op_id") }, "op_id"},
		{TypeAck, func(b map[string]any) { delete(b, "outcome") }, "outcome"},
		{TypeRPCReq, func(b map[string]any) { b["method"] = "sudo" }, "method"},
		{TypeRPCReq, func(b map[string]any) { delete(b, "deadline") }, "deadline"},
		{TypeRPCReq, func(b map[string]any) { b["params"] = []int{} }, "params"},
		{TypeRPCRes, func(b map[string]any) { delete(b, "req_id") }, "req_id"},
		{TypeRPCRes, func(b map[string]any) { delete(b, "outcome") }, "outcome"},
		{TypeState, func(b map[string]any) { b["firmware"] = strings.Repeat("1", 65) }, "firmware"},
		{TypeState, func(b map[string]any) { b["rejected_reason"] = strings.Repeat("x", MaxRejectedReason+1) }, "rejected_reason"},
		{TypeState, func(b map[string]any) { delete(b, "rejected_version") }, "rejected_version"},
		{TypeState, func(b map[string]any) { delete(b, "rejected_reason") }, "rejected_reason"},
		{TypeState, func(b map[string]any) { b["rejected_reason"] = "" }, "rejected_reason"},
		{TypeState, func(b map[string]any) { b["rejected_version"] = -1 }, "rejected_version"},
		{TypeState, func(b map[string]any) { b["rejected_version"] = "13" }, "rejected_version"},
		{TypeState, func(b map[string]any) { b["rejected_cause"] = "x" }, "rejected_cause"},
		{TypeConfig, func(b map[string]any) { b["reader_price_cents"] = -1 }, "negative"},
		{TypeCmd, func(b map[string]any) { delete(b, "expires") }, "expires"},
		{TypeCmd, func(b map[string]any) { b["name"] = "" }, "name"},
		{TypeCmdResult, func(b map[string]any) { delete(b, "status") }, "status"},
		{TypeCmdResult, func(b map[string]any) { b["status"] = "" }, "status"},
		{TypeCmdResult, func(b map[string]any) { b["status"] = "sent" }, `status "sent" unknown`},
		{TypeCmdResult, func(b map[string]any) { b["status"] = "DONE" }, `status "DONE" unknown`},
		{TypeCmdResult, func(b map[string]any) { b["status"] = "ok" }, `status "ok" unknown`},
		{TypeCmdResult, func(b map[string]any) { b["status"] = 1 }, "status"},
		{TypeCmdResult, func(b map[string]any) { b["detail"] = long }, "detail"},
	}
	for i, tt := range tests {
		data := edit(t, tt.typ, func(_, b map[string]any) { tt.change(b) })
		_, err := Decode(exampleDev, data)
		if !errors.Is(err, ErrMalformed) || err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%d %s: Decode = %v; want ErrMalformed mentioning %q", i, tt.typ, err, tt.want)
		}
	}
}

func TestNew(t *testing.T) {
	ex := examples(t)
	body := bodyOf[Activation](t, ex[OpActivation])
	at := mustTime(t, "2026-01-19T09:14:03.512345Z")
	e, err := New(exampleDev, 7, OpActivation, at, body)
	if err != nil {
		t.Fatal(err)
	}
	if e.V != Version || e.Seq != 7 || !e.At.Equal(mustTime(t, "2026-01-19T09:14:03.512Z")) || len(e.ID) != 26 {
		t.Errorf("New = %+v", e)
	}
	data, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(exampleDev, data); err != nil {
		t.Errorf("Decode(New(...).Encode()) = %v", err)
	}
	if _, err := New(exampleDev, 0, OpActivation, at, body); !errors.Is(err, ErrMalformed) {
		t.Errorf("New without seq = %v, want ErrMalformed", err)
	}
	if _, err := New(exampleDev, 1, OpActivation, at, Activation{}); !errors.Is(err, ErrMalformed) {
		t.Errorf("New with empty body = %v, want ErrMalformed", err)
	}
	if _, err := New(exampleDev, 1, OpActivation, at, make(chan int)); err == nil {
		t.Error("New with an unencodable body = nil error")
	}
}

func TestEncodeOversize(t *testing.T) {
	e := Envelope{V: Version, Body: json.RawMessage(`"` + strings.Repeat("x", MaxMessageSize) + `"`)}
	if _, err := e.Encode(); !errors.Is(err, ErrOversize) {
		t.Errorf("Encode = %v, want ErrOversize", err)
	}
}

// TestCommandResultStatuses: every status a device may report decodes.
func TestCommandResultStatuses(t *testing.T) {
	for _, st := range []string{CmdDone, CmdFailed, CmdExpired, CmdUnknown} {
		data := edit(t, TypeCmdResult, func(_, b map[string]any) { b["status"] = st })
		e, err := Decode(exampleDev, data)
		if err != nil {
			t.Errorf("status %q: %v", st, err)
			continue
		}
		r, err := DecodeValid[CommandResult](e)
		if err != nil || r.Status != st {
			t.Errorf("status %q: got %+v, %v", st, r, err)
		}
	}
}
