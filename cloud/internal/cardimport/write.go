package cardimport

import (
	"context"
	"database/sql"
	"fmt"
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

func (im *Importer) commit(ctx context.Context, c *chunk, sum *Summary) error {
	var inserted int64
	if len(c.cards) > 0 {
		err := im.db.InTx(ctx, func(tx *sql.Tx) error {
			var err error
			inserted, err = im.insert(ctx, tx, c.cards)
			return err
		})
		if err != nil {
			return fmt.Errorf("%w: rows from line %d: %w", ErrWrite, c.lines[0], err)
		}
	}
	sum.Rows += len(c.lines)
	sum.Imported += int(inserted)
	sum.Existing += len(c.cards) - int(inserted)
	sum.Rejected += len(c.rejects)
	if im.opts.Rejected != nil {
		for _, r := range c.rejects {
			im.opts.Rejected(r)
		}
	}
	if im.opts.Progress != nil {
		im.opts.Progress(*sum)
	}
	return nil
}

// insert writes the cards and their secrets, skipping cards already there,
// and returns how many cards were new.
func (im *Importer) insert(ctx context.Context, tx *sql.Tx, cards []sealedCard) (int64, error) {
	now := im.opts.Now().UTC().UnixMicro()
	if im.db.Dialect() == store.Postgres {
		return insertPostgres(ctx, tx, cards, now)
	}
	return insertSQLite(ctx, tx, cards, now)
}

// sqliteRows is the rows per multi-row INSERT on SQLite (10 parameters
// each, well under SQLite's 32766 limit).
const sqliteRows = 500

func insertSQLite(ctx context.Context, tx *sql.Tx, cards []sealedCard, now int64) (int64, error) {
	var total int64
	for len(cards) > 0 {
		part := cards[:min(len(cards), sqliteRows)]
		cards = cards[len(part):]
		cardArgs := make([]any, 0, len(part)*10)
		secretArgs := make([]any, 0, len(part)*4)
		for _, c := range part {
			cardArgs = append(cardArgs, c.TEAM, c.CF, c.Expiry, c.Surname, c.Name, c.Birth, c.Sex, c.BirthPlace, now)
			secretArgs = append(secretArgs, c.TEAM, c.KeyID, c.Nonce, c.Sealed)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO cards
			(team, cf, expiry, surname, name, birth_date, sex, birth_place, updated_at) VALUES `+
			values(len(part), 9)+` ON CONFLICT (team) DO NOTHING`, cardArgs...)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		total += n
		_, err = tx.ExecContext(ctx, `INSERT INTO card_secrets (team, key_id, nonce, sealed) VALUES `+
			values(len(part), 4)+` ON CONFLICT (team) DO NOTHING`, secretArgs...)
		if err != nil {
			return 0, err
		}
	}
	return total, nil
}

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

func insertPostgres(ctx context.Context, tx *sql.Tx, cards []sealedCard, now int64) (int64, error) {
	n := len(cards)
	cols := make([][]string, 8)
	for i := range cols {
		cols[i] = make([]string, n)
	}
	keyIDs, nonces, sealed := make([]string, n), make([][]byte, n), make([][]byte, n)
	for i, c := range cards {
		for j, v := range []string{c.TEAM, c.CF, c.Expiry, c.Surname, c.Name, c.Birth, c.Sex, c.BirthPlace} {
			cols[j][i] = v
		}
		keyIDs[i], nonces[i], sealed[i] = c.KeyID, c.Nonce, c.Sealed
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO cards
		(team, cf, expiry, surname, name, birth_date, sex, birth_place, updated_at)
		SELECT t, cf, e, s, n, b, x, p, $9 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],
			$5::text[], $6::text[], $7::text[], $8::text[]) AS u(t, cf, e, s, n, b, x, p)
		ON CONFLICT (team) DO NOTHING`,
		cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], now)
	if err != nil {
		return 0, err
	}
	inserted, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO card_secrets (team, key_id, nonce, sealed)
		SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[])
		ON CONFLICT (team) DO NOTHING`, cols[0], keyIDs, nonces, sealed)
	return inserted, err
}
