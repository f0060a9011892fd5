package receipt_test

import (
	"fmt"
	"time"

	"cnskiosk.dev/hw/receipt"
	"cnskiosk.dev/shared/wire"
)

func ExampleReaderForm_Render() {
	f := receipt.ReaderForm{
		Header: receipt.Header{Kiosk: "kiosk-01", Counter: "Sportello 1", Operator: "Bianchi Laura",
			At: time.Date(2025, 3, 14, 10, 30, 0, 0, time.UTC), OpID: "01JPD9X4ZKQ8M6V3T2R1N0A9BC"},
		Holder: receipt.Holder{Surname: "Rossi", Name: "Mario", CF: "RSSMRA70A01F205V",
			TEAM: "80380000900090510553", Expiry: wire.NewDate(2030, 6, 30)},
		Payment: wire.Payment{Method: wire.PayCoin, AmountCents: receipt.ReaderPriceCents, Ref: "PAY-0001"},
	}
	data, err := f.Render(receipt.Paper58)
	fmt.Println(err, data[len(data)-4:])
	// Output: <nil> [29 86 66 3]
}

func ExampleHalves() {
	h := receipt.NewHalves("1234", "5678")
	fmt.Println(h)
	fmt.Printf("%+v %#v\n", h, h)
	// Output:
	// Halves{<redacted>}
	// Halves{<redacted>} Halves{<redacted>}
}
