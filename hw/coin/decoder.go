package coin

import (
	"fmt"
	"time"
)

// Pulse is one accepted pulse, kept in the raw log for audit.
type Pulse struct {
	Start time.Time     `json:"start"`
	Width time.Duration `json:"width_ns"`
}

// Train is a run of pulses closed by Config.Idle without pulses. Coins
// inserted back to back merge into one train; its amount is still right
// because every pulse has the same value.
type Train struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"` // end of the last pulse
	// Count is the number of pulses; Cents = Count * Config.PulseCents.
	Count int   `json:"count"`
	Cents int64 `json:"cents"`
	// Pulses is the raw log, at most Config.MaxLog entries.
	Pulses []Pulse `json:"pulses"`
	// Truncated counts the pulses left out of Pulses past Config.MaxLog
	// (they are in Count and Cents).
	Truncated int `json:"truncated,omitempty"`
	// Glitches and Rejected count the spikes dropped while the train ran.
	Glitches int `json:"glitches,omitempty"`
	Rejected int `json:"rejected,omitempty"`
}

// EventKind says what an Event reports.
type EventKind uint8

const (
	// EventPulse: a pulse was accepted; Event.Cents is the running amount
	// of the open train.
	EventPulse EventKind = iota + 1
	// EventTrain: a train closed; Event.Train holds its amount and log.
	EventTrain
	// EventApproved: POS mode, the relay signalled an approved payment.
	EventApproved
	// EventGlitch: an active spike shorter than Config.Glitch was dropped.
	EventGlitch
	// EventRejected: a pulse between Config.Glitch and Config.MinWidth.
	EventRejected
	// EventStuck: the line has been active for Config.Stuck.
	EventStuck
)

var kindNames = [...]string{"", "pulse", "train", "approved", "glitch", "rejected", "stuck"}

