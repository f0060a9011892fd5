package cms

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"cnskiosk.dev/cloud/internal/store"
)

// batchState is what a batch knows about its cards: every card it names,
// read and locked by one statement at the start, and which of them an
// operation of the batch has changed since (those are read again).
type batchState struct {
	cards    map[string]*cardRow
	dirty    map[string]bool
	reissued map[string]bool // CFs given an open reissue request in this batch
}

func newBatchState() *batchState {
	return &batchState{cards: map[string]*cardRow{}, dirty: map[string]bool{}, reissued: map[string]bool{}}
}

// prefetch reads and locks, in TEAM order, the cards named by reqs, with
// whether their holder has an open reissue request.
func (e *Engine) prefetch(ctx context.Context, tx *sql.Tx, reqs []*request) (*batchState, error) {
	bs := newBatchState()
	var teams []any
	seen := map[string]bool{}
	for _, r := range reqs {
		if t := r.op.team; t != "" && !seen[t] {
			seen[t] = true
			teams = append(teams, t)
		}
	}
	if len(teams) == 0 {
		return bs, nil
	}
	rows, err := tx.QueryContext(ctx, e.prefetchSQL(len(teams)), teams...)
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

func (e *Engine) prefetchSQL(n int) string {
	var b strings.Builder
	b.WriteString(`SELECT ` + cardColumns + `, EXISTS (SELECT 1 FROM reissue_requests r WHERE r.cf = cards.cf AND r.status = 'open')
		FROM cards WHERE team IN (`)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(i+1))
	}
	b.WriteString(") ORDER BY team")
	if e.db.Dialect() == store.Postgres {
		b.WriteString(" FOR UPDATE OF cards")
	}
	return b.String()
}

// card returns the batch's view of card team: the prefetched row while no
// operation of the batch has changed it, else a fresh read.
func (e *Engine) card(ctx context.Context, tx *sql.Tx, bs *batchState, team string) (*cardRow, error) {
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
