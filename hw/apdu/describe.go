package apdu

import (
	"fmt"
	"strings"
)

var insNames = map[byte]string{
	0xA4: "SELECT", 0xB0: "READ BINARY", 0x20: "VERIFY", 0x22: "MANAGE SECURITY ENVIRONMENT",
	0x2A: "PERFORM SECURITY OPERATION", 0x2C: "RESET RETRY COUNTER", 0xC0: "GET RESPONSE",
}

// DescribeCommand explains each byte of c in comment lines ("# ...").
func DescribeCommand(c Command) string {
	var b strings.Builder
	name := insNames[c.INS]
	if name == "" {
		name = "unknown instruction"
	}
	fmt.Fprintf(&b, "# CLA %02X (%s), INS %02X %s\n", c.CLA, claText(c.CLA), c.INS, name)
	fmt.Fprintf(&b, "# P1 %02X P2 %02X: %s\n", c.P1, c.P2, paramText(c))
	if len(c.Data) > 0 {
		fmt.Fprintf(&b, "# Lc %02X: %d data bytes: %s\n", len(c.Data), len(c.Data), dataText(c))
	}
	if c.Le > 0 {
		fmt.Fprintf(&b, "# Le %02X: up to %d bytes expected\n", byte(c.Le), c.Le)
	}
	return b.String()
}

func claText(cla byte) string {
	if cla&0x10 != 0 {
		return "interindustry, command chaining: more parts follow"
	}
	return "interindustry, last or only command"
}

func paramText(c Command) string {
	switch c.INS {
	case 0xA4:
		how := map[byte]string{0x00: "select by file identifier", 0x01: "select child DF", 0x02: "select EF under current DF",
			0x08: "select by path from the MF", 0x09: "select by path from the current DF"}[c.P1]
		if c.P2 == 0x0C {
			return how + ", no FCI returned"
		}
		return how + ", return the FCP"
	case 0xB0:
		if c.P1&0x80 != 0 {
			return fmt.Sprintf("short file identifier %d, offset %d", c.P1&0x1F, c.P2)
		}
		return fmt.Sprintf("offset %d", int(c.P1)<<8|int(c.P2))
	case 0x20, 0x2C:
		return fmt.Sprintf("reference %02X (10 = PIN, 11 = PUK)", c.P2)
	case 0x22:
		if c.P1 == 0xF3 {
			return fmt.Sprintf("restore security environment %d", c.P2)
		}
		return fmt.Sprintf("set for computation and verification, control reference template %02X (A4 authentication)", c.P2)
	case 0x2A:
		return "9E = digital signature out, 9A = data to be signed in"
	}
	return "parameters"
}

func dataText(c Command) string {
	switch {
	case secret(c):
		return "PIN/PUK block, never shown"
	case c.INS == 0xA4:
		var ids []string
		for i := 0; i+1 < len(c.Data); i += 2 {
			ids = append(ids, fmt.Sprintf("%02X%02X", c.Data[i], c.Data[i+1]))
		}
		return "file identifiers " + strings.Join(ids, "/")
	case c.INS == 0x22:
		return "tag 83/84 key reference, length, key number"
	case c.INS == 0x2A:
		return "PKCS#1 v1.5 block padded by the host"
	}
	return "command data"
}
