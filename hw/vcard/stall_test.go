package vcard_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"cnskiosk.dev/hw/vcard/vcardtest"
)

func TestStallTransmit(t *testing.T) {
	c, _ := vcardtest.Card(t, "adult")
	emptyVerify := []byte{0x00, 0x20, 0x00, 0x10}
	c.Stall()
	if !c.Stalled() {
		t.Fatal("Stalled() = false after Stall")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Transmit(ctx, emptyVerify); !errors.Is(err, context.Canceled) {
		t.Fatalf("stalled Transmit with a cancelled ctx: %v, want context.Canceled", err)
	}
	type res struct {
		out []byte
		err error
	}
	got := make(chan res, 1)
	go func() {
		out, err := c.Transmit(context.Background(), emptyVerify)
		got <- res{out, err}
	}()
	c.Unstall()
	r := <-got
	if r.err != nil || !bytes.Equal(r.out, []byte{0x63, 0xC3}) {
		t.Fatalf("held Transmit after Unstall = % X, %v; want 63 C3", r.out, r.err)
	}
	if c.Stalled() {
		t.Fatal("Stalled() = true after Unstall")
	}
}
