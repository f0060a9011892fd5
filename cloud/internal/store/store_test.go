package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

func TestOpenMigratesBothDialects(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, d)
			db, err := store.Open(ctx, dsn, storetest.Logger(t))
			if err != nil {
				t.Fatal(err)
			}
			if got := db.Dialect(); got != d {
				t.Errorf("Dialect() = %q, want %q", got, d)
			}
			db.Close()
			// Opening again applies nothing twice.
			db, err = store.Open(ctx, dsn, storetest.Logger(t))
			if err != nil {
				t.Fatalf("second open: %v", err)
			}
			defer db.Close()
			ms, err := store.Migrations(d)
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != len(ms) {
				t.Errorf("schema_migrations rows = %d, want %d", n, len(ms))
			}
		})
	}
}

func TestPlaceholdersAndBlobs(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, d)
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO cards (team, cf, expiry, surname, name, birth_date, updated_at)
					VALUES ($1, $2, $3, $4, $5, $6, $7)`, "80380000900090510553", "RSSMRA70A01F205V",
					"2030-01-31", "ROSSI", "MARIO", "1970-01-01", int64(1))
				if err != nil {
					return err
				}
				_, err = tx.ExecContext(ctx, `INSERT INTO card_secrets (team, key_id, nonce, sealed) VALUES ($1, $2, $3, $4)`,
					"80380000900090510553", "k1", []byte{1, 2, 3}, []byte{0, 255})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var cf string
			var sealed []byte
			err = db.SQL().QueryRowContext(ctx, `SELECT c.cf, s.sealed FROM cards c JOIN card_secrets s ON s.team = c.team
				WHERE c.team = $1 AND c.expiry = $2`, "80380000900090510553", "2030-01-31").Scan(&cf, &sealed)
			if err != nil {
				t.Fatal(err)
			}
			if cf != "RSSMRA70A01F205V" || string(sealed) != "\x00\xff" {
				t.Errorf("got %q %x", cf, sealed)
			}
		})
	}
}

func TestInTxRollsBackOnError(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, d)
			boom := errors.New("boom")
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO counters (id, updated_at) VALUES ($1, $2)`, "c1", 1); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx error = %v, want boom", err)
			}
			var n int
			if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM counters`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("rows after rollback = %d, want 0", n)
			}
		})
	}
}

// PostgreSQL connections use generic plans unless the dsn says otherwise
// (docs/store.md: statements over arrays).
func TestPostgresGenericPlans(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	var mode string
	if err := db.SQL().QueryRowContext(context.Background(), `SHOW plan_cache_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "force_generic_plan" {
		t.Errorf("plan_cache_mode = %q, want force_generic_plan", mode)
	}
}
