package cf

import (
	"errors"
	"testing"
	"time"
)

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		p    Person
		want string
	}{
		{"known good Milano", Person{"Rossi", "Mario", date(1970, 1, 1), "M", "F205"}, "RSSMRA70A01F205V"},
		{"known good Roma", Person{"Rossi", "Mario", date(1980, 1, 1), "M", "H501"}, "RSSMRA80A01H501U"},
		{"woman day+40", Person{"Rossi", "Maria", date(1980, 1, 1), "F", "H501"}, "RSSMRA80A41H501" + cc("RSSMRA80A41H501")},
		{"lower case sex", Person{"Rossi", "Maria", date(1980, 1, 1), "f", "h501"}, "RSSMRA80A41H501" + cc("RSSMRA80A41H501")},
		{"name 4+ consonants: 1st 3rd 4th", Person{"Bianchi", "Gianfranco", date(1965, 12, 31), "M", "H501"}, "BNCGFR65T31H501" + cc("BNCGFR65T31H501")},
		{"name 3 consonants", Person{"Verdi", "Giuseppe", date(1990, 6, 15), "M", "F205"}, "VRDGPP90H15F205" + cc("VRDGPP90H15F205")},
		{"short surname pads X", Person{"Fo", "Dario", date(1926, 3, 24), "M", "F205"}, "FOXDRA26C24F205" + cc("FOXDRA26C24F205")},
		{"short name: consonants then vowels", Person{"Re", "Ugo", date(1950, 5, 5), "M", "H501"}, "REXGUO50E05H501" + cc("REXGUO50E05H501")},
		{"apostrophe and space", Person{"D'Angelo", "Anna Maria", date(2001, 9, 9), "F", "H501"}, "DNGNMR01P49H501" + cc("DNGNMR01P49H501")},
		{"accents", Person{"Niccolò", "Lucía", date(2000, 1, 1), "F", "H501"}, "NCCLCU00A41H501" + cc("NCCLCU00A41H501")},
		{"reassigned code as of birth", Person{"Rossi", "Mario", date(1980, 1, 1), "M", "A004"}, "RSSMRA80A01A004" + cc("RSSMRA80A01A004")},
		{"foreign state", Person{"Dupont", "Jean", date(1975, 7, 14), "M", "Z110"}, "DPNJNE75L14Z110" + cc("DPNJNE75L14Z110")},
	}
	for _, tt := range tests {
		got, err := Encode(tt.p)
		if got != tt.want || err != nil {
			t.Errorf("%s: Encode = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	ok := Person{"Rossi", "Mario", date(1970, 1, 1), "M", "F205"}
	tests := []struct {
		name   string
		change func(*Person)
		want   error
	}{
		{"no surname", func(p *Person) { p.Surname = " ' " }, ErrName},
		{"no name", func(p *Person) { p.Name = "" }, ErrName},
		{"no date", func(p *Person) { p.BirthDate = time.Time{} }, ErrDate},
		{"bad sex", func(p *Person) { p.Sex = "X" }, ErrSex},
		{"bad place", func(p *Person) { p.PlaceCode = "F2O5" }, ErrPlace},
		{"unknown place", func(p *Person) { p.PlaceCode = "Z999" }, ErrPlace},
		{"place not valid then", func(p *Person) { p.PlaceCode = "Z105"; p.BirthDate = date(2000, 1, 1) }, ErrPlace},
	}
	for _, tt := range tests {
		p := ok
		tt.change(&p)
		if _, err := Encode(p); !errors.Is(err, tt.want) {
			t.Errorf("%s: Encode = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	people := []Person{
		{"Rossi", "Mario", date(1970, 1, 1), "M", "F205"},
		{"Esposito", "Francesca", date(1999, 12, 31), "F", "F839"},
		{"Russo", "Giovanni", date(2024, 2, 29), "M", "D612"},
		{"Dupont", "Jeanne", date(1948, 11, 5), "F", "Z110"},
		{"Novák", "Jan", date(1985, 4, 1), "M", "Z105"},
		{"Müller", "Hans", date(1931, 6, 30), "M", "A952"},
	}
	for _, p := range people {
		code, err := Encode(p)
		if err != nil {
			t.Errorf("Encode(%+v): %v", p, err)
			continue
		}
		info, err := Decode(code, asOf)
		if err != nil {
			t.Errorf("Decode(%s): %v", code, err)
			continue
		}
		if !info.BirthDate.Equal(p.BirthDate) || info.Sex != p.Sex || info.Place.Code != p.PlaceCode || info.Omocode {
			t.Errorf("round trip %+v -> %s -> %+v", p, code, info)
		}
	}
}

func TestVariants(t *testing.T) {
	const code = "RSSMRA70A01F205V"
	vs := Variants(code)
	if len(vs) != 127 {
		t.Fatalf("len(Variants) = %d, want 127", len(vs))
	}
	seen := map[string]bool{code: true}
	for _, v := range vs {
		if seen[v] {
			t.Errorf("variant %s repeated", v)
		}
		seen[v] = true
		if err := Validate(v); err != nil {
			t.Errorf("Validate(%s) = %v", v, err)
		}
		if b, err := Base(v); b != code || err != nil {
			t.Errorf("Base(%s) = %s, %v; want %s", v, b, err, code)
		}
		info, err := Decode(v, asOf)
		if err != nil || !info.Omocode || info.Base != code || !info.BirthDate.Equal(date(1970, 1, 1)) {
			t.Errorf("Decode(%s) = %+v, %v", v, info, err)
		}
	}
	if vs[0] != "RSSMRA70A01F20R"+cc("RSSMRA70A01F20R") || vs[126] != "RSSMRATLALMFNLR"+cc("RSSMRATLALMFNLR") {
		t.Errorf("first, last variant = %s, %s", vs[0], vs[126])
	}
}

func TestVariantsRejects(t *testing.T) {
	for _, in := range []string{"", "RSSMRA70A01F205X", "RSSMRA70A01F20R" + cc("RSSMRA70A01F20R")} {
		if got := Variants(in); got != nil {
			t.Errorf("Variants(%q) = %d codes, want nil", in, len(got))
		}
	}
}

func TestBase(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"RSSMRA70A01F205V", "RSSMRA70A01F205V", nil},
		{"rssmra70a01f20r" + cc("RSSMRA70A01F20R"), "RSSMRA70A01F205V", nil},
		{"RSSMRA70A01F205", "", ErrLength},
		{"RSSMRA70A01F205A", "", ErrCheckChar},
	}
	for _, tt := range tests {
		got, err := Base(tt.in)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("Base(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestReason(t *testing.T) {
	if got := Reason(errors.New("other")); got != "" {
		t.Errorf("Reason(other) = %q, want empty", got)
	}
	if got := Reason(ErrCheckChar); got == "" {
		t.Error("Reason(ErrCheckChar) is empty")
	}
}
