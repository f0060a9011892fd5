package store

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// benchRows are rows of a batch of 64 audit records, as the engine passes
// them to ColumnArgs: text and integer columns, one nullable.
func benchRows() ([][]any, []ColType) {
	types := []ColType{Text, BigInt, BigInt, BigInt, Text, Text, Text, Text, Text, Text, Text, Text, Text, Text, NullBigInt}
	rows := make([][]any, 64)
	for i := range rows {
		rows[i] = []any{fmt.Sprintf("01KFARJJERV16Y4GCA0SK0A%03d", i), i % 16, int64(1000 + i), int64(1764150000000000 + i),
			fmt.Sprintf("kiosk-%02d", i), "careggi-cup-03", "BNCLRA75M41D612B", "80380000900090510553", "activation",
			"applied", fmt.Sprintf("01KFARGQVR9RFMMKD07RCV8%03d", i), "diretta",
			"3f1c9a0e5b7d2c4f6a8e0b1d3c5f7a9e2b4d6f8a0c1e3b5d7f9a1c3e5b7d9f0a",
			"9a0e5b7d2c4f6a8e0b1d3c5f7a9e2b4d6f8a0c1e3b5d7f9a1c3e5b7d9f0a3f1c",
			sql.NullInt64{Int64: int64(i), Valid: i%2 == 0}}
	}
	return rows, types
}

// BenchmarkColumnArgs is ColumnArgs over a batch of 64 rows and the
// encoding of its arrays by pgx as it sends them (binary format, the
// parameter types of a prepared statement).
func BenchmarkColumnArgs(b *testing.B) {
	rows, types := benchRows()
	sd := &pgconn.StatementDescription{}
	for _, t := range types {
		oid := uint32(pgtype.TextArrayOID)
		if t != Text {
			oid = pgtype.Int8ArrayOID
		}
		sd.ParamOIDs = append(sd.ParamOIDs, oid)
	}
	m := pgtype.NewMap()
	var eqb pgx.ExtendedQueryBuilder
	b.ReportAllocs()
	for b.Loop() {
		args, err := ColumnArgs(rows, types)
		if err != nil {
			b.Fatal(err)
		}
		if err := eqb.Build(m, sd, args); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnnest is the text of the unnest of 14 columns, as the engine
// builds it for the audit records of every batch.
func BenchmarkUnnest(b *testing.B) {
	types := []ColType{Text, BigInt, BigInt, BigInt, Text, Text, Text, Text, Text, Text, Text, Text, Text, NullBigInt}
	b.ReportAllocs()
	for b.Loop() {
		_ = Unnest(types, 40)
	}
}
