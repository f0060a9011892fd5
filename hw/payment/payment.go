package payment

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Payment runs payments on one device. Lifecycle: New, Run in a goroutine,
// Expect as often as needed (one at a time), Close.
type Payment struct {
	acc     Acceptor
	opt     Options
	log     *slog.Logger
	reqs    chan *session
	updates chan Update

	anomalies atomic.Int64
	mu        sync.Mutex
	running   bool
	closed    bool
	stop      chan struct{}
	done      chan struct{}
}

// New returns a Payment on acc. The device should start inhibited
// (coin.New does that).
func New(acc Acceptor, opt Options, log *slog.Logger) *Payment {
	opt = opt.withDefaults()
	return &Payment{
		acc: acc, opt: opt, log: log,
		reqs:    make(chan *session),
		updates: make(chan Update, opt.Buffer),
		stop:    make(chan struct{}), done: make(chan struct{}),
	}
}

// Updates carries progress for the screen. When the reader lags the oldest
// update is dropped, so the latest amount always gets through.
func (p *Payment) Updates() <-chan Update { return p.updates }

// Anomalies counts money and stuck-line reports seen with no payment open.
func (p *Payment) Anomalies() int64 { return p.anomalies.Load() }

// Expect lifts INHIBIT and collects amountCents within timeout. A payment
// that times out or is cancelled through ctx is not an error: Result.Status
// says so, and ReceivedCents holds any money taken. Errors are for bad
// arguments, a payment already running, or a device fault.
func (p *Payment) Expect(ctx context.Context, amountCents int64, timeout time.Duration) (Result, error) {
	switch {
	case amountCents <= 0:
		return Result{}, fmt.Errorf("%w: %d cents", ErrAmount, amountCents)
	case timeout <= 0:
		return Result{}, fmt.Errorf("%w: %s", ErrTimeout, timeout)
	}
	s := newSession(ctx, amountCents, timeout)
	select {
	case p.reqs <- s:
	case <-p.done:
		return Result{}, ErrClosed
	case <-p.stop:
		return Result{}, ErrClosed
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	select {
	case r := <-s.reply:
		return r.res, r.err
	case <-p.done:
		return Result{}, ErrClosed
	}
}

// Close stops Run, re-inhibiting the device; a payment in progress ends
// as cancelled.
func (p *Payment) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	running := p.running
	close(p.stop)
	p.mu.Unlock()
	if running {
		<-p.done
	} else {
		close(p.done)
	}
	return nil
}

func (p *Payment) publish(u Update) {
	for {
		select {
		case p.updates <- u:
			return
		default:
		}
		select { // full: drop the oldest
		case <-p.updates:
		default:
		}
	}
}

func (p *Payment) inhibit(on bool) error {
	if err := p.acc.SetInhibit(on); err != nil {
		p.log.Error("payment inhibit", "on", on, "err", err)
		return fmt.Errorf("%w: %w", ErrDevice, err)
	}
	return nil
}
