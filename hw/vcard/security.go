package vcard

import (
	"crypto/subtle"
	"math/big"

	"cnskiosk.dev/hw/apdu"
	"cnskiosk.dev/hw/cns"
)

// verify handles VERIFY (00 20 00 10): with no data it reports the tries
// left; with 8 bytes it checks the padded PIN. The last wrong try answers
// 6983 (blocked) instead of 63C0. Reference 11 checks the PUK.
func (c *Card) verify(cmd apdu.Command) []byte {
	if cmd.P1 == 0 && cmd.P2 == cns.PUKRef {
		return c.verifyPUK(cmd)
	}
	if cmd.P1 != 0 || cmd.P2 != cns.PINRef {
		return sw(0x6A88) // referenced data not found
	}
	if len(cmd.Data) == 0 {
		switch {
		case c.pinLeft == 0:
			return sw(apdu.SWBlocked)
		case c.st.verified:
			return sw(apdu.SWOK)
		}
		return sw(0x63C0 | uint16(c.pinLeft))
	}
	if len(cmd.Data) != 8 {
		return sw(apdu.SWWrongLength)
	}
	if c.pinLeft == 0 {
		return sw(apdu.SWBlocked)
	}
	if subtle.ConstantTimeCompare(cmd.Data, c.pinPad[:]) == 1 {
		c.pinLeft, c.st.verified = c.maxPIN, true
		return sw(apdu.SWOK)
	}
	c.st.verified = false
	c.pinLeft--
	if c.pinLeft == 0 {
		return sw(apdu.SWBlocked)
	}
	return sw(0x63C0 | uint16(c.pinLeft))
}

// resetRetry handles RESET RETRY COUNTER (00 2C P1 10): P1 00 carries the
// PUK and a new PIN (8 + 8 bytes), P1 01 the PUK only. A right PUK resets
// the PIN counter.
func (c *Card) resetRetry(cmd apdu.Command) []byte {
	want := map[byte]int{0x00: 16, 0x01: 8}[cmd.P1]
	if cmd.P2 != cns.PINRef || want == 0 {
		return sw(apdu.SWWrongP1P2)
	}
	if len(cmd.Data) != want {
		return sw(apdu.SWWrongLength)
	}
	if r := c.checkPUK(cmd.Data[:8]); r != nil {
		return r
	}
	c.pinLeft = c.maxPIN
	if want == 16 {
		copy(c.pinPad[:], cmd.Data[8:])
	}
	return sw(apdu.SWOK)
}

// verifyPUK handles VERIFY 00 20 00 11: tries left, or a PUK check that
// counts and blocks like the PIN's.
func (c *Card) verifyPUK(cmd apdu.Command) []byte {
	switch {
	case len(cmd.Data) == 0 && c.pukLeft == 0:
		return sw(apdu.SWBlocked)
	case len(cmd.Data) == 0:
		return sw(0x63C0 | uint16(c.pukLeft))
	case len(cmd.Data) != 8:
		return sw(apdu.SWWrongLength)
	}
	if r := c.checkPUK(cmd.Data); r != nil {
		return r
	}
	return sw(apdu.SWOK)
}

// checkPUK compares a padded PUK: nil when right (the PUK counter is
// reset), else the status to answer (63Cx, or 6983 once blocked).
func (c *Card) checkPUK(puk []byte) []byte {
	if c.pukLeft == 0 {
		return sw(apdu.SWBlocked)
	}
	if subtle.ConstantTimeCompare(puk, c.pukPad[:]) != 1 {
		c.pukLeft--
		if c.pukLeft == 0 {
			return sw(apdu.SWBlocked)
		}
		return sw(0x63C0 | uint16(c.pukLeft))
	}
	c.pukLeft = c.maxPUK
	return nil
}

// mse handles MANAGE SECURITY ENVIRONMENT: F3 03 restores the default
// environment; F1/41 with a key reference (83 01 01 or 84 01 01) selects
// CNS0 for the next PSO.
func (c *Card) mse(cmd apdu.Command) []byte {
	switch {
	case cmd.P1 == 0xF3:
		c.st.keySet = false
		return sw(apdu.SWOK)
	case cmd.P1 == 0xF1 || cmd.P1 == 0x41:
		d := cmd.Data
		if len(d) == 3 && (d[0] == 0x83 || d[0] == 0x84) && d[1] == 1 && d[2] == 1 {
			c.st.keySet = true
			return sw(apdu.SWOK)
		}
		return sw(0x6A80)
	}
	return sw(apdu.SWWrongP1P2)
}

// maxChain bounds the data of a chained PSO (a 4096-bit block is 512).
const maxChain = 512

// pso handles PSO COMPUTE DIGITAL SIGNATURE (00 2A 9E 9A): raw RSA with the
// CNS0 private key on the k-byte block the host padded. CLA 10 chains parts.
func (c *Card) pso(cmd apdu.Command) []byte {
	switch {
	case cmd.P1 != 0x9E || cmd.P2 != 0x9A:
		return sw(apdu.SWWrongP1P2)
	case c.key == nil:
		return sw(apdu.SWNotFound)
	case !c.st.verified:
		c.st.chain = nil
		return sw(apdu.SWSecurity)
	case !c.st.keySet:
		c.st.chain = nil
		return sw(apdu.SWConditions)
	}
	block := append(c.st.chain, cmd.Data...)
	if len(block) > maxChain {
		c.st.chain = nil
		return sw(apdu.SWWrongLength)
	}
	if cmd.CLA == 0x10 {
		c.st.chain = block
		return sw(apdu.SWOK)
	}
	c.st.chain = nil
	k := c.key.Size()
	if len(block) != k {
		return sw(apdu.SWWrongLength)
	}
	m := new(big.Int).SetBytes(block)
	if m.Cmp(c.key.N) >= 0 {
		return sw(0x6A80)
	}
	s := new(big.Int).Exp(m, c.key.D, c.key.N)
	return ok(s.FillBytes(make([]byte, k)))
}
