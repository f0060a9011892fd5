package wire

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Status is the delivery status of an operation, as the ack reports it.
type Status string

// Ack statuses.
const (
	StatusApplied   Status = "applied"   // processed now (Outcome says whether it took effect)
	StatusDuplicate Status = "duplicate" // already processed; Outcome/Result are the first answer
	StatusRejected  Status = "rejected"  // not processed, and never will be: malformed bytes, unknown device
	// StatusRetry: not processed now (a version this cloud does not speak
	// yet, a passing failure); the kiosk keeps the operation and sends it
	// again later. Its Outcome says why.
	StatusRetry Status = "retry"
)

// Ack answers one operation. Outcome is a code of package outcome; Message
// is the Italian text for the operator. The kiosk removes the operation from
// its outbox when it receives an Ack with status applied, duplicate or
// rejected, whatever the outcome; on retry it keeps it and sends it again.
type Ack struct {
	OpID    string          `json:"op_id"`
	OpSeq   uint64          `json:"op_seq"`
	Status  Status          `json:"status"`
	Outcome string          `json:"outcome"`
	Message string          `json:"message"`
	Result  json.RawMessage `json:"result,omitempty"` // operation-specific, e.g. ActivationResult
}

// Validate checks the structure of a.
func (a Ack) Validate() error {
	switch a.Status {
	case StatusApplied, StatusDuplicate, StatusRejected, StatusRetry:
	default:
		return fmt.Errorf("status %q unknown", a.Status)
	}
	return errors.Join(need(a.OpID != "", "op_id"), need(a.Outcome != "", "outcome"), maxLen(a.Message, MaxText, "message"))
}

// OpResult is the operation-specific part of an applied operation's ack.
type OpResult struct {
	CardState    string `json:"card_state,omitempty"`     // state of the card after the operation
	ReaderCount  int    `json:"reader_count,omitempty"`   // the card's reader counter after it
	FSERequestID string `json:"fse_request_id,omitempty"` // FSE creation request, if one was made
	CaseID       string `json:"case_id,omitempty"`        // wrong-data case or reissue request id
}
