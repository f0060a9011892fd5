package coin

import (
	"context"
)

// Run watches the input until ctx is cancelled or Close is called. It
// returns nil on a clean stop. A train still open then is flushed.
func (a *Acceptor) Run(ctx context.Context) error {
	a.mu.Lock()
	if a.closed || a.running {
		a.mu.Unlock()
		return ErrClosed
	}
	a.running = true
	a.mu.Unlock()
	defer close(a.done)
	defer close(a.events)

	ctx, cancel := context.WithCancel(ctx)
	halted := make(chan struct{})
	defer func() { cancel(); <-halted }()
	go func() {
		defer close(halted)
		select {
		case <-a.stop:
			cancel()
		case <-ctx.Done():
		}
		_ = a.in.Halt() // interrupts a kernel wait for an edge
	}()
	for ctx.Err() == nil {
		a.deliver(ctx, a.step())
	}
	// Hand over what is still open, but never hang on a reader that left.
	fctx, fcancel := context.WithTimeout(context.Background(), a.opt.MaxWait)
	defer fcancel()
	a.deliver(fctx, a.dec.Flush(a.opt.Now()))
	return nil
}

// step waits for one edge or for the decoder's next deadline.
func (a *Acceptor) step() []Event {
	wait := a.opt.MaxWait
	if at, ok := a.dec.Deadline(); ok {
		if d := at.Sub(a.opt.Now()); d < wait {
			wait = d
		}
	}
	if wait <= 0 {
		return a.dec.Tick(a.opt.Now())
	}
	if a.in.WaitForEdge(wait) {
		return a.dec.Edge(a.isActive(a.in.Read()), a.opt.Now())
	}
	return a.dec.Tick(a.opt.Now())
}

func (a *Acceptor) deliver(ctx context.Context, evs []Event) {
	for _, e := range evs {
		a.logEvent(e)
		switch e.Kind {
		case EventTrain, EventApproved, EventStuck:
			select {
			case a.events <- e:
			case <-ctx.Done():
				a.log.Error("payment event lost at shutdown", "kind", e.Kind.String(), "cents", e.Train.Cents)
			}
		default:
			select {
			case a.events <- e:
			default:
				a.log.Debug("payment event dropped, reader lags", "kind", e.Kind.String())
			}
		}
	}
}

func (a *Acceptor) logEvent(e Event) {
	switch e.Kind {
	case EventTrain:
		a.log.Info("pulse train", "cents", e.Train.Cents, "pulses", e.Train.Count,
			"glitches", e.Train.Glitches, "ms", e.Train.End.Sub(e.Train.Start).Milliseconds())
	case EventApproved:
		a.log.Info("payment approved", "width", e.Pulse.Width)
	case EventStuck:
		a.log.Warn("payment line stuck active", "since", e.At.Add(-a.dec.cfg.Stuck))
	default:
		a.log.Debug("pulse", "kind", e.Kind.String(),
			"width", e.Pulse.Width, "cents", e.Cents)
	}
}

// Close stops Run (bounded by Options.MaxWait), asserts INHIBIT and
// releases both lines. Wire INHIBIT with a resistor to its inhibiting level
// so that a released line still refuses coins.
func (a *Acceptor) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	running := a.running
	close(a.stop)
	a.mu.Unlock()

	_ = a.in.Halt() // unblocks a kernel wait at once
	if running {
		<-a.done
	} else {
		close(a.events)
	}
	err := a.SetInhibit(true)
	release(a.in)
	if a.inhibit != nil {
		release(a.inhibit)
	}
	return err
}

// release frees a line that can be closed (gpioioctl lines can).
func release(p any) {
	switch c := p.(type) {
	case interface{ Close() error }:
		_ = c.Close()
	case interface{ Close() }:
		c.Close()
	}
}
