package cms

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/store"
)

// batchState is what a batch knows about its cards: every card it names,
// read and locked by one statement at the start, and which of them an
// operation of the batch has changed since (those are read again).
type batchState struct {
	cards    map[string]*cardRow
	dirty    map[string]bool
	reissued map[string]bool             // CFs given an open reissue request in this batch
	verdicts map[string]operator.Verdict // operator check by op id, made for the whole batch
	applied  map[string]bool             // op ids known applied: committed before, or earlier in this batch
	pend     pending                     // rows written at the end of the batch
	d        store.Dialect
	hand     *notify.Handoff // the local notification worker's; nil: none
	handed   []notify.Handed // notifications inserted claimed, handed after the commit
}

func newBatchState(applied map[string]bool, d store.Dialect, h *notify.Handoff) *batchState {
	return &batchState{d: d, hand: h, cards: map[string]*cardRow{}, dirty: map[string]bool{}, reissued: map[string]bool{},
		verdicts: map[string]operator.Verdict{}, applied: maps.Clone(applied)}
}

// prefetch reads and locks, in TEAM order, the cards named by reqs, with
// whether their holder has an open reissue request.
func (e *Engine) prefetch(ctx context.Context, tx store.Querier, reqs []*request, applied map[string]bool) (*batchState, error) {
	bs := newBatchState(applied, e.db.Dialect(), e.opts.Handoff)
	if err := e.checkOperators(ctx, tx, bs, reqs); err != nil {
		return nil, err
	}
	teams := batchTeams(reqs)
	if len(teams) == 0 {
		return bs, nil
	}
	q, args := e.prefetchSQL(teams)
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("prefetch cards: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCard(rows, true)
		if err != nil {
			return nil, err
		}
		bs.cards[c.TEAM] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("prefetch cards: %w", err)
	}
	return bs, nil
}

// prefetchSQL is the read of the cards teams, locked on PostgreSQL, with
// its arguments; on PostgreSQL one fixed text (an array parameter).
func (e *Engine) prefetchSQL(teams []string) (string, []any) {
	const head = `SELECT ` + cardColumns + `, EXISTS (SELECT 1 FROM reissue_requests r WHERE r.cf = cards.cf AND r.status = 'open')
		FROM cards WHERE team `
	if e.db.Dialect() == store.Postgres {
		return head + `= ANY($1::text[]) ORDER BY team FOR UPDATE OF cards`, []any{teams}
	}
	var b strings.Builder
	b.WriteString(head + `IN (`)
	args := make([]any, len(teams))
	for i, t := range teams {
		args[i] = t
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(i+1))
	}
	b.WriteString(") ORDER BY team")
	return b.String(), args
}

// batchTeams are the distinct cards named by reqs.
func batchTeams(reqs []*request) []string {
	var teams []string
	seen := map[string]bool{}
	for _, r := range reqs {
		if t := r.op.team; t != "" && !seen[t] {
			seen[t] = true
			teams = append(teams, t)
		}
	}
	return teams
}

// checkOperators makes the operator check of every operation of the
// batch that needs one, in one statement.
func (e *Engine) checkOperators(ctx context.Context, tx store.Querier, bs *batchState, reqs []*request) error {
	qs, ids := e.operatorQueries(bs, reqs)
	vs, err := operator.CheckAllIn(ctx, tx, e.db.Dialect(), qs)
	if err != nil {
		return err
	}
	bs.setVerdicts(ids, vs)
	return nil
}

// operatorQueries are the operator checks the operations of reqs need,
// with the ids of those operations.
func (e *Engine) operatorQueries(bs *batchState, reqs []*request) ([]operator.Query, []string) {
	var qs []operator.Query
	var ids []string
	for _, r := range reqs {
		if needsOperator(r.op) && !bs.applied[r.op.env.ID] {
			qs = append(qs, e.operatorQuery(r.op))
			ids = append(ids, r.op.env.ID)
		}
	}
	return qs, ids
}

func (bs *batchState) setVerdicts(ids []string, vs []operator.Verdict) {
	for i, v := range vs {
		bs.verdicts[ids[i]] = v
	}
}

// card returns the batch's view of card team: the prefetched row while no
// operation of the batch has changed it, else a fresh read.
func (e *Engine) card(ctx context.Context, tx store.Querier, bs *batchState, team string) (*cardRow, error) {
	if bs != nil && !bs.dirty[team] {
		if c, ok := bs.cards[team]; ok || team == "" {
			return c, nil
		}
		return nil, nil // not a card: operations do not create cards
	}
	c, err := e.loadCard(ctx, tx, team, true)
	if c != nil {
		c.openReissue = true // unknown: look
	}
	return c, err
}
