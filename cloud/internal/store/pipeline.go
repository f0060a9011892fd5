package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Conn returns one connection of the pool, held by the caller until it
// closes it (the engine takes one for each attempt of a batch).
func (db *DB) Conn(ctx context.Context) (*sql.Conn, error) {
	c, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: connection: %w", err)
	}
	return c, nil
}

// Pipeline runs fn with the PostgreSQL connection under c, so that fn can
// send several statements in one round trip (pgx.Batch: one write, one
// read, one Sync). A statement that fails makes PostgreSQL skip the rest
// of that round trip. Statements fn runs and those run through c itself
// are on the same session: a transaction begun in a pipeline ("BEGIN" as
// its first statement) goes on through c until a pipeline or c ends it.
// Only on PostgreSQL.
func Pipeline(c *sql.Conn, fn func(*pgx.Conn) error) error {
	return c.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: pipeline on a %T connection", dc)
		}
		return fn(sc.Conn())
	})
}
