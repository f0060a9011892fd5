package apdu_test

import (
	"fmt"

	"cnskiosk.dev/hw/apdu"
)

func ExampleCommand_Encode() {
	sel := apdu.Command{INS: 0xA4, P1: 0x08, Data: []byte{0x11, 0x00, 0x11, 0x02}}
	b, _ := sel.Encode()
	fmt.Printf("% X\n", b)
	// Output: 00 A4 08 00 04 11 00 11 02
}
