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

// scardContext is the part of *scard.Context the Monitor uses, so that
// tests can stand in for pcscd losing readers or going away.
type scardContext interface {
	ListReaders() ([]string, error)
	GetStatusChange(rs []scard.ReaderState, timeout time.Duration) error
	Cancel() error
	Release() error
}

func establish() (scardContext, error) {
	sc, err := scard.EstablishContext()
	if err != nil {
		return nil, err
	}
	return sc, nil
}

// Monitor reports card insertions and removals in a set of readers, and
// readers going away and coming back. A card already present when Run
// starts is reported as Inserted. It survives a reader being unplugged and
// pcscd restarting: it re-lists the readers when pcscd's reader list
// changes (the \\?PnP?\Notification pseudo reader) and retries with a
// backoff (MinBackoff doubling to MaxBackoff) while pcscd is unreachable.
type Monitor struct {
	log       *slog.Logger
	readers   []string
	events    chan Event
	establish func() (scardContext, error)

	// MinBackoff and MaxBackoff bound the wait between retries.
	MinBackoff, MaxBackoff time.Duration

	mu sync.Mutex
	sc scardContext // its own context: SCardCancel cancels every wait on it
}

// NewMonitor watches the named readers (full names, see Context.FindReader
// and Assignment.Readers). It fails if pcscd cannot be reached now.
func NewMonitor(log *slog.Logger, readers ...string) (*Monitor, error) {
	return newMonitor(log, establish, readers...)
}

func newMonitor(log *slog.Logger, est func() (scardContext, error), readers ...string) (*Monitor, error) {
	sc, err := est()
	if err != nil {
		return nil, wrap("establish context", err)
	}
	return &Monitor{log: log, readers: readers, events: make(chan Event, 16), establish: est, sc: sc,
		MinBackoff: 250 * time.Millisecond, MaxBackoff: 10 * time.Second}, nil
}

// Events returns the channel of events; it is closed when Run returns.
func (m *Monitor) Events() <-chan Event { return m.events }

// wakeEvery bounds each wait: SCardCancel is lost if it lands between two
// waits, so the loop looks at its context at least this often.
const wakeEvery = time.Second

// pnpReader is pcsc-lite's pseudo reader that changes when a reader is
// added or removed.
const pnpReader = `\\?PnP?\Notification`

// errReadersChanged makes the monitor re-list the readers at once.
var errReadersChanged = errors.New("pcsc: reader list changed")

// Run waits for changes until ctx ends, then returns nil. Failures of
// pcscd or of a reader are logged and retried, never returned.
func (m *Monitor) Run(ctx context.Context) error {
	defer close(m.events)
	stop := context.AfterFunc(ctx, m.cancel)
	defer stop()
	w := newWatchState(m.readers)
	backoff := m.MinBackoff
	for ctx.Err() == nil {
		progress, err := m.watch(ctx, w)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, errReadersChanged):
			backoff = m.MinBackoff
			continue
		case progress:
			backoff = m.MinBackoff
		}
		m.log.Warn("pcsc: monitor: pcscd or a reader failed; retrying", "err", err, "after", backoff)
		if errors.Is(err, scard.ErrUnknownReader) || errors.Is(err, scard.ErrReaderUnavailable) {
			err = nil // the context is fine: re-list after the backoff
		}
		if err != nil {
			m.lostService(ctx, w)
		}
		if !sleepCtx(ctx, backoff) {
			return nil
		}
		backoff = min(2*backoff, m.MaxBackoff)
	}
	return nil
}

// watch lists the readers and waits for changes until an error.
// progress says whether at least one wait succeeded.
func (m *Monitor) watch(ctx context.Context, w *watchState) (progress bool, err error) {
	sc, err := m.context()
	if err != nil {
		return false, err
	}
	names, err := sc.ListReaders()
	if err != nil && !errors.Is(err, scard.ErrNoReadersAvailable) {
		return false, err
	}
	rs := m.listed(ctx, w, names)
	for ctx.Err() == nil {
		err := sc.GetStatusChange(rs, wakeEvery)
		switch {
		case ctx.Err() != nil:
			return progress, nil
		case errors.Is(err, scard.ErrTimeout):
			continue
		case err != nil:
			return progress, err
		}
		progress = true
		if err := m.changed(ctx, w, rs); err != nil {
			return progress, err
		}
	}
	return progress, nil
}

// changed emits the events of one successful wait.
func (m *Monitor) changed(ctx context.Context, w *watchState, rs []scard.ReaderState) error {
	var err error
	for i := range rs {
		r := &rs[i]
		first := r.CurrentState == scard.StateUnaware
		gone := r.EventState&(scard.StateUnknown|scard.StateUnavailable) != 0
		if r.EventState&scard.StateChanged != 0 && r.Reader == pnpReader && !first {
			err = errReadersChanged
		}
		r.CurrentState = r.EventState &^ scard.StateChanged
		if r.Reader == pnpReader {
			continue
		}
		if gone {
			err = errReadersChanged
			continue
		}
		m.presence(ctx, w, r.Reader, present(r.EventState), r.Atr)
	}
	return err
}

// context returns the monitor's pcscd context, establishing a new one
// after pcscd went away.
func (m *Monitor) context() (scardContext, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sc != nil {
		return m.sc, nil
	}
	sc, err := m.establish()
	if err != nil {
		return nil, err
	}
	m.sc = sc
	return sc, nil
}

// lostService drops the context (pcscd restarted or stopped) and reports
// every reader gone; they come back when pcscd lists them again.
func (m *Monitor) lostService(ctx context.Context, w *watchState) {
	m.mu.Lock()
	if m.sc != nil {
		_ = m.sc.Release()
		m.sc = nil
	}
	m.mu.Unlock()
	m.listed(ctx, w, nil)
}

func (m *Monitor) cancel() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sc != nil {
		_ = m.sc.Cancel()
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

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
