package cns

import (
	"bytes"
	"fmt"
)

// cnsMarker is what a TS-CNS carries in its ATR historical bytes.
var cnsMarker = []byte("CNS")

// HistoricalBytes returns the historical bytes of an ATR (ISO/IEC 7816-3
// §8.2): T0 gives their number K and which interface bytes follow; each TDi
// announces the next group.
func HistoricalBytes(atr []byte) ([]byte, error) {
	if len(atr) < 2 {
		return nil, fmt.Errorf("%w: %d bytes", ErrBadATR, len(atr))
	}
	if atr[0] != 0x3B && atr[0] != 0x3F {
		return nil, fmt.Errorf("%w: TS %02X", ErrBadATR, atr[0])
	}
	k := int(atr[1] & 0x0F)
	y := atr[1] >> 4
	i := 2
	for {
		n := bitCount(y & 0x07) // TA, TB, TC
		td := y&0x08 != 0
		if td {
			if i+n >= len(atr) {
				return nil, fmt.Errorf("%w: interface bytes truncated", ErrBadATR)
			}
			y = atr[i+n] >> 4
			i += n + 1
			continue
		}
		i += n
		break
	}
	if i+k > len(atr) {
		return nil, fmt.Errorf("%w: %d historical bytes announced, %d present", ErrBadATR, k, len(atr)-i)
	}
	return atr[i : i+k], nil
}

func bitCount(b byte) int {
	n := 0
	for ; b != 0; b &= b - 1 {
		n++
	}
	return n
}

// IsCNS reports whether the ATR's historical bytes contain "CNS".
func IsCNS(atr []byte) bool {
	h, err := HistoricalBytes(atr)
	return err == nil && bytes.Contains(h, cnsMarker)
}

// BuildATR returns a T=1 ATR with the given historical bytes (at most 15):
// 3B, T0 = 80|K, TD1 = 01 (T=1, nothing more), the bytes, and TCK, the XOR of
// T0..the last historical byte. The virtual card uses it.
func BuildATR(hist []byte) []byte {
	hist = hist[:min(len(hist), 15)]
	atr := []byte{0x3B, 0x80 | byte(len(hist)), 0x01}
	atr = append(atr, hist...)
	var tck byte
	for _, b := range atr[1:] {
		tck ^= b
	}
	return append(atr, tck)
}
