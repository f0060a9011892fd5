package cardimport

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/vault"
)

// storedCard is a card as the database holds it, with its sealed secrets
// (KeyID empty when none are stored).
type storedCard struct {
	Card
	KeyID         string
	Nonce, Sealed []byte
}

const storedColumns = `SELECT c.team, c.cf, c.expiry, c.surname, c.name, c.birth_date, c.sex, c.birth_place,
	COALESCE(s.key_id, ''), s.nonce, s.sealed FROM cards c LEFT JOIN card_secrets s ON s.team = c.team `

// loadStored reads the stored cards with the TEAMs of cards.
func loadStored(ctx context.Context, tx *sql.Tx, d store.Dialect, cards []sealedCard) (map[string]storedCard, error) {
	out := make(map[string]storedCard, len(cards))
	teams := make([]string, len(cards))
	for i, c := range cards {
		teams[i] = c.TEAM
	}
	if d == store.Postgres {
		return out, scanStored(ctx, tx, out, storedColumns+`WHERE c.team = ANY($1::text[])`, teams)
	}
	for part := range slices.Chunk(teams, sqliteRows) {
		args := make([]any, len(part))
		for i, t := range part {
			args[i] = t
		}
		q := storedColumns + `WHERE c.team IN (` + strings.TrimSuffix(strings.Repeat("?,", len(part)), ",") + `)`
		if err := scanStored(ctx, tx, out, q, args...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanStored(ctx context.Context, tx *sql.Tx, out map[string]storedCard, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s storedCard
		if err := rows.Scan(&s.TEAM, &s.CF, &s.Expiry, &s.Surname, &s.Name, &s.Birth, &s.Sex, &s.BirthPlace,
			&s.KeyID, &s.Nonce, &s.Sealed); err != nil {
			return err
		}
		out[s.TEAM] = s
	}
	return rows.Err()
}

// compare returns "" when row c is the stored card st, else the reason of
// the conflict. It names the fields that differ, never their values, and
// compares PIN and PUK by opening both sealed copies.
func (im *Importer) compare(c sealedCard, st storedCard) string {
	if st.TEAM == "" {
		return fmt.Sprintf("%v: TEAM %s is not stored after the insert", ErrConflict, c.TEAM)
	}
	var diff []string
	for _, f := range []struct{ name, row, stored string }{
		{"cf", c.CF, st.CF}, {"expiry", c.Expiry, st.Expiry}, {"surname", c.Surname, st.Surname},
		{"name", c.Name, st.Name}, {"birth_date", c.Birth, st.Birth}, {"sex", c.Sex, st.Sex},
		{"birth_place", c.BirthPlace, st.BirthPlace},
	} {
		if f.row != f.stored {
			diff = append(diff, f.name)
		}
	}
	diff = append(diff, im.secretsDiffer(c, st)...)
	if len(diff) == 0 {
		return ""
	}
	whom := "already issued with other data"
	if c.CF != st.CF {
		whom = "already issued to another CF"
	}
	return fmt.Sprintf("%v: TEAM %s %s (different %s); the stored card is kept, corrections go through the wrong registry data procedure",
		ErrConflict, c.TEAM, whom, strings.Join(diff, ", "))
}

// secretsDiffer names "pin" and/or "puk" when the row's secrets differ
// from the stored ones, or explains why they cannot be compared.
func (im *Importer) secretsDiffer(c sealedCard, st storedCard) []string {
	if st.KeyID == "" {
		return []string{"pin/puk (none stored)"}
	}
	row, err := im.v.Open(c.TEAM, vault.Sealed{KeyID: c.KeyID, Nonce: c.Nonce, Ciphertext: c.Sealed})
	if err != nil {
		return []string{"pin/puk (row secrets do not open)"}
	}
	old, err := im.v.Open(st.TEAM, vault.Sealed{KeyID: st.KeyID, Nonce: st.Nonce, Ciphertext: st.Sealed})
	if err != nil {
		return []string{"pin/puk (stored secrets do not open with this key file)"}
	}
	var diff []string
	if subtle.ConstantTimeCompare([]byte(row.PIN), []byte(old.PIN)) != 1 {
		diff = append(diff, "pin")
	}
	if subtle.ConstantTimeCompare([]byte(row.PUK), []byte(old.PUK)) != 1 {
		diff = append(diff, "puk")
	}
	return diff
}
