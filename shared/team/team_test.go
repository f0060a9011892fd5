package team

import (
	"errors"
	"testing"
)

const example = "80380000900090510553"

func TestValidate(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{example, nil},
		{"8038000 0900 0905 10553", nil},
		{"8038000090009051055", ErrLength},
		{"803800009000905105530", ErrLength},
		{"", ErrLength},
		{"8038000090009051055A", ErrDigits},
		{"80380000900090510-53", ErrDigits},
		{"８0380000900090510553", ErrLength}, // full-width digit is 3 bytes
		{"80250000900090510553", ErrPrefix},
		{"90380000900090510553", ErrPrefix},
		{"80380000900090510554", ErrCheckDigit},
		{"80380000900090510535", ErrCheckDigit}, // adjacent digits swapped
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

func TestParse(t *testing.T) {
	c, err := Parse(example)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Region(), 90; got != want {
		t.Errorf("Region() = %d, want %d", got, want)
	}
	if got, want := c.Serial(), 9051055; got != want {
		t.Errorf("Serial() = %d, want %d", got, want)
	}
	if got, want := c.RegionName(), "Toscana"; got != want {
		t.Errorf("RegionName() = %q, want %q", got, want)
	}
	if c.String() != example || c.IsZero() {
		t.Errorf("String() = %q, IsZero() = %v", c, c.IsZero())
	}
	if n, err := Normalize("8038 0000 9000 9051 0553"); n != example || err != nil {
		t.Errorf("Normalize = %q, %v", n, err)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		region, serial int
		want           string
		err            error
	}{
		{90, 9051055, example, nil},
		{0, 0, "80380000000000000009", nil},
		{999, 999999999, "8038000999999999999" + string(Luhn("8038000999999999999")), nil},
		{-1, 1, "", ErrRange},
		{1000, 1, "", ErrRange},
		{90, 1_000_000_000, "", ErrRange},
		{90, -5, "", ErrRange},
	}
	for _, tt := range tests {
		got, err := New(tt.region, tt.serial)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("New(%d, %d) = %q, %v; want %q, %v", tt.region, tt.serial, got, err, tt.want, tt.err)
		}
		if err == nil {
			if c, err := Parse(got); err != nil || c.Region() != tt.region || c.Serial() != tt.serial {
				t.Errorf("Parse(New(%d, %d)) = %v, %v", tt.region, tt.serial, c, err)
			}
		}
	}
}

func TestLuhn(t *testing.T) {
	tests := []struct{ in, want string }{
		{"7992739871", "3"}, // the textbook example
		{"8038000090009051055", "3"},
		{"0", "0"},
		{"", "0"},
	}
	for _, tt := range tests {
		if got := string(Luhn(tt.in)); got != tt.want {
			t.Errorf("Luhn(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestLuhnCatchesSingleDigitErrors(t *testing.T) {
	for i := 0; i < 19; i++ {
		for d := byte('0'); d <= '9'; d++ {
			b := []byte(example)
			if b[i] == d {
				continue
			}
			b[i] = d
			if err := Validate(string(b)); err == nil {
				t.Errorf("Validate(%s) = nil after changing digit %d", b, i+1)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{example, "80380000900090510554", "", "8038000 0900", "abc", "80380000000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if Reason(err) == "" {
				t.Fatalf("Parse(%q) = %v without reason", s, err)
			}
			return
		}
		again, err := New(c.Region(), c.Serial())
		if err != nil || again != c.String() {
			t.Fatalf("New(Region, Serial) of %s = %q, %v", c, again, err)
		}
	})
}
