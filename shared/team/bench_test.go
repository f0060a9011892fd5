package team

import (
	"regexp"
	"testing"
)

var digitsRE = regexp.MustCompile(`^[0-9]{20}$`)

func BenchmarkValidate(b *testing.B) {
	for b.Loop() {
		if err := Validate(example); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBaselineRegexp(b *testing.B) {
	for b.Loop() {
		if !digitsRE.MatchString(example) {
			b.Fatal("no match")
		}
	}
}
