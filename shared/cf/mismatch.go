package cf

import (
	"fmt"
	"strings"

	"cnskiosk.dev/shared/internal/translit"
)

// Fields of a Person that [Mismatch] reports, named as in the
// registry_data_wrong operation.
const (
	FieldSurname    = "surname"
	FieldName       = "name"
	FieldBirthDate  = "birth_date"
	FieldSex        = "sex"
	FieldBirthPlace = "birth_place"
)

// Mismatch returns the fields of p that the valid codice fiscale code does
// not agree with, in the order surname, name, birth_date, sex, birth_place;
// none if p is the holder the code was computed for (omocode variants
// included). It fails if code is not valid.
func Mismatch(code string, p Person) ([]string, error) {
	info, err := Decode(code, now())
	if err != nil {
		return nil, err
	}
	b := info.Base
	var out []string
	if surnameCode(translit.Letters(p.Surname)) != b[0:3] {
		out = append(out, FieldSurname)
	}
	if nameCode(translit.Letters(p.Name)) != b[3:6] {
		out = append(out, FieldName)
	}
	y, m, d := p.BirthDate.Date()
	if p.BirthDate.IsZero() || fmt.Sprintf("%02d%c", y%100, months[m-1]) != b[6:9] || dayOf(b) != d {
		out = append(out, FieldBirthDate)
	}
	if !strings.EqualFold(p.Sex, info.Sex) {
		out = append(out, FieldSex)
	}
	if !strings.EqualFold(strings.TrimSpace(p.PlaceCode), b[11:15]) {
		out = append(out, FieldBirthPlace)
	}
	return out, nil
}

// dayOf is the day of birth of a base code, without the +40 for women.
func dayOf(b string) int {
	d := atoi2(b[9:11])
	if d > 40 {
		d -= 40
	}
	return d
}
