package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one schema change: its version (file name without the
// dialect suffix and extension, e.g. "0001_core") and its SQL.
type Migration struct {
	Version string
	SQL     string
}

// Migrations lists the migrations for dialect d in the order they apply.
func Migrations(d Dialect) ([]Migration, error) {
	return migrationsFrom(migrationFS, "migrations", d)
}

func migrationsFrom(fsys fs.FS, dir string, d Dialect) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMigrate, err)
	}
	var out []Migration
	seen := map[string]bool{}
	for _, e := range entries {
		version, ok := migrationVersion(e.Name(), d)
		if !ok {
			continue
		}
		if seen[version] {
			return nil, fmt.Errorf("%w: two files for version %s", ErrMigrate, version)
		}
		seen[version] = true
		b, err := fs.ReadFile(fsys, dir+"/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMigrate, err)
		}
		out = append(out, Migration{Version: version, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// migrationVersion maps a file name to its version if it applies to d.
func migrationVersion(name string, d Dialect) (string, bool) {
	base, ok := strings.CutSuffix(name, ".sql")
	if !ok {
		return "", false
	}
	for _, other := range []Dialect{SQLite, Postgres} {
		if v, ok := strings.CutSuffix(base, "."+string(other)); ok {
			return v, other == d
		}
	}
	return base, !strings.Contains(base, ".")
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version TEXT PRIMARY KEY,
	applied_at BIGINT NOT NULL
)`

// Migrate applies the migrations not yet recorded in schema_migrations,
// each in its own transaction. On PostgreSQL an advisory lock keeps two
// cmsd instances starting together from applying the same file twice.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := Migrations(db.dialect)
	if err != nil {
		return err
	}
	return db.apply(ctx, ms)
}

func (db *DB) apply(ctx context.Context, ms []Migration) error {
	if _, err := db.sql.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("%w: %w", ErrMigrate, err)
	}
	for _, m := range ms {
		err := db.InTx(ctx, func(tx *sql.Tx) error { return db.applyOne(ctx, tx, m) })
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrMigrate, m.Version, err)
		}
	}
	return nil
}

func (db *DB) applyOne(ctx context.Context, tx *sql.Tx, m Migration) error {
	if db.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727001)`); err != nil {
			return err
		}
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n)
	if err != nil || n > 0 {
		return err
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
		m.Version, time.Now().UnixMicro())
	if err == nil {
		db.log.InfoContext(ctx, "schema migration applied", "version", m.Version, "dialect", db.dialect)
	}
	return err
}
