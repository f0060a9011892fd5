package payment

import (
	"time"

	"cnskiosk.dev/hw/coin"
)

// Status is how a payment ended.
type Status string

const (
	StatusPaid      Status = "paid"
	StatusTimeout   Status = "timeout"
	StatusCancelled Status = "cancelled"
	// StatusPartial: the payment timed out or was cancelled after some
	// money was taken (ReceivedCents, EndedBy): the kiosk must show it to
	// the operator, who refunds or records it.
	StatusPartial Status = "partial"
)

// Result is the outcome of one payment, with the pulse log for audit.
type Result struct {
	Status  Status `json:"status"`
	EndedBy Status `json:"ended_by,omitempty"` // StatusPartial: timeout or cancelled
	// Fault is set when the device did not obey INHIBIT: it may take
	// coins nobody expects; Expect also returns ErrDevice.
	Fault         string       `json:"fault,omitempty"`
	ExpectedCents int64        `json:"expected_cents"`
	ReceivedCents int64        `json:"received_cents"`
	OverpaidCents int64        `json:"overpaid_cents,omitempty"`
	Approved      bool         `json:"pos_approved,omitempty"` // POS relay mode
	Trains        int          `json:"trains"`
	Pulses        []coin.Pulse `json:"pulses"`
	Started       time.Time    `json:"started"`
	Ended         time.Time    `json:"ended"`
}

// UpdateKind says what an Update reports.
type UpdateKind string

const (
	UpdateStarted  UpdateKind = "started"
	UpdateProgress UpdateKind = "progress"
	UpdateDone     UpdateKind = "done"
	// UpdateAnomaly: money or a stuck line seen with no payment open.
	UpdateAnomaly UpdateKind = "anomaly"
)

// Update is what the kiosk screen shows while a payment runs.
type Update struct {
	Kind          UpdateKind `json:"kind"`
	At            time.Time  `json:"at"`
	ExpectedCents int64      `json:"expected_cents,omitempty"`
	ReceivedCents int64      `json:"received_cents"`
	Status        Status     `json:"status,omitempty"` // UpdateDone
	Reason        string     `json:"reason,omitempty"` // UpdateAnomaly
}

// Acceptor is what a Payment needs from the device (coin.Acceptor).
type Acceptor interface {
	Events() <-chan coin.Event
	SetInhibit(on bool) error
}

// Options tunes a Payment.
type Options struct {
	// Grace is how long a timed-out or cancelled payment still takes coins
	// that were in the validator when INHIBIT was asserted. Default 600 ms.
	Grace time.Duration
	// Drain bounds the wait for an open pulse train after INHIBIT.
	// Default 3 s.
	Drain time.Duration
	// Buffer is the capacity of Updates; default 16.
	Buffer int
	// Now is the clock for Result and Update times; default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Grace <= 0 {
		o.Grace = 600 * time.Millisecond
	}
	if o.Drain < o.Grace {
		o.Drain = max(3*time.Second, o.Grace)
	}
	if o.Buffer <= 0 {
		o.Buffer = 16
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
