package store

import (
	"bytes"
	"database/sql"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
)

func TestColumnArgs(t *testing.T) {
	seven := int64(7)
	rows := [][]any{
		{"a", 1, sql.NullInt64{Int64: 7, Valid: true}},
		{"b\"{,}\\ é", int64(1 << 40), sql.NullInt64{}},
		{"", -3, nil},
	}
	types := []ColType{Text, BigInt, NullBigInt}
	got, err := ColumnArgs(rows, types)
	if err != nil {
		t.Fatal(err)
	}
	// The arrays go to PostgreSQL as the plain slices did, in both formats.
	want := []any{[]string{"a", "b\"{,}\\ é", ""}, []int64{1, 1 << 40, -3}, []*int64{&seven, nil, nil}}
	checkEncodedAs(t, got, want, []uint32{pgtype.TextArrayOID, pgtype.Int8ArrayOID, pgtype.Int8ArrayOID})
	empty, err := ColumnArgs(nil, types)
	if err != nil {
		t.Fatal(err)
	}
	checkEncodedAs(t, empty, []any{[]string{}, []int64{}, []*int64{}}, []uint32{pgtype.TextArrayOID, pgtype.Int8ArrayOID, pgtype.Int8ArrayOID})
	for _, tc := range []struct {
		name  string
		rows  [][]any
		types []ColType
	}{
		{"text given an int", [][]any{{1}}, []ColType{Text}},
		{"bigint given a string", [][]any{{"x"}}, []ColType{BigInt}},
		{"short row", [][]any{{"x"}}, []ColType{Text, Text}},
	} {
		if _, err := ColumnArgs(tc.rows, tc.types); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// checkEncodedAs checks that pgx encodes each of got exactly as the
// matching value of want, for a parameter of type oids[i] in binary and
// text format, and of a type it does not know (simple protocol).
func checkEncodedAs(t *testing.T, got, want []any, oids []uint32) {
	t.Helper()
	m := pgtype.NewMap()
	for i := range want {
		for _, format := range []int16{pgtype.BinaryFormatCode, pgtype.TextFormatCode} {
			g, err := m.Encode(oids[i], format, got[i], nil)
			if err != nil {
				t.Fatalf("column %d, format %d: %v", i, format, err)
			}
			w, err := m.Encode(oids[i], format, want[i], nil)
			if err != nil {
				t.Fatalf("column %d, format %d: %v", i, format, err)
			}
			if !bytes.Equal(g, w) || (g == nil) != (w == nil) {
				t.Errorf("column %d, format %d: encoded as %q, want %q", i, format, g, w)
			}
		}
		g, err := m.Encode(0, pgtype.TextFormatCode, got[i], nil)
		if err != nil {
			t.Fatalf("column %d, unknown type: %v", i, err)
		}
		w, err := m.Encode(0, pgtype.TextFormatCode, want[i], nil)
		if err != nil {
			t.Fatalf("column %d, unknown type: %v", i, err)
		}
		if !bytes.Equal(g, w) {
			t.Errorf("column %d, unknown type: encoded as %q, want %q", i, g, w)
		}
	}
}

func TestUnnest(t *testing.T) {
	got := Unnest([]ColType{Text, BigInt, NullBigInt}, 3)
	want := "unnest($3::text[], $4::bigint[], $5::bigint[])"
	if got != want {
		t.Errorf("Unnest = %q, want %q", got, want)
	}
}

func TestPostgresDSNPlanCacheMode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://u@h/db", "postgres://u@h/db?plan_cache_mode=force_generic_plan"},
		{"postgres://u@h/db?sslmode=disable", "postgres://u@h/db?plan_cache_mode=force_generic_plan&sslmode=disable"},
		{"postgres://u@h/db?plan_cache_mode=auto", "postgres://u@h/db?plan_cache_mode=auto"},
	} {
		if got := postgresDSN(tc.in); got != tc.want {
			t.Errorf("postgresDSN(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
