package vcard

import (
	"context"
	"crypto/rsa"
	"fmt"
	"sync"

	"cnskiosk.dev/hw/apdu"
	"cnskiosk.dev/hw/cns"
)

// Card is a virtual TS-CNS. Its methods are safe for concurrent use.
type Card struct {
	atr     []byte
	mf      *file
	key     *rsa.PrivateKey
	pinPad  [8]byte
	pukPad  [8]byte
	maxPIN  int
	maxPUK  int
	mu      sync.Mutex
	st      state
	pinLeft int
	pukLeft int
	stall   chan struct{} // non-nil while stalled; closed by Unstall
}

// state is what power off and reset clear.
type state struct {
	df, ef   *file
	verified bool
	keySet   bool
	chain    []byte
}

// New builds a card from a profile.
func New(p *Profile) (*Card, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	id, err := cns.EncodeIDCarta(p.TEAM)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProfile, err)
	}
	pers, err := p.Personal.Encode()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProfile, err)
	}
	c := &Card{atr: cns.BuildATR([]byte(p.Historical)), mf: buildFS(id, pers, p.certDER), key: p.key,
		maxPIN: p.MaxTries, maxPUK: p.PUKMaxTries, pinLeft: p.PINTries, pukLeft: p.PUKTries}
	if c.pinPad, err = pad(p.PIN); err != nil {
		return nil, fmt.Errorf("%w: pin: %v", ErrProfile, err)
	}
	if c.pukPad, err = pad(p.PUK); err != nil {
		return nil, fmt.Errorf("%w: puk: %v", ErrProfile, err)
	}
	return c, nil
}

func pad(pin string) ([8]byte, error) {
	b := [8]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}
	if len(pin) < 4 || len(pin) > 8 {
		return b, cns.ErrBadPINFormat
	}
	copy(b[:], pin)
	return b, nil
}

// ATR returns the card's answer to reset.
func (c *Card) ATR() []byte { return append([]byte(nil), c.atr...) }

// PINTriesLeft returns the PIN retry counter.
func (c *Card) PINTriesLeft() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pinLeft
}

// Transmit processes one command in-process, as if through a reader. A
// stalled card holds it until Unstall or the end of ctx (then ctx.Err()).
func (c *Card) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := c.waitStall(ctx); err != nil {
		return nil, err
	}
	return c.Process(cmd), nil
}

// Reset clears the selection, the PIN state and the security environment,
// as power off, power on and warm reset do.
func (c *Card) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.st = state{}
}

// Process executes one command APDU and returns the response APDU.
func (c *Card) Process(raw []byte) []byte {
	cmd, err := apdu.ParseCommand(raw)
	if err != nil {
		return sw(apdu.SWWrongLength)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cmd.CLA != 0x00 && !(cmd.CLA == 0x10 && cmd.INS == 0x2A) {
		return sw(apdu.SWCLANotSupported)
	}
	if cmd.INS != 0x2A {
		c.st.chain = nil
	}
	switch cmd.INS {
	case 0xA4:
		return c.selectFile(cmd)
	case 0xB0:
		return c.readBinary(cmd)
	case 0x20:
		return c.verify(cmd)
	case 0x2C:
		return c.resetRetry(cmd)
	case 0x22:
		return c.mse(cmd)
	case 0x2A:
		return c.pso(cmd)
	}
	return sw(apdu.SWINSNotSupported)
}

func sw(s uint16) []byte { return []byte{byte(s >> 8), byte(s)} }

func ok(data []byte) []byte { return append(append([]byte(nil), data...), 0x90, 0x00) }
