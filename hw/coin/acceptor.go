package coin

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// Options configures an Acceptor. The zero value reads an active-low coin
// acceptor (optocoupler to ground, internal pull-up) with INHIBIT high.
type Options struct {
	Decoder Config
	// ActiveHigh: the line is high during a pulse.
	ActiveHigh bool
	// Pull for the input line; default PullUp when active low, PullDown
	// when active high. Use gpio.Float with an external resistor.
	Pull gpio.Pull
	// InhibitLevel is the output level that makes the acceptor refuse
	// coins; default gpio.High.
	InhibitLevel *gpio.Level
	// MaxWait bounds one wait for an edge, hence how fast Close and a
	// cancelled context are noticed. Default 100 ms.
	MaxWait time.Duration
	// Buffer is the capacity of the Events channel; default 64.
	Buffer int
	// Now reads the clock; default time.Now.
	Now func() time.Time
}

// Acceptor reads a pulse device on a GPIO input and drives its INHIBIT
// output. Lifecycle: New, then Run in a goroutine, then Close.
type Acceptor struct {
	in      gpio.PinIn
	inhibit gpio.PinOut // nil when not wired
	opt     Options
	inhLvl  gpio.Level
	log     *slog.Logger
	dec     *Decoder
	events  chan Event

	mu        sync.Mutex
	inhibited bool
	running   bool
	closed    bool
	stop      chan struct{}
	done      chan struct{}
}

// New configures the lines: INHIBIT asserted first (no coin is taken before
// the kiosk asks for one), then the input with pull and both-edge
// detection. inhibit may be nil when the device has no INHIBIT input.
func New(in gpio.PinIn, inhibit gpio.PinOut, opt Options, log *slog.Logger) (*Acceptor, error) {
	dec, err := NewDecoder(opt.Decoder)
	if err != nil {
		return nil, err
	}
	opt = opt.withDefaults()
	a := &Acceptor{
		in: in, inhibit: inhibit, opt: opt, inhLvl: *opt.InhibitLevel,
		log: log, dec: dec,
		events: make(chan Event, opt.Buffer),
		stop:   make(chan struct{}), done: make(chan struct{}),
	}
	if err := a.SetInhibit(true); err != nil {
		return nil, err
	}
	if err := in.In(opt.Pull, gpio.BothEdges); err != nil {
		return nil, fmt.Errorf("%w: %s input: %w", ErrPin, in, err)
	}
	if a.isActive(in.Read()) {
		log.Warn("payment line active at start", "pin", in.String())
	}
	return a, nil
}

func (o Options) withDefaults() Options {
	if o.Pull == gpio.PullNoChange {
		o.Pull = gpio.PullUp
		if o.ActiveHigh {
			o.Pull = gpio.PullDown
		}
	}
	if o.InhibitLevel == nil {
		l := gpio.High
		o.InhibitLevel = &l
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 100 * time.Millisecond
	}
	if o.Buffer <= 0 {
		o.Buffer = 64
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Events delivers what the decoder sees. Pulse, glitch and rejected events
// are dropped when the reader lags; trains, approvals and stuck reports
// are not. The channel is closed when Run returns.
func (a *Acceptor) Events() <-chan Event { return a.events }

// Config returns the decoder configuration in use.
func (a *Acceptor) Config() Config { return a.dec.Config() }

// SetInhibit asserts (true: coins refused) or lifts INHIBIT.
func (a *Acceptor) SetInhibit(on bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed && !on {
		return ErrClosed
	}
	a.inhibited = on
	if a.inhibit == nil {
		return nil
	}
	l := a.inhLvl
	if !on {
		l = !l
	}
	if err := a.inhibit.Out(l); err != nil {
		return fmt.Errorf("%w: %s inhibit: %w", ErrPin, a.inhibit, err)
	}
	return nil
}

// Inhibited reports whether INHIBIT is asserted.
func (a *Acceptor) Inhibited() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.inhibited
}

func (a *Acceptor) isActive(l gpio.Level) bool { return bool(l) == a.opt.ActiveHigh }
