//go:build cgo

package pcsc

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/ebfe/scard"
)

// Monitor reports card insertions and removals in a set of readers. A
// card already present when Run starts is reported as Inserted.
type Monitor struct {
	log     *slog.Logger
	readers []string
	events  chan Event

	mu sync.Mutex
	sc *scard.Context // its own context: SCardCancel cancels every wait on it
}

// NewMonitor watches the named readers (full names, see Context.FindReader).
func NewMonitor(log *slog.Logger, readers ...string) (*Monitor, error) {
	sc, err := scard.EstablishContext()
	if err != nil {
		return nil, wrap("establish context", err)
	}
	return &Monitor{log: log, readers: readers, events: make(chan Event, 16), sc: sc}, nil
}

// Events returns the channel of events; it is closed when Run returns.
func (m *Monitor) Events() <-chan Event { return m.events }

// wakeEvery bounds each wait: SCardCancel is lost if it lands between two
// waits, so the loop looks at its context at least this often.
const wakeEvery = time.Second

// Run waits for changes until ctx ends (then it returns nil) or pcscd fails.
func (m *Monitor) Run(ctx context.Context) error {
	defer close(m.events)
	stop := context.AfterFunc(ctx, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.sc != nil {
			_ = m.sc.Cancel()
		}
	})
	defer stop()
	rs := make([]scard.ReaderState, len(m.readers))
	for i, r := range m.readers {
		rs[i] = scard.ReaderState{Reader: r, CurrentState: scard.StateUnaware}
	}
	present := make([]bool, len(rs))
	for ctx.Err() == nil {
		err := m.sc.GetStatusChange(rs, wakeEvery)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && !errors.Is(err, scard.ErrTimeout) {
			return wrap("get status change", err)
		}
		for i := range rs {
			m.update(ctx, &rs[i], &present[i])
		}
	}
	return nil
}

// update emits an event when a reader's presence flag changed.
func (m *Monitor) update(ctx context.Context, r *scard.ReaderState, was *bool) {
	now := present(r.EventState)
	r.CurrentState = r.EventState &^ scard.StateChanged
	if now == *was {
		return
	}
	*was = now
	ev := Event{Reader: r.Reader, Kind: Removed}
	if now {
		ev.Kind, ev.ATR = Inserted, append([]byte(nil), r.Atr...)
	}
	m.log.Info("pcsc: card "+ev.Kind.String(), "reader", r.Reader)
	select {
	case m.events <- ev:
	case <-ctx.Done():
	}
}

// Close releases the monitor's pcscd context. Call it after Run returned.
func (m *Monitor) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sc == nil {
		return nil
	}
	err := m.sc.Release()
	m.sc = nil
	return wrap("release", err)
}
