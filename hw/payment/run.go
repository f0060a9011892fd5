package payment

import (
	"context"
	"time"

	"cnskiosk.dev/hw/coin"
)

// Run serves payments until ctx is cancelled, Close is called or the
// device's event stream ends (ErrDevice). It owns all payment state.
func (p *Payment) Run(ctx context.Context) error {
	p.mu.Lock()
	if p.closed || p.running {
		p.mu.Unlock()
		return ErrClosed
	}
	p.running = true
	p.mu.Unlock()
	defer close(p.done)

	var s *session
	events := p.acc.Events()
	for {
		var timer <-chan time.Time
		var cancelled <-chan struct{}
		if s != nil {
			timer = s.timer.C
			if s.collecting() {
				cancelled = s.ctx.Done()
			}
		}
		select {
		case <-ctx.Done():
			p.shutdown(s, nil)
			return nil
		case <-p.stop:
			p.shutdown(s, nil)
			return nil
		case r := <-p.reqs:
			if s != nil {
				r.reply <- reply{err: ErrBusy}
				continue
			}
			s = p.start(r)
		case e, ok := <-events:
			if !ok {
				p.shutdown(s, ErrDevice)
				return ErrDevice
			}
			s = p.onEvent(s, e)
		case <-timer:
			s = p.onTimer(s)
		case <-cancelled:
			s = p.halt(s, StatusCancelled)
		}
	}
}

func (p *Payment) start(s *session) *session {
	s.started = p.opt.Now()
	if err := p.inhibit(false); err != nil {
		_ = p.inhibit(true)
		s.reply <- reply{err: err}
		return nil
	}
	s.timer = time.NewTimer(s.timeout)
	p.log.Info("payment started", "expected_cents", s.expected, "timeout", s.timeout)
	p.publish(Update{Kind: UpdateStarted, At: s.started, ExpectedCents: s.expected})
	return s
}

func (p *Payment) onEvent(s *session, e coin.Event) *session {
	if s == nil {
		p.anomaly(e)
		return nil
	}
	switch e.Kind {
	case coin.EventPulse:
		s.open = e.Cents
		p.progress(s)
		if s.collecting() {
			s.timer.Reset(s.timeout) // a citizen feeding coins is never cut off
		}
		if s.collecting() && s.received+s.open >= s.expected {
			if err := p.inhibit(true); err != nil { // enough: refuse the next coin now
				s.fault = err
			}
		}
	case coin.EventTrain:
		s.addTrain(e.Train)
		p.progress(s)
		if s.collecting() && s.received >= s.expected {
			return p.halt(s, StatusPaid)
		}
	case coin.EventApproved:
		if !s.collecting() {
			p.anomaly(e)
			return s
		}
		s.approve(e.Train)
		p.progress(s)
		return p.halt(s, StatusPaid)
	case coin.EventStuck:
		p.anomaly(e)
	}
	if !s.collecting() {
		return p.settle(s)
	}
	return s
}

func (p *Payment) onTimer(s *session) *session {
	if s.collecting() {
		return p.halt(s, StatusTimeout)
	}
	return p.settle(s)
}

func (p *Payment) progress(s *session) {
	p.publish(Update{Kind: UpdateProgress, At: p.opt.Now(),
		ExpectedCents: s.expected, ReceivedCents: s.received + s.open})
}

func (p *Payment) anomaly(e coin.Event) {
	reason := "payment while inhibited"
	switch e.Kind {
	case coin.EventPulse, coin.EventGlitch, coin.EventRejected:
		return // reported once, with the whole train
	case coin.EventStuck:
		reason = "payment line stuck active"
	}
	n := p.anomalies.Add(1)
	p.log.Warn(reason, "kind", e.Kind.String(), "cents", e.Train.Cents,
		"pulses", e.Train.Count, "anomalies", n)
	p.publish(Update{Kind: UpdateAnomaly, At: e.At, ReceivedCents: e.Train.Cents, Reason: reason})
}
