package printer

import (
	"errors"
	"fmt"
	"strings"
)

// Status is the printer state read with DLE EOT 1..4.
type Status struct {
	Offline       bool // n=1 bit 3
	CoverOpen     bool // n=2 bit 2
	FeedButton    bool // n=2 bit 3
	StoppedPaper  bool // n=2 bit 5: printing stopped by paper end
	Error         bool // n=2 bit 6
	CutterError   bool // n=3 bit 3
	Unrecoverable bool // n=3 bit 5
	AutoRecover   bool // n=3 bit 6
	PaperNearEnd  bool // n=4 bits 2+3
	PaperOut      bool // n=4 bits 5+6
}

// Healthy is the answer of a ready printer to every request.
const Healthy byte = 0x12

// Apply decodes the answer b to DLE EOT n into s. It fails with
// ErrBadStatus if b lacks the fixed bits of a status byte.
func (s *Status) Apply(n, b byte) error {
	if b&0x93 != 0x12 {
		return fmt.Errorf("%w: 0x%02X to DLE EOT %d", ErrBadStatus, b, n)
	}
	bit := func(i uint) bool { return b&(1<<i) != 0 }
	switch n {
	case 1:
		s.Offline = bit(3)
	case 2:
		s.CoverOpen, s.FeedButton, s.StoppedPaper, s.Error = bit(2), bit(3), bit(5), bit(6)
	case 3:
		s.CutterError, s.Unrecoverable, s.AutoRecover = bit(3), bit(5), bit(6)
	case 4:
		s.PaperNearEnd, s.PaperOut = b&0x0C != 0, b&0x60 != 0
	default:
		return fmt.Errorf("%w: request %d", ErrBadStatus, n)
	}
	return nil
}

// Err returns the conditions that forbid printing, joined, or nil. A
// paper near end is not one: see PaperNearEnd.
func (s Status) Err() error {
	var errs []error
	if s.PaperOut || s.StoppedPaper {
		errs = append(errs, ErrPaperOut)
	}
	if s.CoverOpen {
		errs = append(errs, ErrCoverOpen)
	}
	if s.CutterError {
		errs = append(errs, ErrCutter)
	}
	if s.Unrecoverable {
		errs = append(errs, ErrUnrecoverable)
	}
	if s.AutoRecover {
		errs = append(errs, ErrRecoverable)
	}
	if s.Offline && len(errs) == 0 {
		errs = append(errs, ErrOffline)
	}
	return errors.Join(errs...)
}

// String lists the conditions that are set, or "ok".
func (s Status) String() string {
	var f []string
	for _, c := range []struct {
		on   bool
		name string
	}{{s.Offline, "offline"}, {s.CoverOpen, "cover-open"}, {s.FeedButton, "feed-button"},
		{s.StoppedPaper, "stopped-paper-end"}, {s.Error, "error"}, {s.CutterError, "cutter-error"},
		{s.Unrecoverable, "unrecoverable"}, {s.AutoRecover, "auto-recoverable"},
		{s.PaperNearEnd, "paper-near-end"}, {s.PaperOut, "paper-end"}} {
		if c.on {
			f = append(f, c.name)
		}
	}
	if len(f) == 0 {
		return "ok"
	}
	return strings.Join(f, ",")
}

// Encode returns the answers a printer in state s gives to DLE EOT 1..4
// (index 0 answers n=1). The virtual printer uses it.
func (s Status) Encode() [4]byte {
	set := func(b *byte, on bool, mask byte) {
		if on {
			*b |= mask
		}
	}
	a := [4]byte{Healthy, Healthy, Healthy, Healthy}
	set(&a[0], s.Offline, 1<<3)
	set(&a[1], s.CoverOpen, 1<<2)
	set(&a[1], s.FeedButton, 1<<3)
	set(&a[1], s.StoppedPaper, 1<<5)
	set(&a[1], s.Error, 1<<6)
	set(&a[2], s.CutterError, 1<<3)
	set(&a[2], s.Unrecoverable, 1<<5)
	set(&a[2], s.AutoRecover, 1<<6)
	set(&a[3], s.PaperNearEnd, 0x0C)
	set(&a[3], s.PaperOut, 0x60)
	return a
}
