package cf

import (
	"errors"
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var asOf = date(2026, 1, 19)

func TestCheckChar(t *testing.T) {
	for _, code := range []string{"RSSMRA70A01F205V", "RSSMRA80A01H501U", "MRNLCU00A01H501J"} {
		if got, want := CheckChar(code), code[15]; got != want {
			t.Errorf("CheckChar(%s) = %c, want %c", code, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"RSSMRA70A01F205V", nil},
		{"RSSMRA80A01H501U", nil},
		{"MRNLCU00A01H501J", nil},
		{"rssmra70a01f205v", nil},
		{" RSS MRA 70A01 F205V ", nil},
		{"RSSMRA70A01F205", ErrLength},
		{"RSSMRA70A01F205VX", ErrLength},
		{"", ErrLength},
		{"RSSMRA70A01F205È", ErrLength},  // È is two bytes
		{"RSSMR470A01F205V", ErrCharset}, // digit in the name
		{"RSSMRA7AA01F205V", ErrCharset}, // A is not an omocode letter
		{"RSSMRA70F01F205V", ErrCharset}, // F is not a month
		{"RSSMRA70A01F205-", ErrCharset}, // check position
		{"RSSMRA70A01F2O5V", ErrCharset}, // letter O for zero
		{"RSSMRA70A01F205X", ErrCheckChar},
		{"RSSMRA70A00F205" + cc("RSSMRA70A00F205"), ErrDate},  // day 0
		{"RSSMRA70A32F205" + cc("RSSMRA70A32F205"), ErrDate},  // day 32
		{"RSSMRA70A40F205" + cc("RSSMRA70A40F205"), ErrDate},  // day 40
		{"RSSMRA70A72F205" + cc("RSSMRA70A72F205"), ErrDate},  // woman, day 32
		{"RSSMRA70B30F205" + cc("RSSMRA70B30F205"), ErrDate},  // 30 February
		{"RSSMRA71B29F205" + cc("RSSMRA71B29F205"), ErrDate},  // 29 February 1971
		{"RSSMRA72B29F205" + cc("RSSMRA72B29F205"), nil},      // 29 February 1972
		{"RSSMRA70D31F205" + cc("RSSMRA70D31F205"), ErrDate},  // 31 April
		{"RSSMRA70A01Z999" + cc("RSSMRA70A01Z999"), ErrPlace}, // no such state
		{"RSSMRA00A01Z105" + cc("RSSMRA00A01Z105"), ErrPlace}, // Czechoslovakia in 2000
		{"RSSMRA80A01Z105" + cc("RSSMRA80A01Z105"), nil},      // Czechoslovakia in 1980
	}
	for _, tt := range tests {
		err := Validate(tt.in)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("Validate(%q) = %v, want %v", tt.in, err, tt.want)
		}
		if err != nil && Reason(err) == "" {
			t.Errorf("Reason(%v) is empty", err)
		}
	}
}

// cc returns the check character of the 15 characters s.
func cc(s string) string { return string(CheckChar(s)) }

func TestNormalize(t *testing.T) {
	got, err := Normalize(" rssmra 70a01 f205v")
	if got != "RSSMRA70A01F205V" || err != nil {
		t.Errorf("Normalize = %q, %v; want RSSMRA70A01F205V, nil", got, err)
	}
	if got, err := Normalize("RSSMRA70A01F205X"); got != "" || !errors.Is(err, ErrCheckChar) {
		t.Errorf("Normalize(bad) = %q, %v; want \"\", ErrCheckChar", got, err)
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		in         string
		asOf       time.Time
		born       time.Time
		sex, place string
		prov       string
		omocode    bool
	}{
		{"RSSMRA70A01F205V", asOf, date(1970, 1, 1), "M", "MILANO", "MI", false},
		{"MRNLCU00A01H501J", asOf, date(2000, 1, 1), "M", "ROMA", "RM", false},
		{"MRNLCU00A01H501J", date(1999, 12, 31), date(1900, 1, 1), "M", "ROMA", "RM", false},
		{"RSSMRA26A19H501" + cc("RSSMRA26A19H501"), asOf, date(2026, 1, 19), "M", "ROMA", "RM", false},
		{"RSSMRA26A20H501" + cc("RSSMRA26A20H501"), asOf, date(1926, 1, 20), "M", "ROMA", "RM", false},
		{"RSSMRA80A41H501" + cc("RSSMRA80A41H501"), asOf, date(1980, 1, 1), "F", "ROMA", "RM", false},
		{"RSSMRA80A71H501" + cc("RSSMRA80A71H501"), asOf, date(1980, 1, 31), "F", "ROMA", "RM", false},
		{"RSSMRA80A01A004" + cc("RSSMRA80A01A004"), asOf, date(1980, 1, 1), "M", "ABBADIA CERRETO", "MI", false},
		{"RSSMRA95A01A004" + cc("RSSMRA95A01A004"), asOf, date(1995, 1, 1), "M", "ABBADIA CERRETO", "LO", false},
		{"RSSMRATLALMFNLR" + cc("RSSMRATLALMFNLR"), asOf, date(1970, 1, 1), "M", "MILANO", "MI", true},
	}
	for _, tt := range tests {
		got, err := Decode(tt.in, tt.asOf)
		if err != nil {
			t.Errorf("Decode(%s, %s): %v", tt.in, tt.asOf.Format(time.DateOnly), err)
			continue
		}
		if !got.BirthDate.Equal(tt.born) || got.Sex != tt.sex || got.Place.Name != tt.place ||
			got.Place.Province != tt.prov || got.Omocode != tt.omocode || got.Code != tt.in {
			t.Errorf("Decode(%s) = %+v; want born %s sex %s place %s (%s) omocode %v", tt.in, got,
				tt.born.Format(time.DateOnly), tt.sex, tt.place, tt.prov, tt.omocode)
		}
	}
}

func TestDecodeOmocodeBase(t *testing.T) {
	got, err := Decode("RSSMRA70A01F20R"+cc("RSSMRA70A01F20R"), asOf)
	if err != nil {
		t.Fatal(err)
	}
	if got.Base != "RSSMRA70A01F205V" || got.SurnameCode != "RSS" || got.NameCode != "MRA" || !got.Omocode {
		t.Errorf("Decode(RSSMRA70A01F20R?) = %+v, want base RSSMRA70A01F205V", got)
	}
}

func TestDecodePlaceReason(t *testing.T) {
	// Abbadia Cerreto (A004) exists since 1861: a code for 1850 names no place.
	_, err := Decode("RSSMRA50A01A004"+cc("RSSMRA50A01A004"), date(1860, 1, 1))
	if !errors.Is(err, ErrPlace) {
		t.Fatalf("Decode = %v, want ErrPlace", err)
	}
	t.Log(err)
}
