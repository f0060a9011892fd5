package coin

import (
	"fmt"
	"time"
)

// Mode selects how pulses are read.
type Mode uint8

const (
	// ModeCoin reads value-proportional pulse trains from a coin acceptor.
	ModeCoin Mode = iota
	// ModePOS reads one long "approved" pulse from a POS terminal relay.
	ModePOS
)

// String names the mode as flags and logs spell it.
func (m Mode) String() string {
	if m == ModePOS {
		return "pos"
	}
	return "coin"
}

// Defaults. The coin timings follow the CH-926 family: pulses of about
// 20 ms, gaps of about 100 ms.
const (
	DefaultPulseCents  = 10
	DefaultGlitch      = 5 * time.Millisecond
	DefaultIdle        = 400 * time.Millisecond
	DefaultStuck       = time.Second
	DefaultPOSDebounce = 10 * time.Millisecond
	DefaultPOSMinWidth = 50 * time.Millisecond
	DefaultPOSStuck    = 5 * time.Second
	// DefaultMaxLog bounds the raw pulse log kept per train.
	DefaultMaxLog = 1024

	// maxGlitch is the longest glitch filter allowed in coin mode: a filter
	// near the 100 ms inter-pulse gap swallows pulses.
	maxGlitch = 50 * time.Millisecond
	// minIdle is the shortest train end allowed in coin mode: it must be
	// well above the 100 ms inter-pulse gap.
	minIdle = 150 * time.Millisecond
)

// Config tunes a Decoder. Zero fields take the defaults of the mode.
type Config struct {
	Mode Mode
	// PulseCents is the value of one pulse in euro cents (coin mode).
	PulseCents int64
	// Glitch: shorter active spikes and inactive blips are ignored. In POS
	// mode this is the relay debounce.
	Glitch time.Duration
	// MinWidth: pulses longer than Glitch but shorter than this are
	// rejected (reported, not counted). Coin mode: defaults to Glitch.
	MinWidth time.Duration
	// Idle closes a train after this long without pulses (coin mode).
	Idle time.Duration
	// Stuck reports a line held active for this long.
	Stuck time.Duration
	// MaxLog bounds the raw pulse log per train; pulses past it are still
	// counted and paid.
	MaxLog int
}

// WithDefaults returns c with zero fields set to the defaults of its mode.
func (c Config) WithDefaults() Config {
	pos := c.Mode == ModePOS
	if c.PulseCents == 0 {
		c.PulseCents = DefaultPulseCents
	}
	if c.Glitch == 0 {
		c.Glitch = pick(pos, DefaultPOSDebounce, DefaultGlitch)
	}
	if c.MinWidth == 0 {
		c.MinWidth = pick(pos, DefaultPOSMinWidth, c.Glitch)
	}
	if c.Idle == 0 {
		c.Idle = DefaultIdle
	}
	if c.Stuck == 0 {
		c.Stuck = pick(pos, DefaultPOSStuck, DefaultStuck)
	}
	if c.MaxLog == 0 {
		c.MaxLog = DefaultMaxLog
	}
	return c
}

func pick(cond bool, a, b time.Duration) time.Duration {
	if cond {
		return a
	}
	return b
}

// Validate reports a configuration that would miscount money.
func (c Config) Validate() error {
	switch {
	case c.Mode != ModeCoin && c.Mode != ModePOS:
		return fmt.Errorf("%w: unknown mode %d", ErrConfig, c.Mode)
	case c.PulseCents <= 0 || c.PulseCents > 100_00:
		return fmt.Errorf("%w: pulse value %d cents out of 1..10000", ErrConfig, c.PulseCents)
	case c.Glitch <= 0:
		return fmt.Errorf("%w: glitch filter must be positive", ErrConfig)
	case c.Mode == ModeCoin && c.Glitch > maxGlitch:
		return fmt.Errorf("%w: glitch filter %s above %s swallows pulses", ErrConfig, c.Glitch, maxGlitch)
	case c.MinWidth < c.Glitch:
		return fmt.Errorf("%w: minimum width %s below glitch filter %s", ErrConfig, c.MinWidth, c.Glitch)
	case c.Mode == ModeCoin && c.Idle < minIdle:
		return fmt.Errorf("%w: train end %s below %s splits coins", ErrConfig, c.Idle, minIdle)
	case c.Stuck <= c.MinWidth:
		return fmt.Errorf("%w: stuck time %s not above minimum width %s", ErrConfig, c.Stuck, c.MinWidth)
	case c.MaxLog <= 0:
		return fmt.Errorf("%w: pulse log bound must be positive", ErrConfig)
	}
	return nil
}
