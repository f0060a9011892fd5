package cf

import (
	"errors"
	"slices"
	"testing"
)

func TestMismatch(t *testing.T) {
	mario := Person{"Rossi", "Mario", date(1970, 1, 1), "M", "F205"}
	tests := []struct {
		name   string
		code   string
		change func(*Person)
		want   []string
	}{
		{"same person", "RSSMRA70A01F205V", func(*Person) {}, nil},
		{"omocode variant", "RSSMRA70A01F20R" + cc("RSSMRA70A01F20R"), func(*Person) {}, nil},
		{"accents and case ignored", "RSSMRA70A01F205V", func(p *Person) { p.Surname, p.Name = "rossì", "MÀRIO" }, nil},
		{"surname", "RSSMRA70A01F205V", func(p *Person) { p.Surname = "Bianchi" }, []string{FieldSurname}},
		{"name", "RSSMRA70A01F205V", func(p *Person) { p.Name = "Marco" }, []string{FieldName}},
		{"day", "RSSMRA70A01F205V", func(p *Person) { p.BirthDate = date(1970, 1, 2) }, []string{FieldBirthDate}},
		{"month", "RSSMRA70A01F205V", func(p *Person) { p.BirthDate = date(1970, 2, 1) }, []string{FieldBirthDate}},
		{"year", "RSSMRA70A01F205V", func(p *Person) { p.BirthDate = date(1971, 1, 1) }, []string{FieldBirthDate}},
		{"sex", "RSSMRA70A01F205V", func(p *Person) { p.Sex = "F" }, []string{FieldSex}},
		{"place", "RSSMRA70A01F205V", func(p *Person) { p.PlaceCode = "H501" }, []string{FieldBirthPlace}},
		{"woman", "RSSMRA80A41H501" + cc("RSSMRA80A41H501"), func(p *Person) {
			*p = Person{"Rossi", "Maria", date(1980, 1, 1), "F", "H501"}
		}, nil},
		{"all", "RSSMRA70A01F205V", func(p *Person) { *p = Person{Sex: "X"} },
			[]string{FieldSurname, FieldName, FieldBirthDate, FieldSex, FieldBirthPlace}},
	}
	for _, tt := range tests {
		p := mario
		tt.change(&p)
		got, err := Mismatch(tt.code, p)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: Mismatch = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	if _, err := Mismatch("RSSMRA70A01F205X", mario); !errors.Is(err, ErrCheckChar) {
		t.Errorf("Mismatch(bad code) = %v, want ErrCheckChar", err)
	}
}
