package cms

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"cnskiosk.dev/cloud/internal/audit"
	"cnskiosk.dev/shared/outcome"
)

// Audit actions of what is not an applied operation.
const (
	ActionCardLookup = "rpc.card_lookup" // holder data shown to the operator (ID2)
	ActionPinHalves  = "rpc.pin_halves"  // first halves of PIN and PUK released to print
	ActionMalformed  = "op.malformed"    // an operation refused before its rules: unreadable, or an id reused
)

// auditAlone appends r in a transaction of its own: for what is not an
// operation applied by a batch (rpcs, operations refused unread).
func (e *Engine) auditAlone(ctx context.Context, r audit.Record) error {
	r.At = e.opts.Now()
	r = clipRecord(r)
	err := e.db.InTx(ctx, func(tx *sql.Tx) error { return e.opts.Auditor.Append(ctx, tx, r) })
	if err != nil {
		return fmt.Errorf("%w: audit %s: %w", ErrStore, r.Action, err)
	}
	return nil
}

// clipRecord cuts the fields that may come from outside bytes (a
// malformed envelope) to the audit record's limit.
func clipRecord(r audit.Record) audit.Record {
	for _, f := range []*string{&r.Device, &r.Counter, &r.Operator, &r.Card, &r.Action, &r.Outcome, &r.OpID, &r.Detail} {
		if len(*f) > audit.MaxField {
			*f = (*f)[:audit.MaxField]
		}
		*f = strings.ReplaceAll(strings.ToValidUTF8(*f, ""), "\x00", "")
	}
	return r
}

// rpcRecord is the audit record of an rpc answered with code.
func rpcRecord(dev, counter, operatorCF, card, action, purpose string, code outcome.Code) audit.Record {
	detail := ""
	if purpose != "" {
		detail = "purpose " + purpose
	}
	return audit.Record{Device: dev, Counter: counter, Operator: operatorCF, Card: card,
		Action: action, Outcome: string(code), Detail: detail}
}
