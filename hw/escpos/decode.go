package escpos

// Parse decodes the first command of p. It returns the command and the
// number of bytes it took (at least 1), or ErrIncomplete when p ends inside
// a command (a caller streaming from a printer reads more and retries). A
// run of text ends at the first control byte or at the end of p. Parse
// never panics and always makes progress on a non-nil error-free return.
func Parse(p []byte) (Command, int, error) {
	if len(p) == 0 {
		return Command{}, 0, ErrIncomplete
	}
	switch c := p[0]; {
	case c >= 0x20 && c != 0x7F:
		n := 1
		for n < len(p) && p[n] >= 0x20 && p[n] != 0x7F {
			n++
		}
		return Command{Op: OpText, Text: DecodeCP858(p[:n])}, n, nil
	case c == LF:
		return Command{Op: OpLF}, 1, nil
	case c == '\r':
		return Command{Op: OpCR}, 1, nil
	case c == ESC:
		return parseESC(p)
	case c == GS:
		return parseGS(p)
	case c == DLE:
		return parseDLE(p)
	}
	return unknown(p, 1)
}

func unknown(p []byte, n int) (Command, int, error) {
	if len(p) < n {
		return Command{}, 0, ErrIncomplete
	}
	return Command{Op: OpUnknown, Data: append([]byte(nil), p[:n]...)}, n, nil
}

// escArg maps ESC commands with one argument byte to their Op.
var escArg = map[byte]Op{'E': OpBold, '-': OpUnderline, 'a': OpAlign, '!': OpMode, 't': OpCodePage, 'd': OpFeed}

// escOther lists other ESC commands with one argument byte, decoded as unknown.
var escOther = map[byte]bool{'J': true, 'M': true, 'G': true, '3': true, 'R': true, 'r': true, ' ': true, '{': true, 'V': true}

func parseESC(p []byte) (Command, int, error) {
	if len(p) < 2 {
		return Command{}, 0, ErrIncomplete
	}
	if p[1] == '@' {
		return Command{Op: OpInit}, 2, nil
	}
	if op, ok := escArg[p[1]]; ok {
		if len(p) < 3 {
			return Command{}, 0, ErrIncomplete
		}
		n := int(p[2])
		switch op {
		case OpBold:
			n &= 1
		case OpUnderline, OpAlign:
			n = int(p[2]&0x0F) % 3 // '0'..'2' and 0..2
		}
		return Command{Op: op, N: n}, 3, nil
	}
	if escOther[p[1]] {
		return unknown(p, 3)
	}
	return unknown(p, 2)
}

func parseGS(p []byte) (Command, int, error) {
	if len(p) < 2 {
		return Command{}, 0, ErrIncomplete
	}
	switch p[1] {
	case '!':
		if len(p) < 3 {
			return Command{}, 0, ErrIncomplete
		}
		return Command{Op: OpSize, N: int(p[2] & 0x77)}, 3, nil
	case 'V':
		return parseCut(p)
	case '(':
		return parseGSParen(p)
	}
	return unknown(p, 2)
}

func parseCut(p []byte) (Command, int, error) {
	if len(p) < 3 {
		return Command{}, 0, ErrIncomplete
	}
	m := p[2]
	if m == 65 || m == 66 || m == 97 || m == 98 || m == 103 || m == 104 {
		if len(p) < 4 {
			return Command{}, 0, ErrIncomplete
		}
		return Command{Op: OpCut, N: int(p[3]), Data: []byte{m}}, 4, nil
	}
	return Command{Op: OpCut, Data: []byte{m}}, 3, nil
}

// parseGSParen decodes GS ( x pL pH ...; QR functions of GS ( k are typed.
func parseGSParen(p []byte) (Command, int, error) {
	if len(p) < 5 {
		return Command{}, 0, ErrIncomplete
	}
	k := int(p[3]) | int(p[4])<<8
	total := 5 + k
	if len(p) < total {
		return Command{}, 0, ErrIncomplete
	}
	if p[2] == 'H' && k == 6 && p[5] == 48 && p[6] == 48 {
		return Command{Op: OpProcessID, Data: append([]byte(nil), p[7:11]...)}, total, nil
	}
	if p[2] != 'k' || k < 3 || p[5] != 49 {
		return unknown(p, total)
	}
	arg := int(p[7])
	switch p[6] {
	case 65:
		return Command{Op: OpQRModel, N: arg}, total, nil
	case 67:
		return Command{Op: OpQRSize, N: arg}, total, nil
	case 69:
		return Command{Op: OpQRLevel, N: arg}, total, nil
	case 80:
		return Command{Op: OpQRStore, Data: append([]byte(nil), p[8:total]...)}, total, nil
	case 81:
		return Command{Op: OpQRPrint}, total, nil
	}
	return unknown(p, total)
}

func parseDLE(p []byte) (Command, int, error) {
	if len(p) < 2 {
		return Command{}, 0, ErrIncomplete
	}
	if p[1] != EOT {
		return unknown(p, 2)
	}
	if len(p) < 3 {
		return Command{}, 0, ErrIncomplete
	}
	return Command{Op: OpStatus, N: int(p[2])}, 3, nil
}

// Decode decodes every command of p. If p ends inside a command it returns
// the commands before it and ErrIncomplete.
func Decode(p []byte) ([]Command, error) {
	var out []Command
	for len(p) > 0 {
		c, n, err := Parse(p)
		if err != nil {
			return out, err
		}
		out = append(out, c)
		p = p[n:]
	}
	return out, nil
}
