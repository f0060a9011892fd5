package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"cnskiosk.dev/hw/escpos"
)

// DefaultTimeout bounds one status request or one write when ctx has no
// earlier deadline.
const DefaultTimeout = 3 * time.Second

// Options tune a Printer.
type Options struct {
	Logger  *slog.Logger  // required; logs status and errors, never receipt content
	Timeout time.Duration // per request; DefaultTimeout if zero

	// NoProcessID is for printers without GS ( H fn 48: Print then waits
	// the estimated print time (EstimatePrintTime) before the final status.
	NoProcessID bool
	// LineTime is the time to print one line, for EstimatePrintTime;
	// DefaultLineTime if zero.
	LineTime time.Duration
}

// Printer is an ESC/POS printer on a Conn. Its methods are safe for
// concurrent use; requests are serialised.
type Printer struct {
	mu      sync.Mutex
	conn    Conn
	log     *slog.Logger
	timeout time.Duration
	noPID   bool
	line    time.Duration
	seq     int  // last process ID sent
	dirty   bool // a request timed out: a late answer may be waiting
	closed  bool
}

// New returns a Printer on conn. It takes ownership of conn.
func New(conn Conn, opt Options) *Printer {
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.LineTime <= 0 {
		opt.LineTime = DefaultLineTime
	}
	return &Printer{conn: conn, log: opt.Logger, timeout: opt.Timeout, noPID: opt.NoProcessID, line: opt.LineTime}
}

// Open dials the printer at addr (see ParseAddress) and returns it.
func Open(ctx context.Context, addr string, opt Options) (*Printer, error) {
	a, err := ParseAddress(addr)
	if err != nil {
		return nil, err
	}
	c, err := Dial(ctx, a)
	if err != nil {
		return nil, err
	}
	return New(c, opt), nil
}

// Close closes the transport.
func (p *Printer) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	return p.conn.Close()
}

// Status reads the four real-time status bytes.
func (p *Printer) Status(ctx context.Context) (Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status(ctx)
}

// Print checks the status, sends data (a whole receipt, ending with a cut),
// waits until the printer has printed it (see waitPrinted) and checks the
// status again. If the printer cannot print it returns the status error
// and sends nothing. If something went wrong while printing (paper out in
// the middle, cover opened) it returns ErrIncomplete joined with the
// cause. The returned Status is the last one read; its PaperNearEnd asks
// for a new roll soon.
func (p *Printer) Print(ctx context.Context, data []byte) (Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st, err := p.status(ctx)
	if err != nil {
		return st, err
	}
	if err := st.Err(); err != nil {
		p.log.WarnContext(ctx, "printer not ready", "status", st.String())
		return st, err
	}
	if err := p.io(ctx, func() error { _, err := p.conn.Write(p.withProcessID(data)); return err }); err != nil {
		return st, fmt.Errorf("%w: write: %w", ErrIncomplete, err)
	}
	confirmed := p.waitPrinted(ctx, data)
	after, err := p.status(ctx)
	if err != nil {
		return after, fmt.Errorf("%w: %w", ErrIncomplete, err)
	}
	if err := after.Err(); err != nil {
		p.log.WarnContext(ctx, "printer failed while printing", "status", after.String())
		return after, fmt.Errorf("%w: %w", ErrIncomplete, err)
	}
	if !confirmed && !p.noPID {
		p.log.WarnContext(ctx, "printer does not answer GS ( H: waiting the estimated print time from now on")
		p.noPID = true
	}
	p.log.DebugContext(ctx, "receipt printed", "bytes", len(data), "status", after.String())
	return after, nil
}

func (p *Printer) status(ctx context.Context) (Status, error) {
	if p.closed {
		return Status{}, ErrClosed
	}
	if p.dirty {
		p.drain()
	}
	var st Status
	for n := byte(1); n <= 4; n++ {
		var b [1]byte
		err := p.io(ctx, func() error {
			if _, err := p.conn.Write(escpos.StatusRequest(n)); err != nil {
				return err
			}
			_, err := io.ReadFull(p.conn, b[:])
			return err
		})
		if err != nil {
			return st, err
		}
		if err := st.Apply(n, b[0]); err != nil {
			p.dirty = true
			return st, err
		}
	}
	return st, nil
}

// io runs fn with the connection's deadline set to the earlier of ctx's
// deadline and now+timeout; a cancelled ctx interrupts it at once.
func (p *Printer) io(ctx context.Context, fn func() error) error {
	return p.ioFor(ctx, p.timeout, fn)
}

// ioFor is io with the timeout d.
func (p *Printer) ioFor(ctx context.Context, d time.Duration, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	dl := time.Now().Add(d)
	if d, ok := ctx.Deadline(); ok && d.Before(dl) {
		dl = d
	}
	if err := p.conn.SetDeadline(dl); err != nil && !errors.Is(err, os.ErrNoDeadline) {
		return fmt.Errorf("printer: set deadline: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { _ = p.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	err := fn()
	if err == nil {
		return nil
	}
	p.dirty = true
	if errors.Is(err, os.ErrDeadlineExceeded) || ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return fmt.Errorf("printer: %w", err)
}

// drain discards late answers of a request that timed out.
func (p *Printer) drain() {
	var buf [64]byte
	for range 16 {
		_ = p.conn.SetDeadline(time.Now().Add(20 * time.Millisecond))
		if n, err := p.conn.Read(buf[:]); n == 0 || err != nil {
			break
		}
	}
	p.dirty = false
}
