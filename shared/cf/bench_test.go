package cf

import (
	"regexp"
	"testing"
)

// shapeRE is the bare shape of a codice fiscale, without omocodia, check
// character, date or place: the baseline of the benchmarks.
var shapeRE = regexp.MustCompile(`^[A-Z]{6}[0-9]{2}[ABCDEHLMPRST][0-9]{2}[A-Z][0-9]{3}[A-Z]$`)

const benchCode = "RSSMRA80A01H501U"

func BenchmarkValidate(b *testing.B) {
	for b.Loop() {
		if err := Validate(benchCode); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	for b.Loop() {
		if _, err := Decode(benchCode, asOf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	p := Person{"Rossi", "Mario", date(1980, 1, 1), "M", "H501"}
	for b.Loop() {
		if _, err := Encode(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBaselineRegexp(b *testing.B) {
	for b.Loop() {
		if !shapeRE.MatchString(benchCode) {
			b.Fatal("no match")
		}
	}
}
