package cms

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/shared/wire"
)

const personColumns = `op_id, role, surname, name, cf, doc_kind, doc_number, doc_issuer, doc_issued, doc_expires, declaration`

// Person is who was present for an operation, with the document shown
// (seed steps DOC and 7, procedure 2). Never a secret.
type Person struct {
	Role                 wire.Role
	Surname, Name, CF    string // empty for the holder: the card's holder data
	Document             wire.Document
	Declaration          bool // parent/tutor/curator self-declaration signed
	DocumentNotRequested bool // the operation takes no document (FSE consent, reader request)
}

// Operation is an applied operation as recorded, for the console.
type Operation struct {
	OpID, Dev, Type, CardTEAM, OperatorCF, Outcome string
	At, AppliedAt                                  time.Time
	Person                                         *Person // nil if the operation records none
}

// ErrNotFound is returned by LookupOperation for an unknown op id.
var ErrNotFound = errors.New("cms: operation not found")

// personOf returns the person and document an operation body names, for
// the operations that record one.
func personOf(body any) (wire.Requester, *wire.Document, bool, bool) {
	switch b := body.(type) {
	case wire.Activation:
		return b.Requester, &b.Document, b.Declaration, true
	case wire.PinReprint:
		return b.Requester, &b.Document, false, true
	case wire.Revocation:
		return b.Requester, &b.Document, false, true
	case wire.Reissue:
		return b.Requester, &b.Document, false, true
	case wire.ReaderRequest:
		return b.Requester, nil, false, true
	case wire.FSEConsent:
		return b.Requester, nil, false, true
	}
	return wire.Requester{}, nil, false, false
}

// insertPerson queues the operation_persons row of an applied operation.
func (fx *effects) insertPerson(context.Context, store.Querier) error {
	req, doc, decl, _ := personOf(fx.op.body)
	var p wire.Person
	if req.Person != nil {
		p = *req.Person
		p.CF = rules.NormCF(p.CF)
	}
	var d wire.Document
	if doc != nil {
		d = *doc
	}
	fx.bs.pend.persons = append(fx.bs.pend.persons, []any{fx.op.env.ID, string(req.Role), p.Surname, p.Name, p.CF,
		d.Kind, d.Number, d.Issuer, dateText(d.Issued), dateText(d.Expires), boolInt(decl)})
	return nil
}

func dateText(d wire.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// LookupOperation returns the recorded operation opID with the person and
// document recorded with it.
func (e *Engine) LookupOperation(ctx context.Context, opID string) (Operation, error) {
	var o Operation
	var at, applied int64
	err := e.db.SQL().QueryRowContext(ctx, `SELECT op_id, dev, type, card_team, operator_cf, outcome, at, applied_at
		FROM operations WHERE op_id = $1`, opID).Scan(&o.OpID, &o.Dev, &o.Type, &o.CardTEAM, &o.OperatorCF, &o.Outcome, &at, &applied)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("%w: %s", ErrNotFound, opID)
	}
	if err != nil {
		return o, fmt.Errorf("%w: lookup operation %s: %w", ErrStore, opID, err)
	}
	o.At, o.AppliedAt = time.UnixMicro(at).UTC(), time.UnixMicro(applied).UTC()
	var p Person
	var role, issued, expires string
	var decl int
	err = e.db.SQL().QueryRowContext(ctx, `SELECT role, surname, name, cf, doc_kind, doc_number, doc_issuer, doc_issued,
		doc_expires, declaration FROM operation_persons WHERE op_id = $1`, opID).Scan(&role, &p.Surname, &p.Name, &p.CF,
		&p.Document.Kind, &p.Document.Number, &p.Document.Issuer, &issued, &expires, &decl)
	if errors.Is(err, sql.ErrNoRows) {
		return o, nil
	}
	if err != nil {
		return o, fmt.Errorf("%w: lookup operation %s person: %w", ErrStore, opID, err)
	}
	p.Role, p.Declaration = wire.Role(role), decl == 1
	p.DocumentNotRequested = p.Document.Kind == ""
	if issued != "" {
		p.Document.Issued, _ = wire.ParseDate(issued) // written by the engine from a valid date
	}
	if expires != "" {
		p.Document.Expires, _ = wire.ParseDate(expires)
	}
	o.Person = &p
	return o, nil
}
