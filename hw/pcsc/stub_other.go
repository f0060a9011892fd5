//go:build !linux || !cgo

package pcsc

import (
	"context"
	"log/slog"
)

// This build has no PC/SC: every constructor fails with ErrUnsupported, so
// a binary built with CGO_ENABLED=0 (or for another OS) still runs its
// other commands and says clearly why the card cannot be read.

// Context is a connection to pcscd (unavailable in this build).
type Context struct{}

// Open fails: this build has no PC/SC.
func Open(*slog.Logger) (*Context, error) { return nil, ErrUnsupported }

// Readers fails: this build has no PC/SC.
func (*Context) Readers() ([]string, error) { return nil, ErrUnsupported }

// FindReader fails: this build has no PC/SC.
func (*Context) FindReader(string) (string, error) { return "", ErrUnsupported }

// ReaderWithCard fails: this build has no PC/SC.
func (*Context) ReaderWithCard(string) (string, error) { return "", ErrUnsupported }

// Slots fails: this build has no PC/SC.
func (*Context) Slots(Slots) (Assignment, error) { return Assignment{}, ErrUnsupported }

// Connect fails: this build has no PC/SC.
func (*Context) Connect(context.Context, string) (*Card, error) { return nil, ErrUnsupported }

// Close does nothing.
func (*Context) Close() error { return nil }

// Card is an open card (unavailable in this build).
type Card struct{}

// Reader returns "".
func (*Card) Reader() string { return "" }

// ATR returns nil.
func (*Card) ATR() []byte { return nil }

// Transmit fails: this build has no PC/SC.
func (*Card) Transmit(context.Context, []byte) ([]byte, error) { return nil, ErrUnsupported }

// Close does nothing.
func (*Card) Close() error { return nil }

// Released is closed: there is no connection.
func (*Card) Released() <-chan struct{} { return closedCh }

var closedCh = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// Monitor reports card events (unavailable in this build).
type Monitor struct{}

// NewMonitor fails: this build has no PC/SC.
func NewMonitor(*slog.Logger, ...string) (*Monitor, error) { return nil, ErrUnsupported }

// Events returns a closed channel.
func (*Monitor) Events() <-chan Event {
	ch := make(chan Event)
	close(ch)
	return ch
}

// Run fails: this build has no PC/SC.
func (*Monitor) Run(context.Context) error { return ErrUnsupported }

// Close does nothing.
func (*Monitor) Close() error { return nil }