// String names the kind for logs and JSON output.
func (k EventKind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Event is one observation of the decoder.
type Event struct {
	Kind  EventKind
	At    time.Time
	Pulse Pulse // EventPulse, EventApproved, EventGlitch, EventRejected
	Cents int64 // EventPulse: running amount of the open train
	Train Train // EventTrain, EventApproved
}

// Decoder turns timestamped edges into pulses, trains and approvals. It is
// not safe for concurrent use. The zero value is not usable: use NewDecoder.
type Decoder struct {
	cfg Config

	last    time.Time // latest timestamp seen; time never runs backwards here
	active  bool      // raw line level, true = pulse
	pStart  time.Time // start of the current or pending pulse
	pending bool      // a pulse ended at pEnd and waits for Glitch to pass
	pEnd    time.Time
	stuck   bool // EventStuck already reported for this pulse

	inTrain  bool
	train    Train
	lastPEnd time.Time

	out []Event
}

// NewDecoder returns a decoder for cfg (defaults applied, then validated).
func NewDecoder(cfg Config) (*Decoder, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Decoder{cfg: cfg, out: make([]Event, 0, 4)}, nil
}

// Config returns the configuration in use, defaults applied.
func (d *Decoder) Config() Config { return d.cfg }

// Edge feeds the line level (true = active, pulse) observed at t. Repeated
// levels are ignored. The returned slice is valid until the next call.
func (d *Decoder) Edge(active bool, t time.Time) []Event {
	d.out = d.out[:0]
	t = d.clamp(t)
	d.advance(t)
	if active == d.active {
		return d.out
	}
	d.active = active
	if active {
		d.rise(t)
	} else {
		d.fall(t)
	}
	return d.out
}

// Tick tells the decoder that time has reached now, closing pulses and
// trains whose quiet time has passed. The slice is valid until the next call.
func (d *Decoder) Tick(now time.Time) []Event {
	d.out = d.out[:0]
	d.advance(d.clamp(now))
	return d.out
}

// Deadline is the next instant at which Tick would report something, so a
// caller can wait exactly that long; ok is false when nothing is pending.
func (d *Decoder) Deadline() (at time.Time, ok bool) {
	switch {
	case d.pending:
		return d.pEnd.Add(d.cfg.Glitch), true
	case d.active && !d.stuck && !d.pStart.IsZero():
		return d.pStart.Add(d.cfg.Stuck), true
	case d.inTrain && !d.active:
		return d.lastPEnd.Add(d.cfg.Idle), true
	}
	return time.Time{}, false
}

// Busy reports a pulse in progress or a train not yet closed: money may be
// arriving.
func (d *Decoder) Busy() bool { return d.active || d.pending || d.inTrain }

// Flush closes whatever is open at now, as if the line had gone quiet: a
// pending pulse is confirmed and an open train is reported.
func (d *Decoder) Flush(now time.Time) []Event {
	d.out = d.out[:0]
	now = d.clamp(now)
	if d.pending {
		d.confirm()
	}
	if d.inTrain {
		d.endTrain(now)
	}
	return d.out
}

func (d *Decoder) clamp(t time.Time) time.Time {
	if t.Before(d.last) {
		return d.last
	}
	d.last = t
	return t
}

// advance applies the passing of time up to t.
func (d *Decoder) advance(t time.Time) {
	if d.pending && t.Sub(d.pEnd) >= d.cfg.Glitch {
		d.confirm()
	}
	if d.active && !d.stuck && !d.pStart.IsZero() && t.Sub(d.pStart) >= d.cfg.Stuck {
		d.stuck = true
		d.emit(Event{Kind: EventStuck, At: d.pStart.Add(d.cfg.Stuck)})
	}
	if d.inTrain && !d.active && !d.pending && t.Sub(d.lastPEnd) >= d.cfg.Idle {
		d.endTrain(d.lastPEnd.Add(d.cfg.Idle))
	}
}

func (d *Decoder) rise(t time.Time) {
	if d.pending {
		// An inactive blip shorter than Glitch (advance would otherwise
		// have confirmed the pulse): the pulse goes on.
		d.pending = false
		return
	}
	d.pStart = t
	d.stuck = false
}

func (d *Decoder) fall(t time.Time) {
	if d.pStart.IsZero() {
		return // the line was active before the first edge: no known start
	}
	if w := t.Sub(d.pStart); w < d.cfg.Glitch {
		if d.inTrain {
			d.train.Glitches++
		}
		d.emit(Event{Kind: EventGlitch, At: t, Pulse: Pulse{Start: d.pStart, Width: w}})
		return
	}
	d.pending = true
	d.pEnd = t
}

// confirm accepts the pending pulse once the line stayed quiet for Glitch.
func (d *Decoder) confirm() {
	d.pending = false
	p := Pulse{Start: d.pStart, Width: d.pEnd.Sub(d.pStart)}
	if p.Width < d.cfg.MinWidth {
		if d.inTrain {
			d.train.Rejected++
		}
		d.emit(Event{Kind: EventRejected, At: d.pEnd, Pulse: p})
		return
	}
	if d.cfg.Mode == ModePOS {
		tr := Train{Start: p.Start, End: d.pEnd, Count: 1, Pulses: []Pulse{p}}
		d.emit(Event{Kind: EventApproved, At: d.pEnd, Pulse: p, Train: tr})
		return
	}
	if !d.inTrain {
		d.inTrain = true
		d.train = Train{Start: p.Start, Pulses: make([]Pulse, 0, 16)}
	}
	if len(d.train.Pulses) < d.cfg.MaxLog {
		d.train.Pulses = append(d.train.Pulses, p)
	} else {
		d.train.Truncated++
	}
	d.train.Count++
	d.train.Cents = int64(d.train.Count) * d.cfg.PulseCents
	d.train.End = d.pEnd
	d.lastPEnd = d.pEnd
	d.emit(Event{Kind: EventPulse, At: d.pEnd, Pulse: p, Cents: d.train.Cents})
}

func (d *Decoder) endTrain(at time.Time) {
	d.inTrain = false
	d.emit(Event{Kind: EventTrain, At: at, Train: d.train})
	d.train = Train{}
}

func (d *Decoder) emit(e Event) { d.out = append(d.out, e) }
