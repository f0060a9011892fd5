package cardimport

import (
	"context"
	"database/sql"
)

// insertCardsPostgres inserts cards with one INSERT ... SELECT FROM unnest
// and adds the TEAMs it inserted to inserted.
func insertCardsPostgres(ctx context.Context, tx *sql.Tx, cards []sealedCard, now int64, inserted map[string]bool) error {
	n := len(cards)
	cols := make([][]string, 8)
	for i := range cols {
		cols[i] = make([]string, n)
	}
	for i, c := range cards {
		for j, v := range []string{c.TEAM, c.CF, c.Expiry, c.Surname, c.Name, c.Birth, c.Sex, c.BirthPlace} {
			cols[j][i] = v
		}
	}
	return collectTEAMs(ctx, tx, inserted, `INSERT INTO cards
		(team, cf, expiry, surname, name, birth_date, sex, birth_place, updated_at)
		SELECT t, cf, e, s, n, b, x, p, $9 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],
			$5::text[], $6::text[], $7::text[], $8::text[]) AS u(t, cf, e, s, n, b, x, p)
		ON CONFLICT (team) DO NOTHING RETURNING team`,
		cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], now)
}

func insertSecretsPostgres(ctx context.Context, tx *sql.Tx, cards []sealedCard) error {
	n := len(cards)
	teams, keyIDs, nonces, sealed := make([]string, n), make([]string, n), make([][]byte, n), make([][]byte, n)
	for i, c := range cards {
		teams[i], keyIDs[i], nonces[i], sealed[i] = c.TEAM, c.KeyID, c.Nonce, c.Sealed
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO card_secrets (team, key_id, nonce, sealed)
		SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[])`, teams, keyIDs, nonces, sealed)
	return err
}
