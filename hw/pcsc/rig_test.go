package pcsc

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/hw/vcard"
)

// The vpcd readers and the ports their virtual cards dial.
var (
	readerNames = [2]string{"Virtual PCD 00 00", "Virtual PCD 00 01"}
	slotAddrs   = [2]string{vcard.Slot0Addr, vcard.Slot1Addr}
)

// eventWait bounds a wait for pcscd to notice a card (it polls every ~400 ms).
const eventWait = 10 * time.Second

// tlog sends slog output to t.Log.
type tlog struct{ t testing.TB }

func (w tlog) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tlog{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// rig is pcscd with both vpcd slots, a Monitor on them and a Context.
type rig struct {
	t       testing.TB
	pc      *Context
	mon     *Monitor
	slots   [2]*vcard.Slot
	readers [2]string
}

func newRig(t testing.TB) *rig {
	t.Helper()
	if os.Getenv("CNS_TEST_PCSCD") == "" {
		t.Log("CNS_TEST_PCSCD is unset; trying pcscd anyway")
	}
	log := testLogger(t)
	pc, err := Open(log)
	if err != nil {
		t.Fatalf("these tests need pcscd with the vpcd driver (scripts/services.sh starts it): %v", err)
	}
	r := &rig{t: t, pc: pc}
	for i, name := range readerNames {
		if r.readers[i], err = pc.FindReader(name); err != nil {
			t.Fatalf("vpcd reader missing (install vsmartcard-vpcd and restart pcscd): %v", err)
		}
		r.slots[i] = vcard.NewSlot(slotAddrs[i], log)
	}
	if r.mon, err = NewMonitor(log, r.readers[:]...); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.mon.Run(ctx) }()
	t.Cleanup(func() {
		for i, s := range r.slots { // wait until pcscd saw the card leave: the next test must find the slot empty
			if s.Inserted() {
				r.remove(i)
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Monitor.Run: %v", err)
		}
		_ = r.mon.Close()
		_ = pc.Close()
	})
	return r
}

// waitEvent waits for kind in reader slot i, skipping other events.
func (r *rig) waitEvent(i int, kind EventKind) Event {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), eventWait)
	defer cancel()
	for {
		select {
		case ev, ok := <-r.mon.Events():
			if !ok {
				r.t.Fatal("monitor stopped")
			}
			if ev.Reader == r.readers[i] && ev.Kind == kind {
				return ev
			}
		case <-ctx.Done():
			r.t.Fatalf("no %v event in %s", kind, r.readers[i])
		}
	}
}

// insert puts card in slot i and waits until pcscd reports it present.
func (r *rig) insert(i int, card *vcard.Card) Event {
	r.t.Helper()
	if err := r.slots[i].Insert(context.Background(), card); err != nil {
		r.t.Fatal(err)
	}
	return r.waitEvent(i, Inserted)
}

// remove takes the card out of slot i and waits until pcscd reports it.
func (r *rig) remove(i int) {
	r.t.Helper()
	if err := r.slots[i].Remove(); err != nil {
		r.t.Fatal(err)
	}
	r.waitEvent(i, Removed)
}

// connect opens the card in slot i and closes it at the end of the test.
func (r *rig) connect(i int) *Card {
	r.t.Helper()
	c, err := r.pc.Connect(context.Background(), r.readers[i])
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() {
		if err := c.Close(); err != nil {
			r.t.Errorf("close: %v", err)
		}
	})
	return c
}

var (
	caOnce          sync.Once
	citizenCA, opCA *vcard.DevCA
	caErr           error
)

// card builds the virtual card of a profile in hw/profiles, with a 1024-bit
// key: the operator's signed by a test operator CA, citizens' by a test CNS CA.
func card(t testing.TB, name string) (*vcard.Card, *vcard.Profile) {
	t.Helper()
	caOnce.Do(func() {
		if citizenCA, caErr = vcard.NewDevCA("Test CNS CA", 1024); caErr == nil {
			opCA, caErr = vcard.NewDevCA("Test Operator CA", 1024)
		}
	})
	if caErr != nil {
		t.Fatal(caErr)
	}
	p, err := vcard.ReadProfile(filepath.Join("..", "profiles", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	ca := citizenCA
	if name == "operator" {
		ca = opCA
	}
	if err := ca.Issue(p, 1024); err != nil {
		t.Fatal(err)
	}
	c, err := vcard.New(p)
	if err != nil {
		t.Fatal(err)
	}
	return c, p
}
