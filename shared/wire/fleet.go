package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// State is a device's heartbeat and health, and (Online false, retained)
// its last will.
type State struct {
	Online        bool      `json:"online"`
	Firmware      string    `json:"firmware,omitempty"`
	ConfigVersion int64     `json:"config_version"`    // version of the config it applied
	Reader        string    `json:"reader,omitempty"`  // "ok", "absent", "error"
	Printer       string    `json:"printer,omitempty"` // "ok", "paper_near_end", "paper_end", "cover_open", "offline", "error"
	Payment       string    `json:"payment,omitempty"` // "ok", "inhibited", "error"
	OutboxDepth   int       `json:"outbox_depth"`
	OldestPending time.Time `json:"oldest_pending,omitzero"`
	Uptime        int64     `json:"uptime_s,omitempty"`
	// RejectedVersion is the newest config version the kiosk received and
	// refused to apply, RejectedReason why (for the fleet admin, no
	// secret): both or neither, a refusal always has a reason; both
	// absent when it applied the latest it received.
	RejectedVersion int64  `json:"rejected_version,omitempty"`
	RejectedReason  string `json:"rejected_reason,omitempty"`
}

// MaxRejectedReason bounds State.RejectedReason.
const MaxRejectedReason = 256

// Validate checks the structure of s.
func (s State) Validate() error {
	return errors.Join(maxLen(s.Firmware, 64, "firmware"), maxLen(s.Reader, 32, "reader"),
		maxLen(s.Printer, 32, "printer"), maxLen(s.Payment, 32, "payment"),
		s.validateRejected())
}

func (s State) validateRejected() error {
	switch {
	case s.RejectedVersion < 0:
		return fmt.Errorf("rejected_version %d negative", s.RejectedVersion)
	case s.RejectedReason != "" && s.RejectedVersion == 0:
		return need(false, "rejected_version (with rejected_reason)")
	case s.RejectedVersion != 0 && s.RejectedReason == "":
		return need(false, "rejected_reason (with rejected_version)")
	}
	return maxLen(s.RejectedReason, MaxRejectedReason, "rejected_reason")
}

// Capability is something a counter is enabled for.
type Capability string

// Counter capabilities.
const (
	CapReissue Capability = "reissue" // sportello aziendale abilitato: may take reissue requests
	CapPayment Capability = "payment" // may take the reader payment
)

// Config is a device's desired configuration, with a monotonic version.
type Config struct {
	Version          int64        `json:"version"`
	Counter          string       `json:"counter"`
	Capabilities     []Capability `json:"capabilities"`
	ConsentPolicy    string       `json:"consent_policy"`
	Languages        []string     `json:"languages"`
	ReaderPriceCents int          `json:"reader_price_cents"`
}

// Validate checks the structure of c.
func (c Config) Validate() error {
	if c.Version < 0 || c.ReaderPriceCents < 0 {
		return fmt.Errorf("negative version or price")
	}
	return nil
}

// Command is an instruction to one device, valid until Expires.
type Command struct {
	CmdID   string          `json:"cmd_id"`
	Name    string          `json:"name"` // "reboot", "print_test", "sync_now", "disable", ...
	Args    json.RawMessage `json:"args,omitempty"`
	Expires time.Time       `json:"expires"`
}

// Validate checks the structure of c.
func (c Command) Validate() error {
	return errors.Join(need(c.CmdID != "", "cmd_id"), need(c.Name != "", "name"),
		need(!c.Expires.IsZero(), "expires"), maxLen(c.Name, 64, "name"))
}

// CommandResult is a device's answer to a command.
type CommandResult struct {
	CmdID  string `json:"cmd_id"`
	Status string `json:"status"` // one of the Cmd* statuses
	Detail string `json:"detail,omitempty"`
}

// Statuses a device may report in a CommandResult.
const (
	CmdDone    = "done"    // run
	CmdFailed  = "failed"  // run and failed (Detail says why)
	CmdExpired = "expired" // received after its Expires, not run
	CmdUnknown = "unknown" // a command name the device does not know
)

// Validate checks the structure of r: Status is one of the Cmd*
// statuses, nothing else (not even the cloud's own "sent").
func (r CommandResult) Validate() error {
	var st error
	switch r.Status {
	case CmdDone, CmdFailed, CmdExpired, CmdUnknown:
	case "":
		st = need(false, "status")
	default:
		st = fmt.Errorf("status %q unknown", r.Status)
	}
	return errors.Join(need(r.CmdID != "", "cmd_id"), st, maxLen(r.Detail, MaxText, "detail"))
}
