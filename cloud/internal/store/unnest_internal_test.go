package store

import (
	"database/sql"
	"reflect"
	"testing"
)

func TestColumnArgs(t *testing.T) {
	seven := int64(7)
	rows := [][]any{
		{"a", 1, sql.NullInt64{Int64: 7, Valid: true}},
		{"b", int64(2), sql.NullInt64{}},
	}
	got, err := ColumnArgs(rows, []ColType{Text, BigInt, NullBigInt})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{[]string{"a", "b"}, []int64{1, 2}, []*int64{&seven, nil}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ColumnArgs = %#v, want %#v", got, want)
	}
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
