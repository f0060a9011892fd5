package cardimport

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"cnskiosk.dev/cloud/internal/store"
)

// write commits the chunks from in, in file order, one transaction each.
// On a database error it cancels the pipeline, drains in and returns.
func (im *Importer) write(ctx context.Context, in <-chan *chunk, cancel context.CancelFunc) (Summary, error) {
	var sum Summary
	var err error
	pending := map[int]*chunk{}
	next := 0
	for c := range in {
		if err != nil {
			continue
		}
		pending[c.n] = c
		for c, ok := pending[next]; ok && err == nil; c, ok = pending[next] {
			delete(pending, next)
			next++
			err = im.commit(ctx, c, &sum)
		}
		if err != nil {
			cancel()
		}
	}
	return sum, err
}

// batchResult is what one transaction did with a chunk's valid rows.
type batchResult struct {
	inserted, existing int
	conflicts          []Reject
}

func (im *Importer) commit(ctx context.Context, c *chunk, sum *Summary) error {
	var res batchResult
	if len(c.cards) > 0 {
		err := im.db.InTx(ctx, func(tx *sql.Tx) error {
			var err error
			res, err = im.store(ctx, tx, c.cards)
			return err
		})
		if err != nil {
			return fmt.Errorf("%w: rows from line %d: %w", ErrWrite, c.lines[0], err)
		}
	}
	rejects := append(c.rejects, res.conflicts...)
	slices.SortFunc(rejects, func(a, b Reject) int { return cmp.Compare(a.Line, b.Line) })
	sum.Rows += len(c.lines)
	sum.Imported += res.inserted
	sum.Existing += res.existing
	sum.Rejected += len(rejects)
	sum.Conflicts += len(res.conflicts)
	sum.Unreadable += c.unreadable
	sum.LastLine = c.lines[len(c.lines)-1]
	if im.opts.Rejected != nil {
		for _, r := range rejects {
			im.opts.Rejected(r)
		}
	}
	if im.opts.Progress != nil {
		im.opts.Progress(*sum)
	}
	return nil
}

// store inserts the cards that are new, with their secrets, and checks
// every other row against the stored card: identical is "existing",
// different is a conflict. An existing card is never changed.
func (im *Importer) store(ctx context.Context, tx *sql.Tx, cards []sealedCard) (batchResult, error) {
	first, again := splitDuplicates(cards)
	inserted, err := im.insertCards(ctx, tx, first)
	if err != nil {
		return batchResult{}, err
	}
	var fresh []sealedCard
	for _, c := range first {
		if inserted[c.TEAM] {
			fresh = append(fresh, c)
		} else {
			again = append(again, c)
		}
	}
	if err := im.insertSecrets(ctx, tx, fresh); err != nil {
		return batchResult{}, err
	}
	res := batchResult{inserted: len(fresh)}
	if len(again) == 0 {
		return res, nil
	}
	stored, err := loadStored(ctx, tx, im.db.Dialect(), again)
	if err != nil {
		return batchResult{}, err
	}
	for _, c := range again {
		if reason := im.compare(c, stored[c.TEAM]); reason != "" {
			res.conflicts = append(res.conflicts, Reject{Line: c.Line, Reason: reason})
			continue
		}
		res.existing++
	}
	return res, nil
}

// splitDuplicates returns the first row of each TEAM, in order, and the
// rows repeating a TEAM seen before in the same chunk.
func splitDuplicates(cards []sealedCard) (first, again []sealedCard) {
	seen := make(map[string]bool, len(cards))
	first = make([]sealedCard, 0, len(cards))
	for _, c := range cards {
		if seen[c.TEAM] {
			again = append(again, c)
			continue
		}
		seen[c.TEAM] = true
		first = append(first, c)
	}
	return first, again
}

// insertCards inserts the cards whose TEAM is not stored yet and returns
// the set of TEAMs it inserted.
func (im *Importer) insertCards(ctx context.Context, tx *sql.Tx, cards []sealedCard) (map[string]bool, error) {
	now := im.opts.Now().UTC().UnixMicro()
	inserted := make(map[string]bool, len(cards))
	if im.db.Dialect() == store.Postgres {
		return inserted, insertCardsPostgres(ctx, tx, cards, now, inserted)
	}
	for part := range slices.Chunk(cards, sqliteRows) {
		args := make([]any, 0, len(part)*9)
		for _, c := range part {
			args = append(args, c.TEAM, c.CF, c.Expiry, c.Surname, c.Name, c.Birth, c.Sex, c.BirthPlace, now)
		}
		err := collectTEAMs(ctx, tx, inserted, `INSERT INTO cards
			(team, cf, expiry, surname, name, birth_date, sex, birth_place, updated_at) VALUES `+
			values(len(part), 9)+` ON CONFLICT (team) DO NOTHING RETURNING team`, args...)
		if err != nil {
			return nil, err
		}
	}
	return inserted, nil
}

// collectTEAMs runs a query returning TEAMs and adds them to set.
func collectTEAMs(ctx context.Context, tx *sql.Tx, set map[string]bool, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return err
		}
		set[t] = true
	}
	return rows.Err()
}

// insertSecrets stores the sealed PIN/PUK of cards just inserted.
func (im *Importer) insertSecrets(ctx context.Context, tx *sql.Tx, cards []sealedCard) error {
	if len(cards) == 0 {
		return nil
	}
	if im.db.Dialect() == store.Postgres {
		return insertSecretsPostgres(ctx, tx, cards)
	}
	for part := range slices.Chunk(cards, sqliteRows) {
		args := make([]any, 0, len(part)*4)
		for _, c := range part {
			args = append(args, c.TEAM, c.KeyID, c.Nonce, c.Sealed)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO card_secrets (team, key_id, nonce, sealed) VALUES `+
			values(len(part), 4), args...)
		if err != nil {
			return err
		}
	}
	return nil
}

// sqliteRows is the rows per multi-row INSERT on SQLite (9 parameters
// each, well under SQLite's 32766 limit).
const sqliteRows = 500

// values returns "(?,...,?),(...)" for rows rows. SQLite numbers "?"
// parameters in order; its parser looks "$N" names up linearly, which
// makes a 5000-parameter statement quadratic to prepare.
func values(rows, cols int) string {
	var b strings.Builder
	b.Grow(rows * cols * 5)
	for r := range rows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('?')
		}
		b.WriteByte(')')
	}
	return b.String()
}
