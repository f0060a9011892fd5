package payment

import (
	"context"
	"time"

	"cnskiosk.dev/hw/coin"
)

type reply struct {
	res Result
	err error
}

// session is one payment; only Run's goroutine touches it.
type session struct {
	ctx      context.Context
	expected int64
	timeout  time.Duration
	reply    chan reply

	started  time.Time
	timer    *time.Timer
	status   Status // empty while collecting
	received int64  // closed trains
	open     int64  // running amount of the open train
	approved bool
	trains   int
	pulses   []coin.Pulse
	graceEnd time.Time
	drainEnd time.Time
	fault    error // INHIBIT failed
}

func newSession(ctx context.Context, cents int64, timeout time.Duration) *session {
	return &session{ctx: ctx, expected: cents, timeout: timeout, reply: make(chan reply, 1)}
}

func (s *session) collecting() bool { return s.status == "" }

func (s *session) addTrain(t coin.Train) {
	s.received += t.Cents
	s.open = 0
	s.trains++
	s.pulses = append(s.pulses, t.Pulses...)
}

func (s *session) approve(t coin.Train) {
	s.approved = true
	s.received = s.expected
	s.trains++
	s.pulses = append(s.pulses, t.Pulses...)
}

// halt stops collecting: INHIBIT, then wait for coins still arriving.
func (p *Payment) halt(s *session, st Status) *session {
	s.status = st
	if err := p.inhibit(true); err != nil {
		s.fault = err
	}
	now := p.opt.Now()
	s.graceEnd = now
	if st != StatusPaid {
		s.graceEnd = now.Add(p.opt.Grace)
	}
	s.drainEnd = now.Add(p.opt.Drain)
	return p.settle(s)
}

// settle finishes the session once the grace time passed and no train is
// open, or when the drain time is up; otherwise it re-arms the timer.
func (p *Payment) settle(s *session) *session {
	now := p.opt.Now()
	switch {
	case s.open == 0 && !now.Before(s.graceEnd):
	case !now.Before(s.drainEnd):
		p.log.Warn("payment closed with a pulse train still open", "open_cents", s.open)
	default:
		next := s.drainEnd
		if s.open == 0 {
			next = s.graceEnd
		}
		s.timer.Reset(next.Sub(now))
		return s
	}
	p.finish(s)
	return nil
}

func (p *Payment) finish(s *session) {
	s.timer.Stop()
	r := Result{
		Status: s.status, ExpectedCents: s.expected, ReceivedCents: s.received,
		Approved: s.approved, Trains: s.trains, Pulses: s.pulses,
		Started: s.started, Ended: p.opt.Now(),
	}
	if r.Status != StatusPaid && r.ReceivedCents >= r.ExpectedCents {
		// The coins in the validator at timeout or cancel made up the price.
		p.log.Info("payment completed by coins taken after it was stopped", "stopped_by", string(r.Status))
		r.Status = StatusPaid
	}
	if r.Status == StatusPaid && r.ReceivedCents > r.ExpectedCents {
		r.OverpaidCents = r.ReceivedCents - r.ExpectedCents
	}
	if r.Status != StatusPaid && r.ReceivedCents > 0 {
		r.Status, r.EndedBy = StatusPartial, r.Status
	}
	if s.fault != nil {
		r.Fault = s.fault.Error()
		p.log.Error("payment device did not obey INHIBIT: report it faulty", "err", s.fault)
	}
	lvl := p.log.Info
	if r.Status != StatusPaid && r.ReceivedCents > 0 {
		lvl = p.log.Warn // money taken without a completed payment
	}
	lvl("payment ended", "status", string(r.Status), "ended_by", string(r.EndedBy), "expected_cents", r.ExpectedCents,
		"received_cents", r.ReceivedCents, "overpaid_cents", r.OverpaidCents, "trains", r.Trains)
	p.publish(Update{Kind: UpdateDone, At: r.Ended, ExpectedCents: r.ExpectedCents,
		ReceivedCents: r.ReceivedCents, Status: r.Status})
	s.reply <- reply{res: r, err: s.fault}
}

// shutdown cancels an open session and leaves the device inhibited.
func (p *Payment) shutdown(s *session, err error) {
	ierr := p.inhibit(true)
	if s == nil {
		return
	}
	if ierr != nil {
		s.fault = ierr
	}
	if s.collecting() {
		s.status = StatusCancelled
	}
	if s.open > 0 {
		// The train cannot close any more: count its pulses seen so far.
		p.log.Warn("payment stopped during a pulse train", "open_cents", s.open)
		s.received += s.open
		s.open = 0
	}
	if err != nil {
		s.timer.Stop()
		s.reply <- reply{err: err}
		return
	}
	p.finish(s)
}
