package cns

import (
	"bytes"
	"fmt"

	"cnskiosk.dev/hw/apdu"
)

// ReadTranscript renders the exchanges of a card read as a commented
// transcript. The content of EF.C_Carta is replaced by its size, because
// each development card has its own key and certificate.
func ReadTranscript(steps []apdu.Step) string {
	cert := false
	head := "# APDU exchanges of cns.ReadCard on the \"adult\" profile (hw/profiles/adult.json).\n" +
		"# '>' command to the card, '<' response (data, then SW1 SW2); '#' lines explain the bytes.\n\n"
	return head + apdu.Transcript(steps, func(_ int, s apdu.Step) string {
		if len(s.Command) > 1 && s.Command[1] == 0xA4 {
			cert = bytes.HasSuffix(s.Command, []byte{0x11, 0x01})
		}
		if cert && s.Command[1] == 0xB0 && len(s.Response) > 2 {
			return fmt.Sprintf("%d bytes of EF.C_Carta (X.509 DER, differs per card)", len(s.Response)-2)
		}
		return ""
	})
}
