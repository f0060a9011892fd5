package gpiosim

import (
	"context"
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// Coin acceptor and POS relay timings of the simulation.
const (
	PulseWidth = 20 * time.Millisecond
	PulseGap   = 100 * time.Millisecond
	POSWidth   = 150 * time.Millisecond
	bounceStep = time.Millisecond
)

// Injector drives a simulated coin acceptor or POS relay on Line.
type Injector struct {
	// Line is the signal the code under test reads.
	Line *Pin
	// Inhibit, when set, is read before each coin: at InhibitLevel the coin
	// is refused, as a real acceptor does.
	Inhibit      gpio.PinIn
	InhibitLevel gpio.Level
	// ActiveHigh: the line is high during a pulse. The default is active
	// low, as behind an optocoupler pulling a pulled-up input to ground.
	ActiveHigh bool
	// PulseCents is the value of one pulse (default 10).
	PulseCents int64
}

// NewInjector returns an injector for line with INHIBIT asserted high and
// the default pulse value and polarity.
func NewInjector(line *Pin, inhibit gpio.PinIn) *Injector {
	return &Injector{Line: line, Inhibit: inhibit, InhibitLevel: gpio.High, PulseCents: 10}
}

// Inhibited reports whether the acceptor would refuse a coin now.
func (in *Injector) Inhibited() bool {
	return in.Inhibit != nil && in.Inhibit.Read() == in.InhibitLevel
}

// InsertCoin inserts a coin worth cents: one 20 ms pulse per pulse value,
// 100 ms apart. It returns ErrInhibited, sending nothing, when INHIBIT is
// asserted.
func (in *Injector) InsertCoin(ctx context.Context, cents int64) error {
	v := in.PulseCents
	if v <= 0 {
		v = 10
	}
	if cents <= 0 || cents%v != 0 {
		return fmt.Errorf("%w: %d cents, pulse %d", ErrValue, cents, v)
	}
	if in.Inhibited() {
		return ErrInhibited
	}
	return in.Pulses(ctx, int(cents/v), PulseWidth, PulseGap)
}

// Pulses sends n pulses of width w followed by gap each, whatever INHIBIT
// says (a faulty or forced acceptor).
func (in *Injector) Pulses(ctx context.Context, n int, w, gap time.Duration) error {
	for range n {
		if err := in.pulse(ctx, w); err != nil {
			return err
		}
		if err := sleep(ctx, gap); err != nil {
			return err
		}
	}
	return nil
}

// Glitch sends one spike of width w (use under 5 ms for noise).
func (in *Injector) Glitch(ctx context.Context, w time.Duration) error {
	return in.pulse(ctx, w)
}

// POSApprove closes the POS "approved" relay for 150 ms, with contact
// bounce at both ends.
func (in *Injector) POSApprove(ctx context.Context) error {
	for _, step := range []struct {
		active bool
		wait   time.Duration
	}{
		{true, bounceStep}, {false, bounceStep}, {true, POSWidth},
		{false, bounceStep}, {true, bounceStep}, {false, 0},
	} {
		if err := in.send(ctx, step.active); err != nil {
			return err
		}
		if err := sleep(ctx, step.wait); err != nil {
			return err
		}
	}
	return nil
}

func (in *Injector) pulse(ctx context.Context, w time.Duration) error {
	if err := in.send(ctx, true); err != nil {
		return err
	}
	if err := sleep(ctx, w); err != nil {
		return err
	}
	return in.send(ctx, false)
}

// send puts one edge on the line once the reader armed it.
func (in *Injector) send(ctx context.Context, active bool) error {
	l := gpio.Level(active == in.ActiveHigh)
	select {
	case <-in.Line.Armed():
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case in.Line.EdgesChan <- l:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
