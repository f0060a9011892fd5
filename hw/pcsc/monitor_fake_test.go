//go:build cgo

package pcsc

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ebfe/scard"
)

// fakePCSCD stands in for pcscd: readers come and go, the service stops
// and starts; waits end on a change, a timeout or Cancel.
type fakePCSCD struct {
	mu       sync.Mutex
	up       bool
	readers  map[string]bool // reader -> card present
	changed  chan struct{}   // closed on every change
	dials    []time.Time     // establish attempts
	released int
}

func newFake() *fakePCSCD {
	return &fakePCSCD{up: true, readers: map[string]bool{}, changed: make(chan struct{})}
}

func (f *fakePCSCD) set(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *fakePCSCD) establish() (scardContext, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dials = append(f.dials, time.Now())
	if !f.up {
		return nil, scard.ErrNoService
	}
	return &fakeCtx{f: f, cancel: make(chan struct{})}, nil
}

type fakeCtx struct {
	f      *fakePCSCD
	mu     sync.Mutex
	cancel chan struct{}
}

func (c *fakeCtx) ListReaders() ([]string, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if !c.f.up {
		return nil, scard.ErrNoService
	}
	var rs []string
	for r := range c.f.readers {
		rs = append(rs, r)
	}
	slices.Sort(rs)
	if len(rs) == 0 {
		return nil, scard.ErrNoReadersAvailable
	}
	return rs, nil
}

// poll fills the event states; it reports whether anything changed.
func (c *fakeCtx) poll(rs []scard.ReaderState) (bool, chan struct{}, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if !c.f.up {
		return false, nil, scard.ErrServiceStopped
	}
	any := false
	for i := range rs {
		r := &rs[i]
		var st scard.StateFlag
		if r.Reader == pnpReader {
			st = scard.StateFlag(len(c.f.readers) << 16)
		} else if card, ok := c.f.readers[r.Reader]; !ok {
			return false, nil, scard.ErrUnknownReader
		} else if card {
			st = scard.StatePresent
		} else {
			st = scard.StateEmpty
		}
		r.EventState = st
		if st != r.CurrentState&^scard.StateChanged || r.CurrentState == scard.StateUnaware {
			r.EventState |= scard.StateChanged
			any = true
		}
	}
	return any, c.f.changed, nil
}

func (c *fakeCtx) GetStatusChange(rs []scard.ReaderState, timeout time.Duration) error {
	for {
		any, changed, err := c.poll(rs)
		if err != nil || any {
			return err
		}
		c.mu.Lock()
		cancel := c.cancel
		c.mu.Unlock()
		select {
		case <-changed:
		case <-time.After(timeout):
			return scard.ErrTimeout
		case <-cancel:
			return scard.ErrCancelled
		}
	}
}

func (c *fakeCtx) Cancel() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.cancel)
	c.cancel = make(chan struct{})
	return nil
}

func (c *fakeCtx) Release() error {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.f.released++
	return nil
}

func next(t *testing.T, m *Monitor) Event {
	t.Helper()
	select {
	case ev, ok := <-m.Events():
		if !ok {
			t.Fatal("monitor stopped")
		}
		return ev
	case <-time.After(time.Minute): // virtual time
		t.Fatal("no event")
	}
	return Event{}
}

// TestMonitorRecovers: the monitor reports a reader unplugged and plugged
// back, survives pcscd stopping (retrying with a doubling backoff) and
// reports the card again when pcscd is back; it stops cleanly on cancel.
func TestMonitorRecovers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.readers["A"], f.readers["B"] = true, false
		log := slog.New(slog.NewTextHandler(t.Output(), nil))
		m, err := newMonitor(log, f.establish, "A", "B", "C")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx) }()
		want := func(reader string, kind EventKind) {
			t.Helper()
			if ev := next(t, m); ev.Reader != reader || ev.Kind != kind {
				t.Fatalf("event %s %v, want %s %v", ev.Reader, ev.Kind, reader, kind)
			}
		}
		want("C", ReaderGone) // configured but absent at start
		want("A", Inserted)
		f.set(func() { delete(f.readers, "A") })
		want("A", Removed)
		want("A", ReaderGone)
		f.set(func() { f.readers["A"] = true })
		want("A", ReaderBack)
		want("A", Inserted)

		f.set(func() { f.up = false; f.dials = nil })
		want("A", Removed)
		want("A", ReaderGone)
		want("B", ReaderGone)
		<-time.After(5 * time.Second) // the bubble's virtual clock: several failed attempts, no real wait
		synctest.Wait()
		f.set(func() { f.up = true })
		want("A", ReaderBack)
		want("B", ReaderBack)
		want("A", Inserted)
		checkBackoff(t, f.dials, m.MinBackoff, m.MaxBackoff)

		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run = %v, want nil", err)
		}
		if _, ok := <-m.Events(); ok {
			t.Error("events not closed")
		}
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	})
}

// checkBackoff asserts the gaps between establish attempts double (the
// first retry after a working session waits lo, so the first gap between
// two failed attempts is 2*lo) and never exceed hi.
func checkBackoff(t *testing.T, dials []time.Time, lo, hi time.Duration) {
	t.Helper()
	if len(dials) < 4 {
		t.Fatalf("%d attempts to reach pcscd, want several", len(dials))
	}
	want := 2 * lo
	for i := 1; i < len(dials); i++ {
		if got := dials[i].Sub(dials[i-1]); got != want {
			t.Errorf("attempt %d after %v, want %v", i, got, want)
		}
		want = min(2*want, hi)
	}
}
