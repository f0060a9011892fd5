package cms

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"cnskiosk.dev/cloud/internal/audit"
	"cnskiosk.dev/cloud/internal/store"
)

// One-statement end of batch on PostgreSQL: the card changes, idempotency
// records, consents, FSE requests, notifications, persons, audit records
// and audit heads of a batch go in one statement of data-modifying CTEs
// (one round trip instead of eight), over column arrays, so its text
// depends only on which parts have rows, not on how many, and each
// connection prepares each text once. The
// persons rows join the operations rows the statement inserted (a
// duplicate has none, and the batch is rolled back and re-run anyway).

// stmt builds the end-of-batch statement: sub-statements with their
// parameters numbered in order.
type stmt struct {
	b    strings.Builder
	args []any
}

// add appends the sub-statement name, made by q from the number of its
// first parameter, with the column arrays of rows.
func (s *stmt) add(name string, q func(from int) string, rows [][]any, types []store.ColType) error {
	args, err := store.ColumnArgs(rows, types)
	if err != nil {
		return err
	}
	s.addArgs(name, q(len(s.args)+1), args)
	return nil
}

func (s *stmt) addArgs(name, q string, args []any) {
	if len(s.args) == 0 {
		s.b.WriteString("WITH ")
	} else {
		s.b.WriteString(",\n")
	}
	s.b.WriteString(name + " AS (" + q + ")")
	s.args = append(s.args, args...)
}

// writePostgres writes the pending rows of bs and the audit records recs
// with one statement; recs' partition heads are locked first.
func (bs *batchState) writePostgres(ctx context.Context, tx store.Querier, recs []audit.Record) error {
	prep, err := audit.Prepare(ctx, tx, store.Postgres, recs)
	if err != nil {
		return err
	}
	want := bs.pend.ops
	s, err := bs.statement(prep)
	if err != nil {
		return fmt.Errorf("write batch: %w", err)
	}
	got, err := insertReturning(ctx, tx, s.b.String()+"\nSELECT op_id FROM o", s.args)
	if err != nil {
		return fmt.Errorf("write batch: %w", err)
	}
	var dups []string
	for _, r := range want {
		if id := r[0].(string); !got[id] {
			dups = append(dups, id)
		}
	}
	if len(dups) > 0 {
		return &dupError{ids: dups}
	}
	return nil
}

// statement is the end-of-batch statement, sub-statements in a fixed
// order; it empties bs.pend.
func (bs *batchState) statement(prep audit.Prepared) (*stmt, error) {
	p := &bs.pend
	cards := bs.cardRows()
	slices.SortFunc(p.ops, func(a, b []any) int { return strings.Compare(a[0].(string), b[0].(string)) })
	s := &stmt{}
	for _, c := range []struct {
		name  string
		q     func(int) string
		rows  [][]any
		types []store.ColType
	}{
		{"o", func(n int) string {
			return `INSERT INTO operations (` + opColumns + `) SELECT * FROM ` + store.Unnest(opTypes, n) +
				` ON CONFLICT (op_id) DO NOTHING RETURNING op_id`
		}, p.ops, opTypes},
		{"c", cardsUpdatePG, cards, cardTypes},
		{"k", insertPG("consents", consentCols, conTypes), p.consents, conTypes},
		{"f", insertPG("fse_requests", fseColumns, fseTypes), p.fse, fseTypes},
		{"n", insertPG("notifications", notifyColumns, notTypes), p.notifs, notTypes},
		{"p", func(n int) string {
			return `INSERT INTO operation_persons (` + personColumns + `) SELECT * FROM ` + store.Unnest(perTypes, n) +
				` AS x (` + personColumns + `) WHERE x.op_id IN (SELECT op_id FROM o)`
		}, p.persons, perTypes},
	} {
		// A part with no rows is left out (the operations part, which the
		// statement's result reads, never is): PostgreSQL starts every
		// data-modifying part of a statement, opening its table and
		// indexes, even when it has nothing to write. The statement then
		// has a few texts (at most one per combination of empty parts), each
		// prepared once per connection.
		if len(c.rows) == 0 && c.name != "o" {
			continue
		}
		if err := s.add(c.name, c.q, c.rows, c.types); err != nil {
			return nil, err
		}
	}
	bs.pend = pending{}
	q, args, err := prep.PostgresInsert(len(s.args) + 1)
	if err != nil {
		return nil, err
	}
	s.addArgs("a", q, args)
	if q, args, err = prep.PostgresHeads(len(s.args) + 1); err != nil {
		return nil, err
	}
	s.addArgs("h", q, args)
	return s, nil
}

func insertPG(table, cols string, types []store.ColType) func(int) string {
	return func(n int) string {
		return `INSERT INTO ` + table + ` (` + cols + `) SELECT * FROM ` + store.Unnest(types, n)
	}
}

// cardsUpdatePG is the UPDATE of the changed cards, parameters from $n.
// Cards are found by the primary key (= ANY), each given its values by a
// subquery over the arrays: a join with unnest would be planned, as a
// generic plan, as a scan of the whole table.
func cardsUpdatePG(n int) string {
	return `UPDATE cards SET (state, reader_count, activated_at, revoked_at, updated_at) =
		(SELECT v.state, v.reader_count, v.activated_at, v.revoked_at, v.updated_at FROM ` + store.Unnest(cardTypes, n) +
		` AS v (team, state, reader_count, activated_at, revoked_at, updated_at) WHERE v.team = cards.team)
		WHERE cards.team = ANY($` + fmt.Sprint(n) + `::text[])`
}

// cardRows are the changed cards as rows of cardTypes.
func (bs *batchState) cardRows() [][]any {
	rows := make([][]any, len(bs.pend.cards))
	for i, t := range bs.pend.cards {
		r := bs.cards[t]
		rows[i] = []any{r.TEAM, string(r.State), r.Readers, r.activatedAt, r.revokedAt, r.updatedAt}
	}
	return rows
}
