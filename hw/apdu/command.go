package apdu

import (
	"fmt"
	"strings"
)

// Command is a short command APDU. Le is the number of response bytes
// expected: 0 means none (no Le field), 1..256 is encoded as one byte
// (256 as 00).
type Command struct {
	CLA, INS, P1, P2 byte
	Data             []byte
	Le               int
}

// Encode returns the bytes of c in one of the four ISO 7816-4 cases.
func (c Command) Encode() ([]byte, error) {
	if len(c.Data) > 255 {
		return nil, fmt.Errorf("%w: %d", ErrDataTooLong, len(c.Data))
	}
	if c.Le < 0 || c.Le > 256 {
		return nil, fmt.Errorf("%w: %d", ErrLeTooLarge, c.Le)
	}
	b := make([]byte, 0, 4+1+len(c.Data)+1)
	b = append(b, c.CLA, c.INS, c.P1, c.P2)
	if len(c.Data) > 0 {
		b = append(b, byte(len(c.Data)))
		b = append(b, c.Data...)
	}
	if c.Le > 0 {
		b = append(b, byte(c.Le)) // 256 wraps to 00, as the standard says
	}
	return b, nil
}

// String shows the header and lengths but never the data, which may be a PIN.
func (c Command) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "%02X %02X %02X %02X", c.CLA, c.INS, c.P1, c.P2)
	if len(c.Data) > 0 {
		fmt.Fprintf(&s, " Lc=%d", len(c.Data))
	}
	if c.Le > 0 {
		fmt.Fprintf(&s, " Le=%d", c.Le)
	}
	return s.String()
}

// ParseCommand decodes a short command APDU, as a card does. It rejects
// extended-length encodings with [ErrWrongLength].
func ParseCommand(b []byte) (Command, error) {
	if len(b) < 4 {
		return Command{}, fmt.Errorf("%w: command of %d bytes", ErrWrongLength, len(b))
	}
	c := Command{CLA: b[0], INS: b[1], P1: b[2], P2: b[3]}
	body := b[4:]
	switch {
	case len(body) == 0: // case 1
	case len(body) == 1: // case 2
		c.Le = leOf(body[0])
	case int(body[0]) != 0 && len(body) == 1+int(body[0]): // case 3
		c.Data = body[1:]
	case int(body[0]) != 0 && len(body) == 2+int(body[0]): // case 4
		c.Data = body[1 : len(body)-1]
		c.Le = leOf(body[len(body)-1])
	default:
		return Command{}, fmt.Errorf("%w: body of %d bytes", ErrWrongLength, len(body))
	}
	return c, nil
}

func leOf(b byte) int {
	if b == 0 {
		return 256
	}
	return int(b)
}
