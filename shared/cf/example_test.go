package cf_test

import (
	"fmt"
	"time"

	"cnskiosk.dev/shared/cf"
)

func ExampleDecode() {
	info, err := cf.Decode("rssmra70a01f205v", time.Date(2026, 1, 19, 0, 0, 0, 0, time.UTC))
	if err != nil {
		fmt.Println(cf.Reason(err))
		return
	}
	fmt.Println(info.Code, info.BirthDate.Format(time.DateOnly), info.Sex, info.Place)
	// Output: RSSMRA70A01F205V 1970-01-01 M MILANO (MI)
}

func ExampleEncode() {
	code, _ := cf.Encode(cf.Person{Surname: "Rossi", Name: "Mario",
		BirthDate: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), Sex: "M", PlaceCode: "H501"})
	fmt.Println(code)
	// Output: RSSMRA80A01H501U
}

func ExampleValidate() {
	err := cf.Validate("RSSMRA70A01F205X")
	fmt.Println(cf.Reason(err))
	// Output: L'ultimo carattere (di controllo) del codice fiscale non corrisponde: controllare i caratteri inseriti.
}
