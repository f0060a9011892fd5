package clip_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"cnskiosk.dev/cloud/internal/clip"
)

func TestString(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"short", "errore", 10, "errore"},
		{"exact", "errore", 6, "errore"},
		{"ascii cut", "abcdefghij", 6, "abc…"},
		{"accent not split", "aèèèè", 5, "a…"},
		{"accent fits", "aèè…x", 7, "aè…"},
		{"invalid bytes", "a\xffb", 10, "a\uFFFDb"},
		{"nul dropped", "a\x00b", 10, "ab"},
		{"tiny budget", "èèè", 2, "è"},
		{"zero", "abc", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clip.String(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("String(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func TestStringLongAccented(t *testing.T) {
	in := strings.Repeat("è", 300) // 600 bytes
	got := clip.String(in, 500)
	if len(got) > 500 || !utf8.ValidString(got) || !strings.HasSuffix(got, clip.Ellipsis) {
		t.Errorf("len %d valid %v: %q", len(got), utf8.ValidString(got), got[len(got)-8:])
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "abc", "èèè", "a\xffb\x00", strings.Repeat("€", 200)} {
		f.Add(s, 7)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		got := clip.String(s, max)
		if max >= 0 && len(got) > max {
			t.Fatalf("len %d > %d", len(got), max)
		}
		if !utf8.ValidString(got) || strings.IndexByte(got, 0) >= 0 {
			t.Fatalf("invalid output %q", got)
		}
	})
}
