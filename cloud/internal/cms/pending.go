package cms

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"cnskiosk.dev/cloud/internal/store"
)

// pending are the rows a batch writes at its end, one statement per table
// (per maxRows rows), instead of one statement per operation.
type pending struct {
	cards    []string // teams changed in memory (batchState.cards), in first-change order
	inCards  map[string]bool
	ops      [][]any // operations rows, opColumns
	consents [][]any
	fse      [][]any
	notifs   [][]any
	persons  [][]any
}

// maxRows bounds the rows of one multi-row statement, far below the
// parameter limits of both databases (PostgreSQL 65535, SQLite 32766).
const maxRows = 1000

const (
	opColumns     = `op_id, dev, seq, type, card_team, operator_cf, outcome, result, at, applied_at`
	consentCols   = `id, card_team, policy, consents, at, op_id`
	fseColumns    = `id, card_team, cf, op_id, status, attempts, next_at, created_at, updated_at`
	notifyColumns = `id, kind, card_team, channel, address, status, attempts, next_at, op_id, created_at, claimed_until`
)

// Column types of the written tables, for the PostgreSQL unnest form.
var (
	txt, big  = store.Text, store.BigInt
	opTypes   = []store.ColType{txt, txt, big, txt, txt, txt, txt, txt, big, big}
	conTypes  = []store.ColType{txt, txt, txt, txt, big, txt}
	fseTypes  = []store.ColType{txt, txt, txt, txt, txt, big, big, big, big}
	notTypes  = []store.ColType{txt, txt, txt, txt, txt, txt, big, big, txt, big, big}
	perTypes  = []store.ColType{txt, txt, txt, txt, txt, txt, txt, txt, txt, txt, big}
	cardTypes = []store.ColType{txt, txt, big, store.NullBigInt, store.NullBigInt, big}
)

// insertStmt returns the INSERT of rows into table and its arguments: on
// PostgreSQL one fixed text over column arrays, on SQLite a VALUES list.
func insertStmt(d store.Dialect, table, cols string, types []store.ColType, rows [][]any) (string, []any, error) {
	q := `INSERT INTO ` + table + ` (` + cols + `) `
	if d == store.Postgres {
		args, err := store.ColumnArgs(rows, types)
		return q + `SELECT * FROM ` + store.Unnest(types, 1), args, err
	}
	return q + `VALUES ` + values(len(rows), len(types), nil), flat(rows), nil
}

// dupError reports operations of a batch found applied by another
// transaction when the batch wrote its idempotency records: the batch is
// rolled back and run again without them.
type dupError struct{ ids []string }

func (e *dupError) Error() string {
	return fmt.Sprintf("cms: %d operations of the batch applied concurrently", len(e.ids))
}

// flush writes the pending rows of bs: card changes, idempotency records,
// consents, FSE requests, notifications.
func (bs *batchState) flush(ctx context.Context, tx store.Querier) error {
	if err := bs.flushCards(ctx, tx); err != nil {
		return err
	}
	if err := bs.insertOps(ctx, tx); err != nil {
		return err
	}
	p := &bs.pend
	for _, t := range []struct {
		what, table, cols string
		types             []store.ColType
		rows              [][]any
	}{
		{"consents", "consents", consentCols, conTypes, p.consents},
		{"fse requests", "fse_requests", fseColumns, fseTypes, p.fse},
		{"notifications", "notifications", notifyColumns, notTypes, p.notifs},
		{"operation persons", "operation_persons", personColumns, perTypes, p.persons},
	} {
		for c := range slices.Chunk(t.rows, maxRows) {
			q, args, err := insertStmt(bs.d, t.table, t.cols, t.types, c)
			if err != nil {
				return fmt.Errorf("insert %s: %w", t.what, err)
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("insert %s: %w", t.what, err)
			}
		}
	}
	p.consents, p.fse, p.notifs, p.persons = nil, nil, nil, nil
	return nil
}

