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
	b.WriteString("unnest(")
	for i, t := range types {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i) + "::" + t.array())
	}
	b.WriteByte(')')
	return b.String()
}

// ColumnArgs turns rows (each row's values in column order) into one
// array per column, the parameters of Unnest.
func ColumnArgs(rows [][]any, types []ColType) ([]any, error) {
	out := make([]any, len(types))
	for c, t := range types {
		var err error
		switch t {
		case Text:
			out[c], err = column(rows, c, asText)
		case BigInt:
			out[c], err = column(rows, c, asInt)
		case NullBigInt:
			out[c], err = column(rows, c, asNullInt)
		default:
			err = fmt.Errorf("column type %d", t)
		}
		if err != nil {
			return nil, fmt.Errorf("store: column %d: %w", c, err)
		}
	}
	return out, nil
}

func column[T any](rows [][]any, c int, conv func(any) (T, bool)) ([]T, error) {
	col := make([]T, len(rows))
	for i, r := range rows {
		if c >= len(r) {
			return nil, fmt.Errorf("row %d has %d values", i, len(r))
		}
		v, ok := conv(r[c])
		if !ok {
			return nil, fmt.Errorf("row %d: unexpected %T", i, r[c])
		}
		col[i] = v
	}
	return col, nil
}

func asText(v any) (string, bool) { s, ok := v.(string); return s, ok }

func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}

func asNullInt(v any) (*int64, bool) {
	switch n := v.(type) {
	case sql.NullInt64:
		if !n.Valid {
			return nil, true
		}
		return &n.Int64, true
	case nil:
		return nil, true
	}
	n, ok := asInt(v)
	return &n, ok
}
