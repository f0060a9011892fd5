package pcsc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"cnskiosk.dev/hw/cns"
	"cnskiosk.dev/hw/pcsc"
	"cnskiosk.dev/hw/pcsc/pcsctest"
	"cnskiosk.dev/hw/vcard/vcardtest"
)

// hangBound bounds how long a test waits for a call that must give up on
// a stalled card (its own deadline is stallDeadline).
const (
	stallDeadline = 500 * time.Millisecond
	hangBound     = 10 * time.Second
)

var selectMF = []byte{0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00}

// transmitStalled sends a command to a stalled card with a 500 ms deadline
// and checks that Transmit gives up with a *CancelError.
func transmitStalled(t *testing.T, c *pcsc.Card) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), stallDeadline)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Transmit(ctx, selectMF)
		errc <- err
	}()
	var err error
	select {
	case err = <-errc:
	case <-time.After(hangBound):
		t.Fatalf("Transmit to a stalled card still blocked %v after its deadline", hangBound)
	}
	var ce *pcsc.CancelError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, pcsc.ErrAbandoned) || !errors.As(err, &ce) {
		t.Fatalf("Transmit to a stalled card: %v; want a *CancelError with DeadlineExceeded", err)
	}
	if ce.Op != "transmit" || ce.Reader != c.Reader() {
		t.Errorf("CancelError{Op: %q, Reader: %q}, want transmit, %q", ce.Op, ce.Reader, c.Reader())
	}
	if _, err := c.Transmit(t.Context(), selectMF); !errors.Is(err, pcsc.ErrAbandoned) {
		t.Errorf("Transmit on an abandoned card: %v, want ErrAbandoned", err)
	}
	if err := c.Close(); err != nil { // must not wait for the card
		t.Errorf("Close of an abandoned card: %v", err)
	}
}

// waitReleased waits until the abandoned connection is gone.
func waitReleased(t *testing.T, c *pcsc.Card) {
	t.Helper()
	select {
	case <-c.Released():
	case <-time.After(hangBound):
		t.Fatalf("abandoned connection not released within %v", hangBound)
	}
}

// readSlot0 connects to slot 0 (bounded) and reads the card.
func readSlot0(t *testing.T, r *pcsctest.Rig) cns.Card {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), hangBound)
	defer cancel()
	c, err := r.PC.Connect(ctx, r.Readers[0])
	if err != nil {
		t.Fatalf("connect after the stall: %v", err)
	}
	defer c.Close()
	got, err := cns.ReadCard(ctx, c)
	if err != nil {
		t.Fatalf("read after the stall: %v", err)
	}
	return got
}

func TestStalledCardUnstalled(t *testing.T) {
	r := pcsctest.New(t)
	vc, p := vcardtest.Card(t, "adult")
	r.Insert(0, vc)
	c := r.ConnectNoCleanup(0)
	vc.Stall()
	transmitStalled(t, c)
	vc.Unstall() // the held command is answered, then the handle goes
	waitReleased(t, c)
	checkCard(t, readSlot0(t, r), p)
}

func TestStalledCardReinserted(t *testing.T) {
	r := pcsctest.New(t)
	vc, _ := vcardtest.Card(t, "adult")
	r.Insert(0, vc)
	c := r.ConnectNoCleanup(0)
	vc.Stall()
	transmitStalled(t, c)
	r.Remove(0) // vpcd sees the card gone; pcscd fails the held command
	waitReleased(t, c)
	vc2, p2 := vcardtest.Card(t, "minor")
	r.Insert(0, vc2)
	checkCard(t, readSlot0(t, r), p2)
}

func TestConnectCancelled(t *testing.T) {
	r := pcsctest.New(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := r.PC.Connect(ctx, r.Readers[0])
	if !errors.Is(err, context.Canceled) || !errors.Is(err, pcsc.ErrAbandoned) {
		t.Fatalf("Connect with a cancelled ctx: %v, want context.Canceled and ErrAbandoned", err)
	}
}
