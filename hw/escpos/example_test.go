package escpos_test

import (
	"fmt"

	"cnskiosk.dev/hw/escpos"
)

func ExampleEncoder() {
	var e escpos.Encoder
	e.Init().Align(escpos.Center).Bold(true).Line("Riepilogo").Bold(false)
	e.Line("Totale: 4,20 €").Cut(3)
	cmds, _ := escpos.Decode(e.Bytes())
	fmt.Print(escpos.Transcript(cmds))
	// Output:
	// INIT
	// CODEPAGE 19
	// BOLD 1
	// ALIGN center
	// TEXT "Riepilogo"
	// LF
	// BOLD 0
	// TEXT "Totale: 4,20 €"
	// LF
	// CUT 3
}

func ExampleSanitize() {
	fmt.Printf("%q\n", escpos.Sanitize("Rossi\x1b@\x1dV\x42 Mario\r\nvia Roma"))
	fmt.Printf("% X\n", escpos.EncodeCP858("Niccolò – L’Aquila €"))
	// Output:
	// "Rossi@VB Mario  via Roma"
	// 4E 69 63 63 6F 6C 95 20 2D 20 4C 27 41 71 75 69 6C 61 20 D5
}

func ExampleWrap() {
	for _, l := range escpos.Wrap("Dichiarazione sostitutiva di certificazione", 16) {
		fmt.Println(l)
	}
	// Output:
	// Dichiarazione
	// sostitutiva di
	// certificazione
}
