package pcsctest

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"cnskiosk.dev/hw/pcsc"
	"cnskiosk.dev/hw/vcard"
	"cnskiosk.dev/hw/vcard/vcardtest"
)

// The vpcd readers and the ports their virtual cards dial.
var (
	ReaderNames = [2]string{"Virtual PCD 00 00", "Virtual PCD 00 01"}
	slotAddrs   = [2]string{vcard.Slot0Addr, vcard.Slot1Addr}
)

// EventWait bounds a wait for pcscd to notice a card (it polls every ~400 ms).
const EventWait = 10 * time.Second

type tlog struct{ t testing.TB }

func (w tlog) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// Logger returns a debug logger writing to t.Log.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tlog{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Rig is pcscd with both vpcd slots, a Monitor on them and a Context.
type Rig struct {
	T       testing.TB
	PC      *pcsc.Context
	Mon     *pcsc.Monitor
	Slots   [2]*vcard.Slot
	Readers [2]string // full reader names
}

// New locks the slots, connects to pcscd and starts the Monitor. At the end
// of the test it removes the cards left in, waits until pcscd saw them
// leave, stops the Monitor and releases the lock.
func New(t testing.TB) *Rig {
	t.Helper()
	vcardtest.LockSlots(t)
	if os.Getenv("CNS_TEST_PCSCD") == "" {
		t.Log("CNS_TEST_PCSCD is unset; trying pcscd anyway")
	}
	log := Logger(t)
	pc, err := pcsc.Open(log)
	if err != nil {
		t.Fatalf("these tests need pcscd with the vpcd driver (scripts/services.sh starts it): %v", err)
	}
	r := &Rig{T: t, PC: pc}
	for i, name := range ReaderNames {
		if r.Readers[i], err = pc.FindReader(name); err != nil {
			_ = pc.Close()
			t.Fatalf("vpcd reader missing (install vsmartcard-vpcd and restart pcscd): %v", err)
		}
		r.Slots[i] = vcard.NewSlot(slotAddrs[i], log)
	}
	if r.Mon, err = pcsc.NewMonitor(log, r.Readers[:]...); err != nil {
		_ = pc.Close()
		t.Fatal(err)
	}
	r.start()
	return r
}

func (r *Rig) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Mon.Run(ctx) }()
	r.T.Cleanup(func() {
		for i, s := range r.Slots { // the next test must find the slots empty
			if s.Inserted() {
				r.Remove(i)
			}
		}
		cancel()
		if err := <-done; err != nil {
			r.T.Errorf("Monitor.Run: %v", err)
		}
		_ = r.Mon.Close()
		_ = r.PC.Close()
	})
}

// WaitEvent waits for kind in slot i, skipping other events.
func (r *Rig) WaitEvent(i int, kind pcsc.EventKind) pcsc.Event {
	r.T.Helper()
	timer := time.NewTimer(EventWait)
	defer timer.Stop()
	for {
		select {
		case ev, ok := <-r.Mon.Events():
			if !ok {
				r.T.Fatal("pcsctest: monitor stopped")
			}
			if ev.Reader == r.Readers[i] && ev.Kind == kind {
				return ev
			}
		case <-timer.C:
			r.T.Fatalf("pcsctest: no %v event in %s within %v", kind, r.Readers[i], EventWait)
		}
	}
}

// Insert puts card in slot i and waits until pcscd reports it present.
func (r *Rig) Insert(i int, card *vcard.Card) pcsc.Event {
	r.T.Helper()
	if err := r.Slots[i].Insert(context.Background(), card); err != nil {
		r.T.Fatal(err)
	}
	return r.WaitEvent(i, pcsc.Inserted)
}

// Remove takes the card out of slot i and waits until pcscd reports it.
func (r *Rig) Remove(i int) {
	r.T.Helper()
	if err := r.Slots[i].Remove(); err != nil {
		r.T.Fatal(err)
	}
	r.WaitEvent(i, pcsc.Removed)
}

// Connect opens the card in slot i and closes it at the end of the test.
func (r *Rig) Connect(i int) *pcsc.Card {
	r.T.Helper()
	c := r.ConnectNoCleanup(i)
	r.T.Cleanup(func() {
		if err := c.Close(); err != nil {
			r.T.Errorf("close: %v", err)
		}
	})
	return c
}

// ConnectNoCleanup opens the card in slot i; the caller closes it.
func (r *Rig) ConnectNoCleanup(i int) *pcsc.Card {
	r.T.Helper()
	c, err := r.PC.Connect(context.Background(), r.Readers[i])
	if err != nil {
		r.T.Fatal(err)
	}
	return c
}
