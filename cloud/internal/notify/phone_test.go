package notify

import (
	"strings"
	"testing"
)

func TestNormalisePhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"333 123 4567", "+393331234567"},
		{"+39 333-123-4567", "+393331234567"},
		{"0044 20 7946 0000", "+442079460000"},
		{"not a phone", ""},
		{"12", ""},
		{"+39333\r\n1234567", ""},
	}
	for _, tt := range tests {
		if got := normalisePhone(tt.in); got != tt.want {
			t.Errorf("normalisePhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzNormalisePhone(f *testing.F) {
	for _, s := range []string{"333 123 4567", "+39 333-123-4567", "00", "+", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := normalisePhone(s)
		if got == "" {
			return
		}
		if !strings.HasPrefix(got, "+") || len(got) > 16 || strings.ContainsAny(got[1:], "+ -.\r\n") {
			t.Errorf("normalisePhone(%q) = %q", s, got)
		}
	})
}
