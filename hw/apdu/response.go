package apdu

import "fmt"

// Status word values the TS-CNS layer cares about.
const (
	SWOK              uint16 = 0x9000
	SWEndOfFile       uint16 = 0x6282
	SWWrongLength     uint16 = 0x6700
	SWNoInfo          uint16 = 0x6F00
	SWSecurity        uint16 = 0x6982
	SWBlocked         uint16 = 0x6983
	SWRefDataUnusable uint16 = 0x6984
	SWConditions      uint16 = 0x6985
	SWNoCurrentEF     uint16 = 0x6986
	SWNotAllowed      uint16 = 0x6981
	SWNotFound        uint16 = 0x6A82
	SWWrongP1P2       uint16 = 0x6A86
	SWWrongOffset     uint16 = 0x6B00
	SWINSNotSupported uint16 = 0x6D00
	SWCLANotSupported uint16 = 0x6E00
)

// Response is a decoded response APDU.
type Response struct {
	Data []byte
	SW   uint16
}

// ParseResponse splits raw into data and the trailing SW1 SW2. The data
// aliases raw.
func ParseResponse(raw []byte) (Response, error) {
	if len(raw) < 2 {
		return Response{}, fmt.Errorf("%w: %d bytes", ErrShortResponse, len(raw))
	}
	n := len(raw) - 2
	return Response{Data: raw[:n:n], SW: uint16(raw[n])<<8 | uint16(raw[n+1])}, nil
}

// SW1 returns the first status byte.
func (r Response) SW1() byte { return byte(r.SW >> 8) }

// SW2 returns the second status byte.
func (r Response) SW2() byte { return byte(r.SW) }

// OK reports whether the status word is 9000.
func (r Response) OK() bool { return r.SW == SWOK }

// Err returns nil for 9000 and a [*StatusError] otherwise.
func (r Response) Err() error {
	if r.SW == SWOK {
		return nil
	}
	return &StatusError{SW: r.SW}
}

// Bytes encodes r back to data followed by SW1 SW2, as a card sends it.
func (r Response) Bytes() []byte {
	out := make([]byte, 0, len(r.Data)+2)
	out = append(out, r.Data...)
	return append(out, r.SW1(), r.SW2())
}
