package cms

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
	"github.com/oklog/ulid/v2"
)

// effects are the writes of one decision, with the ids they create.
type effects struct {
	op      operation
	card    *cardRow
	d       rules.Decision
	now     int64 // unix microseconds
	fseID   string
	caseID  string
	notifID string
	bs      *batchState // the batch's view of its cards, kept up to date
}

func (e *Engine) newEffects(op operation, card *cardRow, d rules.Decision) *effects {
	fx := &effects{op: op, card: card, d: d, now: e.opts.Now().UnixMicro()}
	x := d.Effects
	if x.FSERequest {
		fx.fseID = ulid.Make().String()
	}
	if x.Reissue != nil || x.RegistryCase != nil {
		fx.caseID = ulid.Make().String()
	}
	if x.Notify != nil {
		fx.notifID = ulid.Make().String()
	}
	return fx
}

// result is the operation-specific part of the ack, stored with the
// idempotency record so that a replay answers the same.
func (fx *effects) result() (json.RawMessage, error) {
	if fx.card == nil && fx.caseID == "" {
		return nil, nil
	}
	r := wire.OpResult{FSERequestID: fx.fseID, CaseID: fx.caseID}
	if fx.card != nil {
		r.CardState = string(fx.card.State)
		if s := fx.d.Effects.State; s != "" {
			r.CardState = string(s)
		}
		r.ReaderCount = fx.card.Readers + fx.d.Effects.AddReaders
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	return b, nil
}

func (fx *effects) write(ctx context.Context, tx store.Querier) error {
	x := fx.d.Effects
	steps := []struct {
		on bool
		fn func(context.Context, store.Querier) error
	}{
		{x.State != "" || x.AddReaders != 0, fx.updateCard},
		{x.ReplaceOld && fx.mayHaveReissue(), fx.replaceOld},
		{x.Consents != nil, fx.insertConsents},
		{x.FSERequest, fx.insertFSE},
		{x.Notify != nil, fx.insertNotification},
		{x.Reissue != nil, fx.insertReissue},
		{x.RegistryCase != nil, fx.insertCase},
		{fx.d.Code == outcome.Applied && fx.recordsPerson(), fx.insertPerson},
	}
	for _, s := range steps {
		if !s.on {
			continue
		}
		if err := s.fn(ctx, tx); err != nil {
			return err
		}
	}
	if x.Reissue != nil {
		fx.bs.reissued[fx.card.CF] = true
	}
	return nil
}

// recordsPerson reports whether the operation records who was present.
func (fx *effects) recordsPerson() bool {
	_, _, _, ok := personOf(fx.op.body)
	return ok
}

// mayHaveReissue reports whether the holder may have an open reissue
// request to close: known from the batch's read of the card, or one made
// by an earlier operation of the batch.
func (fx *effects) mayHaveReissue() bool {
	return fx.card.openReissue || fx.bs.reissued[fx.card.CF]
}

// updateCard changes the batch's view of the card (locked by the batch);
// the batch writes it at its end, or before a statement that reads it.
func (fx *effects) updateCard(context.Context, store.Querier) error {
	c, x := *fx.card, fx.d.Effects
	switch x.State {
	case rules.Active:
		c.State, c.activatedAt = rules.Active, sql.NullInt64{Int64: fx.now, Valid: true}
	case rules.Revoked:
		c.State, c.revokedAt = rules.Revoked, sql.NullInt64{Int64: fx.now, Valid: true}
	}
	c.Readers += x.AddReaders
	c.updatedAt = fx.now
	fx.bs.setCard(&c)
	return nil
}

// replaceOld closes the holder's open reissue requests now that their new
// card is active; a card kept because of a malfunction becomes replaced.
func (fx *effects) replaceOld(ctx context.Context, tx store.Querier) error {
	c := fx.card
	if err := fx.bs.flushCards(ctx, tx); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `UPDATE reissue_requests SET status = 'done', new_team = $1, updated_at = $3
		WHERE cf = $2 AND status = 'open' AND card_team <> $1 RETURNING card_team`, c.TEAM, c.CF, fx.now)
	if err != nil {
		return fmt.Errorf("close reissue requests: %w", err)
	}
	var old []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("close reissue requests: %w", err)
		}
		old = append(old, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("close reissue requests: %w", err)
	}
	for _, t := range old {
		fx.bs.dirty[t] = true
		_, err := tx.ExecContext(ctx, `UPDATE cards SET state = CASE WHEN state = 'active' THEN 'replaced' ELSE state END,
			replaced_by = $2, updated_at = $3 WHERE team = $1`, t, c.TEAM, fx.now)
		if err != nil {
			return fmt.Errorf("replace old card: %w", err)
		}
	}
	return nil
}

// insertConsents, insertFSE and insertNotification queue their row; the
// batch inserts each table's rows with one statement at its end.
func (fx *effects) insertConsents(context.Context, store.Querier) error {
	cs := fx.d.Effects.Consents
	fx.bs.pend.consents = append(fx.bs.pend.consents, []any{ulid.Make().String(), fx.card.TEAM, cs.Policy,
		strings.Join(cs.Given, ","), fx.op.env.At.UnixMicro(), fx.op.env.ID})
	return nil
}

func (fx *effects) insertFSE(context.Context, store.Querier) error {
	fx.bs.pend.fse = append(fx.bs.pend.fse, []any{fx.fseID, fx.card.TEAM, fx.card.CF, fx.op.env.ID,
		"pending", 0, fx.now, fx.now, fx.now})
	return nil
}

// insertNotification inserts the row claimed by the local worker when its
// hand-off has a slot (see notify.Handoff), unclaimed otherwise.
func (fx *effects) insertNotification(context.Context, store.Querier) error {
	n := fx.d.Effects.Notify
	tok, ok := fx.bs.hand.Reserve(1)
	if ok == 1 {
		fx.bs.handed = append(fx.bs.handed, notify.Handed{ID: fx.notifID, Kind: n.Kind, CardTEAM: fx.card.TEAM,
			Channel: string(n.Delivery.Channel), Address: n.Delivery.Address, NextAt: fx.now, Token: tok})
	}
	fx.bs.pend.notifs = append(fx.bs.pend.notifs, []any{fx.notifID, n.Kind, fx.card.TEAM,
		string(n.Delivery.Channel), n.Delivery.Address, "pending", 0, fx.now, fx.op.env.ID, fx.now, int64(tok)})
	return nil
}

func (fx *effects) insertReissue(ctx context.Context, tx store.Querier) error {
	r := fx.d.Effects.Reissue
	var reqCF string
	if r.Requester.Person != nil {
		reqCF = rules.NormCF(r.Requester.Person.CF)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO reissue_requests (id, card_team, cf, reason, requester_role, requester_cf, counter, status, op_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $9)`, fx.caseID, fx.card.TEAM, fx.card.CF, string(r.Reason),
		string(r.Requester.Role), reqCF, fx.op.counter, fx.op.env.ID, fx.now)
	if err != nil {
		return fmt.Errorf("insert reissue request: %w", err)
	}
	return nil
}

func (fx *effects) insertCase(ctx context.Context, tx store.Querier) error {
	r := fx.d.Effects.RegistryCase
	_, err := tx.ExecContext(ctx, `INSERT INTO registry_cases (id, card_team, cf, fields, note, counter, device, status, op_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'new', $8, $9)`, fx.caseID, fx.card.TEAM, fx.card.CF,
		strings.Join(r.Fields, ","), r.Note, fx.op.counter, fx.op.env.Dev, fx.op.env.ID, fx.now)
	if err != nil {
		return fmt.Errorf("insert registry case: %w", err)
	}
	return nil
}
