package wire

import (
	"encoding/json"
	"testing"
)

func BenchmarkDecodeActivation(b *testing.B) {
	data := examples(b)[OpActivation]
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decode(exampleDev, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineUnmarshalActivation is json.Unmarshal of the envelope
// and of its body into their structs, without any check.
func BenchmarkBaselineUnmarshalActivation(b *testing.B) {
	data := examples(b)[OpActivation]
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var e Envelope
		var a Activation
		if err := json.Unmarshal(data, &e); err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(e.Body, &a); err != nil {
			b.Fatal(err)
		}
	}
}
