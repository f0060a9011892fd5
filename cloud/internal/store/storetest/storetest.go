package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/store"
	"github.com/oklog/ulid/v2"
)

// DefaultPGURL is used when CNS_TEST_PG_URL is not set.
const DefaultPGURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Dialects lists the dialects every store-backed test runs on.
func Dialects() []store.Dialect { return []store.Dialect{store.SQLite, store.Postgres} }

// Open returns a fresh, migrated database of dialect d, closed (and on
// PostgreSQL dropped) when t ends. A PostgreSQL server that does not
// answer fails the test.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	dsn := DSN(t, d)
	db, err := store.Open(context.Background(), dsn, Logger(t))
	if err != nil {
		t.Fatalf("storetest: open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// DSN creates an empty database of dialect d for t and returns its DSN,
// without opening it.
func DSN(t testing.TB, d store.Dialect) string {
	t.Helper()
	switch d {
	case store.SQLite:
		return filepath.Join(t.TempDir(), "cms.db")
	case store.Postgres:
		return newPostgres(t)
	}
	t.Fatalf("storetest: unknown dialect %q", d)
	return ""
}

// Logger returns a slog.Logger writing to t.Log.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func newPostgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv("CNS_TEST_PG_URL")
	if base == "" {
		base = DefaultPGURL
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("storetest: CNS_TEST_PG_URL: %v", err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := "cms_test_" + strings.ToLower(ulid.Make().String())
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("storetest: PostgreSQL at %s is needed (start it with `make services`, set CNS_TEST_PG_URL): %v", redact(base), err)
	}
	t.Cleanup(func() { drop(t, base, name) })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: CNS_TEST_PG_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func drop(t testing.TB, base, name string) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Errorf("storetest: drop %s: %v", name, err)
		return
	}
	defer admin.Close()
	_, err = admin.ExecContext(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	if err != nil {
		t.Errorf("storetest: drop %s: %v", name, err)
	}
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable url)"
	}
	return u.Redacted()
}
