package keyset

import (
	"errors"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 26, 16, 30, 0, 123456000, time.UTC)
	c := Cursor(at, "01J0ABC.DEF")
	us, id, err := Parse(c)
	if err != nil || us != at.UnixMicro() || id != "01J0ABC.DEF" {
		t.Fatalf("Parse(%q) = %d, %q, %v", c, us, id, err)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, c := range []string{"", "123", "123.", ".abc", "abc.def", "1e5.x", " 12.x"} {
		if _, _, err := Parse(c); !errors.Is(err, ErrCursor) {
			t.Errorf("Parse(%q) = %v, want ErrCursor", c, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("1795707199000000.01J0ABC")
	f.Add("-1.x")
	f.Add("")
	f.Fuzz(func(t *testing.T, c string) {
		us, id, err := Parse(c)
		if err != nil {
			if !errors.Is(err, ErrCursor) {
				t.Fatalf("Parse(%q): %v is not ErrCursor", c, err)
			}
			return
		}
		if id == "" {
			t.Fatalf("Parse(%q) accepted an empty id", c)
		}
		// c may spell its number otherwise (a sign, leading zeros): what
		// Cursor writes of it must parse back to the same.
		got := Cursor(time.UnixMicro(us), id)
		if u2, id2, err := Parse(got); err != nil || u2 != us || id2 != id {
			t.Fatalf("Cursor(Parse(%q)) = %q does not parse back", c, got)
		}
	})
}
