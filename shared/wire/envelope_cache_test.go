package wire

import (
	"errors"
	"testing"
	"time"
)

// TestDecodeBodyReusesDecode: DecodeBody returns the body Decode already
// checked, and still decodes an envelope built by hand.
func TestDecodeBodyReusesDecode(t *testing.T) {
	data := examples(t)[OpSuspension]
	e, err := Decode("", data)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.decoded.(*Suspension); !ok {
		t.Fatalf("Decode kept %T, want *Suspension", e.decoded)
	}
	got, err := DecodeBody[Suspension](e)
	if err != nil || got.Card.CF == "" {
		t.Fatalf("DecodeBody = %+v, %v", got, err)
	}
	replaced := e
	replaced.Body = []byte(`{"operator":{"cf":"X"}}`) // no card: invalid if parsed anew
	if got, err := DecodeBody[Suspension](replaced); err != nil || got.Card.CF != "" {
		t.Fatalf("DecodeBody after Body was replaced = %+v, %v; want it parsed anew", got, err)
	}
	byHand := Envelope{V: 1, Type: OpSuspension, Body: e.Body, At: time.Now()}
	again, err := DecodeBody[Suspension](byHand)
	if err != nil || again.Card != got.Card {
		t.Fatalf("DecodeBody by hand = %+v, %v", again, err)
	}
}

// TestDecodeValid: the body Decode checked comes back as is; a body
// replaced or built by hand is parsed and validated.
func TestDecodeValid(t *testing.T) {
	e, err := Decode("", examples(t)[OpSuspension])
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeValid[Suspension](e)
	if err != nil || got.Card.CF == "" {
		t.Fatalf("DecodeValid = %+v, %v", got, err)
	}
	replaced := e
	replaced.Body = []byte(`{"operator":{"cf":"X"}}`) // no card
	if _, err := DecodeValid[Suspension](replaced); !errors.Is(err, ErrMalformed) {
		t.Fatalf("DecodeValid of an invalid replaced body = %v, want ErrMalformed", err)
	}
	byHand := Envelope{V: 1, Type: OpSuspension, Body: e.Body, At: time.Now()}
	if again, err := DecodeValid[Suspension](byHand); err != nil || again.Card != got.Card {
		t.Fatalf("DecodeValid by hand = %+v, %v", again, err)
	}
}
