package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"cnskiosk.dev/shared/wire"
)

// TestEncodeAckMatchesWire checks that the hand-assembled ack envelope is
// byte for byte what wire.New + Encode produce (apart from the fresh id),
// and that wire.Decode accepts it.
func TestEncodeAckMatchesWire(t *testing.T) {
	at := time.Date(2026, 3, 4, 10, 11, 12, 345678901, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		name string
		ack  wire.Ack
	}{
		{"applied with result", wire.Ack{OpID: wire.NewID(at), OpSeq: 7, Status: wire.StatusApplied, Outcome: "ok", Message: "Operazione eseguita «è» \"quoted\" <b>", Result: json.RawMessage(`{ "team" : "80380001" }`)}},
		{"rejected", wire.Ack{OpID: "01ARZ3NDEKTSV4RRFFQ69G5FAV", Status: wire.StatusRejected, Outcome: "malformed", Message: "x\u2028y\n"}},
		{"retry", wire.Ack{OpID: "op", OpSeq: 1 << 60, Status: wire.StatusRetry, Outcome: "busy"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := encodeAck("kiosk-01.a_b", at, tc.ack)
			if err != nil {
				t.Fatal(err)
			}
			env, err := wire.Decode("kiosk-01.a_b", got)
			if err != nil {
				t.Fatalf("wire.Decode(%s): %v", got, err)
			}
			ref, err := wire.New("kiosk-01.a_b", 0, wire.TypeAck, at, tc.ack)
			if err != nil {
				t.Fatal(err)
			}
			ref.ID = env.ID
			want, err := ref.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("encodeAck:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestEncodeAckRefuses(t *testing.T) {
	at := time.Unix(1, 0)
	ok := wire.Ack{OpID: "op", Status: wire.StatusApplied, Outcome: "ok"}
	for _, tc := range []struct {
		name, dev string
		ack       wire.Ack
		want      error
	}{
		{"bad device", "Kiosk\"1", ok, wire.ErrMalformed},
		{"bad status", "k1", wire.Ack{OpID: "op", Status: "lost", Outcome: "ok"}, wire.ErrMalformed},
		{"oversize", "k1", wire.Ack{OpID: "op", Status: wire.StatusApplied, Outcome: "ok", Result: json.RawMessage(`"` + string(bytes.Repeat([]byte("a"), wire.MaxMessageSize)) + `"`)}, wire.ErrOversize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := encodeAck(tc.dev, at, tc.ack)
			if !errors.Is(err, tc.want) {
				t.Errorf("encodeAck error = %v, want %v", err, tc.want)
			}
		})
	}
}

// BenchmarkAckEncode compares encodeAck with its baseline, wire.New + Encode.
func BenchmarkAckEncode(b *testing.B) {
	at := time.Now()
	ack := wire.Ack{OpID: wire.NewID(at), OpSeq: 7, Status: wire.StatusApplied, Outcome: "ok", Message: "Operazione eseguita", Result: json.RawMessage(`{"team":"80380001","state":"active"}`)}
	b.Run("wire.New+Encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			env, err := wire.New("kiosk-0001", 0, wire.TypeAck, at, ack)
			if err == nil {
				_, err = env.Encode()
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encodeAck", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := encodeAck("kiosk-0001", at, ack); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// refEncodeAck is encodeAck as it was: the body by json.Marshal, copied
// into the envelope.
func refEncodeAck(dev string, at time.Time, ack wire.Ack) ([]byte, error) {
	if err := wire.ValidateDeviceID(dev); err != nil {
		return nil, err
	}
	if err := ack.Validate(); err != nil {
		return nil, fmt.Errorf("%w: ack body: %v", wire.ErrMalformed, err)
	}
	body, err := json.Marshal(ack)
	if err != nil {
		return nil, fmt.Errorf("wire: encode ack body: %w", err)
	}
	at = at.UTC().Truncate(time.Millisecond)
	b := []byte(`{"v":1,"id":"` + wire.NewID(at) + `","dev":"` + dev + `","seq":0,"type":"ack","at":"`)
	b = at.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","body":`...)
	b = append(b, body...)
	b = append(b, '}')
	if len(b) > wire.MaxMessageSize {
		return nil, fmt.Errorf("%w: %d bytes", wire.ErrOversize, len(b))
	}
	return b, nil
}

// FuzzEncodeAckMatchesWire: whatever the text in an ack, encodeAck writes
// the bytes json.Marshal did (apart from the fresh id), and refuses what
// it refused.
func FuzzEncodeAckMatchesWire(f *testing.F) {
	f.Add("01ARZ3NDEKTSV4RRFFQ69G5FAV", uint64(7), "applied", "Operazione eseguita «è» \"quoted\" <b> & \u2028\u2029", `{"team":"80380001"}`)
	f.Add("op", uint64(0), "malformed", "x\u2028y\n\t\r\b\f\x00\x1f\x7f\xff\xfe", ` { "a" : [1, 2, "<&>"] } `)
	f.Add("\xc3", uint64(1<<63), "", "", "")
	f.Add("op", uint64(1), "ok", "", `{"a":`)
	f.Add("op", uint64(1), "ok", "", `"\u2028 \ud800"`)
	f.Fuzz(func(t *testing.T, opID string, seq uint64, outcome, message, result string) {
		at := time.Date(2026, 3, 4, 10, 11, 12, 345678901, time.UTC)
		ack := wire.Ack{OpID: opID, OpSeq: seq, Status: wire.StatusApplied, Outcome: outcome, Message: message}
		if result != "" {
			ack.Result = json.RawMessage(result)
		}
		got, gerr := encodeAck("kiosk-01", at, ack)
		want, werr := refEncodeAck("kiosk-01", at, ack)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("encodeAck error %v, reference %v", gerr, werr)
		}
		if gerr != nil {
			return
		}
		const idAt = len(`{"v":1,"id":"`)
		copy(got[idAt:idAt+26], want[idAt:idAt+26])
		if !bytes.Equal(got, want) {
			t.Fatalf("encodeAck:\n got %s\nwant %s", got, want)
		}
	})
}
