package cf

import (
	"errors"
	"testing"
)

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"RSSMRA70A01F205V", "RSSMRA80A01H501U", "MRNLCU00A01H501J", "RSSMRA70A01F20RW",
		"rssmra70a01f205v", "RSSMRA70B30F205X", "", "ZZZZZZZZZZZZZZZZ", "RSSMRA70A01Z105V",
		"RSSMRATLALMFNLRA", "0000000000000000", "RSSMRA70A01F205\xff",
	} {
		f.Add(s)
	}
	sentinels := []error{ErrLength, ErrCharset, ErrCheckChar, ErrDate, ErrPlace}
	f.Fuzz(func(t *testing.T, s string) {
		verr := Validate(s)
		info, err := Decode(s, now())
		if (verr == nil) != (err == nil) {
			t.Fatalf("Validate(%q) = %v but Decode = %v", s, verr, err)
		}
		if err != nil {
			n := 0
			for _, e := range sentinels {
				if errors.Is(err, e) {
					n++
				}
			}
			if n != 1 || Reason(err) == "" {
				t.Fatalf("Decode(%q) = %v: wraps %d sentinels", s, err, n)
			}
			return
		}
		if len(info.Code) != 16 || CheckChar(info.Base) != info.Base[15] || info.Place.Code != info.Base[11:15] {
			t.Fatalf("Decode(%q) = %+v: inconsistent", s, info)
		}
		if b, err := Base(s); b != info.Base || err != nil {
			t.Fatalf("Base(%q) = %q, %v; Decode says %q", s, b, err, info.Base)
		}
	})
}
