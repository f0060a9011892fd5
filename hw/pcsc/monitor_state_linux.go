//go:build cgo

package pcsc

import (
	"context"
	"slices"

	"github.com/ebfe/scard"
)

// watchState is what a Monitor knows of each watched reader, across
// reconnections to pcscd.
type watchState struct {
	readers   []string
	available map[string]bool // listed by pcscd now
	seen      map[string]bool // its availability was reported at least once
	card      map[string]bool // a card is present
}

func newWatchState(readers []string) *watchState {
	return &watchState{readers: readers, available: map[string]bool{}, seen: map[string]bool{}, card: map[string]bool{}}
}

// listed reconciles the watched readers with pcscd's list: a reader that
// left gives Removed (if it held a card) and ReaderGone, one that came back
// ReaderBack (a missing reader is reported gone once at start). It returns
// the states to wait on: the available readers and the PnP pseudo reader.
func (m *Monitor) listed(ctx context.Context, w *watchState, names []string) []scard.ReaderState {
	var rs []scard.ReaderState
	for _, r := range w.readers {
		now := slices.Contains(names, r)
		if now {
			rs = append(rs, scard.ReaderState{Reader: r, CurrentState: scard.StateUnaware})
		}
		was, seen := w.available[r], w.seen[r]
		w.available[r], w.seen[r] = now, true
		switch {
		case !now && (was || !seen):
			m.presence(ctx, w, r, false, nil)
			m.emit(ctx, Event{Reader: r, Kind: ReaderGone})
		case now && !was && seen:
			m.emit(ctx, Event{Reader: r, Kind: ReaderBack})
		}
	}
	return append(rs, scard.ReaderState{Reader: pnpReader, CurrentState: scard.StateUnaware})
}

// presence emits Inserted or Removed when a reader's card presence changed.
func (m *Monitor) presence(ctx context.Context, w *watchState, reader string, now bool, atr []byte) {
	if w.card[reader] == now {
		return
	}
	w.card[reader] = now
	ev := Event{Reader: reader, Kind: Removed}
	if now {
		ev.Kind, ev.ATR = Inserted, append([]byte(nil), atr...)
	}
	m.emit(ctx, ev)
}

func (m *Monitor) emit(ctx context.Context, ev Event) {
	m.log.Info("pcsc: "+ev.Kind.String(), "reader", ev.Reader)
	select {
	case m.events <- ev:
	case <-ctx.Done():
	}
}
