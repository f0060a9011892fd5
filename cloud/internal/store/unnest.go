package store

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// ColType is the type of a column passed as one array parameter to a
// PostgreSQL unnest (see Unnest).
type ColType int

// The column types of Unnest. Integer columns take BigInt: PostgreSQL
// casts on assignment.
const (
	Text       ColType = iota // string
	BigInt                    // int, int64
	NullBigInt                // sql.NullInt64
)

func (t ColType) array() string {
	switch t {
	case BigInt, NullBigInt:
		return "bigint[]"
	}
	return "text[]"
}

// Unnest returns "unnest($from::text[], $from+1::bigint[], ...)", one array
// parameter per column: on PostgreSQL a statement over any number of rows
// keeps one text, so each connection prepares it once (a multi-row VALUES
// list changes text with the row count).
func Unnest(types []ColType, from int) string {
	var b strings.Builder
	b.Grow(8 + 16*len(types)) // one allocation: ", $nnn::bigint[]" is 16 bytes
	b.WriteString("unnest(")
	var num [20]byte
	for i, t := range types {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.Write(strconv.AppendInt(num[:0], int64(from+i), 10))
		b.WriteString("::")
		b.WriteString(t.array())
	}
	b.WriteByte(')')
	return b.String()
}

// ColumnArgs turns rows (each row's values in column order) into one
// array per column, the parameters of Unnest. The arrays are sent as a
// []string, []int64 or []*int64 would be (binary format, a NULL element
// for a NULL), but pgx encodes them without boxing each element in an
// interface: an allocation per element, the larger part of the cost of
// passing a batch's rows (BenchmarkColumnArgs). They are for pgx only.
func ColumnArgs(rows [][]any, types []ColType) ([]any, error) {
	out := make([]any, len(types))
	for c, t := range types {
		var err error
		switch t {
		case Text:
			out[c], err = column(rows, c, asText, newTextArray)
		case BigInt:
			out[c], err = column(rows, c, asInt, newInt8Array)
		case NullBigInt:
			out[c], err = column(rows, c, asNullInt, newNullInt8Array)
		default:
			err = fmt.Errorf("column type %d", t)
		}
		if err != nil {
			return nil, fmt.Errorf("store: column %d: %w", c, err)
		}
	}
	return out, nil
}

// column converts column c of rows with conv into the array mk makes.
func column[E any, A any](rows [][]any, c int, conv func(any) (E, bool), mk func([]E) A) (A, error) {
	col := make([]E, len(rows))
	for i, r := range rows {
		if c >= len(r) {
			var zero A
			return zero, fmt.Errorf("row %d has %d values", i, len(r))
		}
		v, ok := conv(r[c])
		if !ok {
			var zero A
			return zero, fmt.Errorf("row %d: unexpected %T", i, r[c])
		}
		col[i] = v
	}
	return mk(col), nil
}

func asText(v any) (TextElem, bool) { s, ok := v.(string); return TextElem(s), ok }

func asInt(v any) (Int8Elem, bool) {
	switch n := v.(type) {
	case int64:
		return Int8Elem(n), true
	case int:
		return Int8Elem(n), true
	}
	return 0, false
}

func asNullInt(v any) (NullInt8Elem, bool) {
	switch n := v.(type) {
	case sql.NullInt64:
		return NullInt8Elem(n), true
	case nil:
		return NullInt8Elem{}, true
	}
	n, ok := asInt(v)
	return NullInt8Elem{Int64: int64(n), Valid: true}, ok
}
