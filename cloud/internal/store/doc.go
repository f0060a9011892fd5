// Package store opens the CMS database and keeps its schema.
//
// One schema runs on two engines: SQLite (modernc.org/sqlite, pure Go, the
// embedded default for a single cmsd) and PostgreSQL (pgx/v5 through
// database/sql, for several cmsd instances sharing one database). The
// dialect is chosen by the DSN given to [Open]: a postgres:// or
// postgresql:// URL opens PostgreSQL, anything else is a SQLite file path.
//
// # SQL conventions
//
// Statements use $1, $2, ... placeholders on both engines (SQLite accepts
// them natively as numbered parameters). Timestamps are BIGINT unix
// microseconds UTC, dates TEXT 'YYYY-MM-DD', booleans INTEGER 0/1, blobs
// BLOB (SQLite) or BYTEA (PostgreSQL). On PostgreSQL, statements over many
// rows take one array per column ([Unnest], [ColumnArgs]) so that their
// text does not change with the row count, and connections use generic
// plans (plan_cache_mode, see docs/store.md).
//
// # Migrations
//
// SQL files embedded from migrations/, applied once each in lexical order
// and recorded in schema_migrations: NNNN_name.sql for both engines, or a
// pair NNNN_name.sqlite.sql + NNNN_name.postgres.sql where types differ.
// Number ranges by area: 0001-0009 CMS core, 0010-0019 audit, 0100-0199
// devices and MQTT, 0200-0299 console and workers.
//
// # Transactions
//
// [DB.InTx] runs a function in one transaction and retries it on
// serialisation failures, deadlocks and SQLite busy errors. On SQLite every
// write transaction starts with BEGIN IMMEDIATE, so writers queue on the
// database lock instead of failing at their first write.
//
// See docs/store.md in the repository for the schema.
package store