// insertOps writes the idempotency records, in op id order (concurrent
// batches take the unique index entries in the same order). A conflict is
// an operation applied meanwhile by another transaction: dupError.
func (bs *batchState) insertOps(ctx context.Context, tx store.Querier) error {
	rows := bs.pend.ops
	bs.pend.ops = nil
	slices.SortFunc(rows, func(a, b []any) int { return strings.Compare(a[0].(string), b[0].(string)) })
	for c := range slices.Chunk(rows, maxRows) {
		q, args, err := insertStmt(bs.d, "operations", opColumns, opTypes, c)
		if err != nil {
			return fmt.Errorf("insert operations: %w", err)
		}
		got, err := insertReturning(ctx, tx, q+` ON CONFLICT (op_id) DO NOTHING RETURNING op_id`, args)
		if err != nil {
			return fmt.Errorf("insert operations: %w", err)
		}
		var dups []string
		for _, r := range c {
			if id := r[0].(string); !got[id] {
				dups = append(dups, id)
			}
		}
		if len(dups) > 0 {
			return &dupError{ids: dups}
		}
	}
	return nil
}

func insertReturning(ctx context.Context, tx store.Querier, q string, args []any) (map[string]bool, error) {
	rs, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	got := map[string]bool{}
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			return nil, err
		}
		got[id] = true
	}
	return got, rs.Err()
}

// cardSQLTypes are the SQL types of the columns of a card change, so that
// the VALUES list is typed (NULL timestamps included).
var cardSQLTypes = []string{"TEXT", "TEXT", "INTEGER", "BIGINT", "BIGINT", "BIGINT"}

const cardSet = ` UPDATE cards SET state = v.state, reader_count = v.reader_count, activated_at = v.activated_at,
	revoked_at = v.revoked_at, updated_at = v.updated_at`

// flushCards writes the cards changed in memory with one UPDATE.
func (bs *batchState) flushCards(ctx context.Context, tx store.Querier) error {
	teams := bs.pend.cards
	bs.pend.cards, bs.pend.inCards = nil, nil
	for c := range slices.Chunk(teams, maxRows) {
		rows := make([][]any, len(c))
		for i, t := range c {
			r := bs.cards[t]
			rows[i] = []any{r.TEAM, string(r.State), r.Readers, r.activatedAt, r.revokedAt, r.updatedAt}
		}
		q, args, err := bs.cardUpdate(rows)
		if err != nil {
			return fmt.Errorf("update cards: %w", err)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("update cards: %w", err)
		}
	}
	return nil
}

// cardUpdate is the UPDATE of the card rows and its arguments.
func (bs *batchState) cardUpdate(rows [][]any) (string, []any, error) {
	if bs.d == store.Postgres {
		args, err := store.ColumnArgs(rows, cardTypes)
		return cardsUpdatePG(1), args, err
	}
	return `WITH v (team, state, reader_count, activated_at, revoked_at, updated_at) AS (VALUES ` +
		values(len(rows), len(cardSQLTypes), cardSQLTypes) + `)` + cardSet + ` FROM v WHERE cards.team = v.team`, flat(rows), nil
}

// setCard records c as the batch's new view of its card, written by flush.
func (bs *batchState) setCard(c *cardRow) {
	bs.cards[c.TEAM] = c
	delete(bs.dirty, c.TEAM)
	if bs.pend.inCards == nil {
		bs.pend.inCards = map[string]bool{}
	}
	if !bs.pend.inCards[c.TEAM] {
		bs.pend.inCards[c.TEAM] = true
		bs.pend.cards = append(bs.pend.cards, c.TEAM)
	}
}

// values returns n rows of cols placeholders, "($1, $2), ($3, $4)", each
// cast to types[i] when types is set.
func values(n, cols int, types []string) string {
	var b strings.Builder
	for r := range n {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			p := "$" + strconv.Itoa(r*cols+c+1)
			if types != nil {
				p = "CAST(" + p + " AS " + types[c] + ")"
			}
			b.WriteString(p)
		}
		b.WriteByte(')')
	}
	return b.String()
}

func flat(rows [][]any) []any {
	out := make([]any, 0, len(rows)*len(rows[0]))
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}
