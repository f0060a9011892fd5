package vcard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// The vpcd ports of the two slots of the default reader.conf entry:
// "Virtual PCD 00 00" and "Virtual PCD 00 01".
const (
	Slot0Addr = "127.0.0.1:35963"
	Slot1Addr = "127.0.0.1:35964"
)

// dialRetry is how long Insert keeps dialing, since the vpcd port opens
// only once pcscd has loaded the driver.
const (
	dialRetry = 5 * time.Second
	dialPause = 50 * time.Millisecond
)

// Slot is one vpcd slot: Insert puts a card in it, Remove takes it out.
type Slot struct {
	addr string
	log  *slog.Logger

	mu     sync.Mutex
	conn   net.Conn
	done   chan struct{}
	cancel context.CancelFunc // ends a Serve held by a stalled card
}

// NewSlot returns an empty slot that dials vpcd at addr.
func NewSlot(addr string, log *slog.Logger) *Slot {
	return &Slot{addr: addr, log: log}
}

// Insert dials vpcd (retrying for a few seconds) and serves card on the
// connection until Remove. pcscd reports the card present a few hundred
// milliseconds later.
func (s *Slot) Insert(ctx context.Context, card *Card) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		return ErrInserted
	}
	conn, err := dial(ctx, s.addr)
	if err != nil {
		return err
	}
	card.Reset()
	sctx, cancel := context.WithCancel(context.Background())
	s.conn, s.done, s.cancel = conn, make(chan struct{}), cancel
	go func(done chan struct{}) {
		defer close(done)
		err := card.ServeContext(sctx, conn)
		s.log.Debug("vcard: connection ended", "addr", s.addr, "err", err)
	}(s.done)
	s.log.Info("vcard: inserted", "addr", s.addr)
	return nil
}

func dial(ctx context.Context, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, dialRetry)
	defer cancel()
	var d net.Dialer
	t := time.NewTicker(dialPause)
	defer t.Stop()
	for {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %s: %v", ErrDial, addr, err)
		case <-t.C:
		}
	}
}

// Remove closes the connection, which vpcd reports as a removed card, and
// waits for the serving goroutine to end.
func (s *Slot) Remove() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return ErrNotInserted
	}
	s.cancel()
	err := s.conn.Close()
	<-s.done
	s.conn, s.done, s.cancel = nil, nil, nil
	s.log.Info("vcard: removed", "addr", s.addr)
	return err
}

// Inserted reports whether a card is in the slot.
func (s *Slot) Inserted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn != nil
}

// Close removes the card if there is one.
func (s *Slot) Close() error {
	if err := s.Remove(); err != nil && !errors.Is(err, ErrNotInserted) {
		return err
	}
	return nil
}
