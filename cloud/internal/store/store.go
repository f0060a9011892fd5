package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
	_ "modernc.org/sqlite"             // registers driver "sqlite"
)

// Dialect names the database engine behind a DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open, migrated CMS database.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	log     *slog.Logger
}

// PostgresPoolSize is the number of connections kept to PostgreSQL. It is
// sized for many concurrent operations on a small server; PostgreSQL itself
// is the limit beyond it.
const PostgresPoolSize = 32

// Open opens the database named by dsn (a SQLite file path or a
// postgres:// URL) and applies the pending migrations.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*DB, error) {
	db, err := openOnly(dsn, log)
	if err != nil {
		return nil, err
	}
	if err := db.sql.PingContext(ctx); err != nil {
		db.sql.Close()
		return nil, fmt.Errorf("%w: %s: %w", ErrOpen, db.dialect, err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.sql.Close()
		return nil, err
	}
	return db, nil
}

func openOnly(dsn string, log *slog.Logger) (*DB, error) {
	if dsn == "" {
		return nil, fmt.Errorf("%w: empty dsn", ErrOpen)
	}
	if IsPostgresDSN(dsn) {
		s, err := sql.Open("pgx", postgresDSN(dsn))
		if err != nil {
			return nil, fmt.Errorf("%w: postgres: %w", ErrOpen, err)
		}
		s.SetMaxOpenConns(PostgresPoolSize)
		s.SetMaxIdleConns(PostgresPoolSize)
		s.SetConnMaxIdleTime(5 * time.Minute)
		return &DB{sql: s, dialect: Postgres, log: log}, nil
	}
	s, err := sql.Open("sqlite", sqliteDSN(dsn))
	if err != nil {
		return nil, fmt.Errorf("%w: sqlite: %w", ErrOpen, err)
	}
	// WAL lets readers run beside the one writer; writers queue on the
	// database lock (BEGIN IMMEDIATE + busy_timeout), so a few connections
	// are enough.
	n := max(4, runtime.GOMAXPROCS(0))
	s.SetMaxOpenConns(n)
	s.SetMaxIdleConns(n)
	return &DB{sql: s, dialect: SQLite, log: log}, nil
}

// postgresDSN adds to dsn, unless it sets it, plan_cache_mode
// force_generic_plan: pgx prepares every statement once per connection,
// and the engine's statements take arrays, whose length a generic plan
// does not know; left to choose, PostgreSQL keeps planning them anew at
// every execution, which costs more than running them (docs/store.md).
func postgresDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn // sql.Open reports it
	}
	q := u.Query()
	if q.Has("plan_cache_mode") {
		return dsn
	}
	q.Set("plan_cache_mode", "force_generic_plan")
	u.RawQuery = q.Encode()
	return u.String()
}

// IsPostgresDSN reports whether dsn names a PostgreSQL database.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqliteDSN turns a file path into a modernc DSN with the pragmas every
// connection needs: WAL, a busy timeout, foreign keys, full fsync of the
// WAL on commit (an ack follows every commit) and immediate write locks.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		return path + "&" + q.Encode()
	}
	return "file:" + path + "?" + q.Encode()
}

// SQL returns the database/sql handle.
func (db *DB) SQL() *sql.DB { return db.sql }

// Dialect returns the engine behind db.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }
