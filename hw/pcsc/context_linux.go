//go:build cgo

package pcsc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/ebfe/scard"
)

// Context is a connection to pcscd. Its methods are safe for concurrent use.
type Context struct {
	log *slog.Logger
	mu  sync.Mutex
	sc  *scard.Context
}

// Open connects to pcscd.
func Open(log *slog.Logger) (*Context, error) {
	sc, err := scard.EstablishContext()
	if err != nil {
		return nil, wrap("establish context", err)
	}
	return &Context{log: log, sc: sc}, nil
}

// Readers lists the reader names pcscd knows.
func (c *Context) Readers() ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sc == nil {
		return nil, ErrClosed
	}
	r, err := c.sc.ListReaders()
	if err != nil {
		return nil, wrap("list readers", err)
	}
	return r, nil
}

// FindReader returns the first reader whose name contains substr.
func (c *Context) FindReader(substr string) (string, error) {
	rs, err := c.Readers()
	if err != nil {
		return "", err
	}
	for _, r := range rs {
		if strings.Contains(r, substr) {
			return r, nil
		}
	}
	return "", fmt.Errorf("%w: %q among %q", ErrNoReader, substr, rs)
}

// ReaderWithCard returns the first reader whose name contains substr
// ("" matches every reader) and that holds a card; ErrNoCard if none does.
func (c *Context) ReaderWithCard(substr string) (string, error) {
	all, err := c.Readers()
	if err != nil {
		return "", err
	}
	var rs []scard.ReaderState
	for _, r := range all {
		if strings.Contains(r, substr) {
			rs = append(rs, scard.ReaderState{Reader: r, CurrentState: scard.StateUnaware})
		}
	}
	if len(rs) == 0 {
		return "", fmt.Errorf("%w: %q among %q", ErrNoReader, substr, all)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sc == nil {
		return "", ErrClosed
	}
	if err := c.sc.GetStatusChange(rs, 0); err != nil && !errors.Is(err, scard.ErrTimeout) {
		return "", wrap("get status change", err)
	}
	for _, r := range rs {
		if present(r.EventState) {
			return r.Reader, nil
		}
	}
	return "", fmt.Errorf("%w: in the readers matching %q; readers found: %q", ErrNoCard, substr, all)
}

// Slots resolves the citizen and operator readers among those pcscd lists.
func (c *Context) Slots(s Slots) (Assignment, error) {
	rs, err := c.Readers()
	if err != nil {
		return Assignment{}, err
	}
	return s.Resolve(rs)
}

// Connect opens the card in reader (shared mode, T=0 or T=1) on a pcscd
// context of its own. If ctx ends first it returns a *CancelError and the
// connection, if it is ever made, is closed in the background.
func (c *Context) Connect(ctx context.Context, reader string) (*Card, error) {
	if err := ctx.Err(); err != nil {
		return nil, &CancelError{Op: "connect", Reader: reader, Err: err}
	}
	c.mu.Lock()
	closed := c.sc == nil
	c.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	type result struct {
		card *Card
		err  error
	}
	done := make(chan result, 1)
	go func() {
		card, err := connect(reader)
		done <- result{card, err}
	}()
	select {
	case r := <-done:
		if r.err == nil {
			c.log.Debug("pcsc: connected", "reader", reader, "atr", fmt.Sprintf("%X", r.card.atr))
		}
		return r.card, r.err
	case <-ctx.Done():
		go func() {
			if r := <-done; r.err == nil {
				_ = r.card.Close()
			}
		}()
		return nil, &CancelError{Op: "connect", Reader: reader, Err: ctx.Err()}
	}
}

// connect establishes a context and connects to the card in reader.
func connect(reader string) (*Card, error) {
	sc, err := scard.EstablishContext()
	if err != nil {
		return nil, wrap("establish context", err)
	}
	h, err := sc.Connect(reader, scard.ShareShared, scard.ProtocolAny)
	if err != nil {
		_ = sc.Release()
		return nil, wrap("connect "+reader, err)
	}
	st, err := h.Status()
	if err != nil {
		_ = h.Disconnect(scard.LeaveCard)
		_ = sc.Release()
		return nil, wrap("status "+reader, err)
	}
	return newCard(reader, sc, h, st.Atr), nil
}

// Close releases the connection to pcscd.
func (c *Context) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sc == nil {
		return nil
	}
	err := c.sc.Release()
	c.sc = nil
	return wrap("release", err)
}
