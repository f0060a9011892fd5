package cms

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// cardRow is a card with the columns the engine rewrites.
type cardRow struct {
	rules.Card
	activatedAt, revokedAt sql.NullInt64
	updatedAt              int64 // set when the batch changes the card
	openReissue            bool  // the holder may have an open reissue request
}

// gather reads what the rules need, locking the card row.
func (e *Engine) gather(ctx context.Context, tx store.Querier, bs *batchState, op operation) (rules.Input, *cardRow, error) {
	at := e.decisionTime(op.env.At)
	in := rules.Input{Now: at, Body: op.body, Policy: e.opts.Policy, Counter: rules.Counter{ID: op.counter}}
	if !needsOperator(op) {
		return in, nil, nil // decided without the database
	}
	card, err := e.card(ctx, tx, bs, op.team)
	if err != nil {
		return in, nil, err
	}
	if card != nil {
		in.Card = &card.Card
	} else if op.cf != "" {
		if in.CFKnown, err = cfKnown(ctx, tx, op.cf); err != nil {
			return in, nil, err
		}
	}
	v, ok := bs.verdicts[op.env.ID]
	if !ok {
		v.Code, v.Detail, err = operator.Check(ctx, tx, e.operatorQuery(op))
		if err != nil {
			return in, nil, err
		}
	}
	in.Operator = v.Code
	if v.Code != outcome.Applied {
		e.log.InfoContext(ctx, "operator refused", "op_id", op.env.ID, "detail", v.Detail)
	}
	if op.env.Type == wire.OpReissue {
		if in.Counter, err = operator.Counter(ctx, tx, op.counter); err != nil {
			return in, nil, err
		}
	}
	return in, card, nil
}

// needsOperator reports whether op is decided with the card and operator
// registry; the others (suspension, reactivation, abandoned) are not.
func needsOperator(op operation) bool {
	t := op.env.Type
	return t != wire.OpSuspension && t != wire.OpReactivation && t != wire.OpAbandoned
}

func (e *Engine) operatorQuery(op operation) operator.Query {
	return operator.Query{OperatorCF: op.common.Operator.CF, Session: op.common.Operator.Session,
		Device: op.env.Dev, Counter: op.counter, Menu: string(op.env.Type),
		At: e.decisionTime(op.env.At), RequireSession: e.opts.RequireSession}
}

const cardColumns = `team, cf, expiry, surname, name, birth_date, sex, birth_place, state, reader_count, activated_at, revoked_at`

// loadCard reads the card team, locking it on PostgreSQL when lock is set.
// It returns nil, nil when there is no such card.
func (e *Engine) loadCard(ctx context.Context, q operator.Querier, team string, lock bool) (*cardRow, error) {
	if team == "" {
		return nil, nil
	}
	query := `SELECT ` + cardColumns + ` FROM cards WHERE team = $1`
	if lock && e.db.Dialect() == store.Postgres {
		query += ` FOR UPDATE`
	}
	row := q.QueryRowContext(ctx, query, team)
	c, err := scanCard(row, false)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return c, err
}

// scanCard reads the cardColumns, and the open reissue flag if withFlag.
func scanCard(row interface{ Scan(...any) error }, withFlag bool) (*cardRow, error) {
	var c cardRow
	var expiry, birth, state string
	dest := []any{&c.TEAM, &c.CF, &expiry, &c.Surname, &c.Name, &birth,
		&c.Sex, &c.BirthPlace, &state, &c.Readers, &c.activatedAt, &c.revokedAt}
	if withFlag {
		dest = append(dest, &c.openReissue)
	}
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("load card: %w", err)
	}
	c.State = rules.State(state)
	var err error
	if c.Expiry, err = wire.ParseDate(expiry); err != nil {
		return nil, fmt.Errorf("card %s: %w", c.TEAM, err)
	}
	if birth != "" {
		if c.BirthDate, err = wire.ParseDate(birth); err != nil {
			return nil, fmt.Errorf("card %s: %w", c.TEAM, err)
		}
	}
	return &c, nil
}

func cfKnown(ctx context.Context, q operator.Querier, cf string) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM cards WHERE cf = $1 LIMIT 1`, cf).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("find cf: %w", err)
	}
	return true, nil
}
