package store

import (
	"database/sql/driver"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5/pgtype"
)

// The arrays below are parameters of a PostgreSQL statement that pgx sends
// exactly as a []string, []int64 or []*int64 (one dimension from 1, binary
// format when the statement is prepared, a NULL element for a NULL), but
// cheaper to encode: pgx reads a plain slice through an interface value
// per element, which for a string or a large integer is an allocation;
// these hand it a pointer into their own slice, which is not. Build them
// with [TextArray], [Int8Array] and [NullInt8Array], or from rows with
// [ColumnArgs].

// TextElem is an element of a text array.
type TextElem string

// TextValue implements pgtype.TextValuer.
func (e *TextElem) TextValue() (pgtype.Text, error) {
	return pgtype.Text{String: string(*e), Valid: true}, nil
}

// Int8Elem is an element of a bigint array.
type Int8Elem int64

// Int64Value implements pgtype.Int64Valuer.
func (e *Int8Elem) Int64Value() (pgtype.Int8, error) {
	return pgtype.Int8{Int64: int64(*e), Valid: true}, nil
}

// NullInt8Elem is an element of a bigint array that may be NULL.
type NullInt8Elem struct {
	Int64 int64
	Valid bool // false: NULL
}

// Int64Value implements pgtype.Int64Valuer.
func (e *NullInt8Elem) Int64Value() (pgtype.Int8, error) {
	return pgtype.Int8{Int64: e.Int64, Valid: e.Valid}, nil
}

// Array is a one-dimensional array parameter of elements E (TextElem,
// Int8Elem, NullInt8Elem): it implements pgtype.ArrayGetter. It is never
// NULL; with no element it is the empty array.
type Array[E any] struct {
	dims  [1]pgtype.ArrayDimension
	elems []E
}

func newArray[E any](elems []E) *Array[E] {
	return &Array[E]{dims: [1]pgtype.ArrayDimension{{Length: int32(len(elems)), LowerBound: 1}}, elems: elems}
}

func newTextArray(elems []TextElem) *Array[TextElem]             { return newArray(elems) }
func newInt8Array(elems []Int8Elem) *Array[Int8Elem]             { return newArray(elems) }
func newNullInt8Array(elems []NullInt8Elem) *Array[NullInt8Elem] { return newArray(elems) }

// TextArray returns the text array of vals, which it copies.
func TextArray(vals []string) *Array[TextElem] {
	elems := make([]TextElem, len(vals))
	for i, v := range vals {
		elems[i] = TextElem(v)
	}
	return newArray(elems)
}

// Int8Array returns the bigint array of elems, which it keeps.
func Int8Array(elems []Int8Elem) *Array[Int8Elem] { return newArray(elems) }

// NullInt8Array returns the bigint array of elems, which it keeps.
func NullInt8Array(elems []NullInt8Elem) *Array[NullInt8Elem] { return newArray(elems) }

// TextArrayOf returns the text array of elems, which it keeps.
func TextArrayOf(elems []TextElem) *Array[TextElem] { return newArray(elems) }

// Len returns the number of elements of a.
func (a *Array[E]) Len() int { return len(a.elems) }

// Dimensions implements pgtype.ArrayGetter.
func (a *Array[E]) Dimensions() []pgtype.ArrayDimension { return a.dims[:] }

// Index implements pgtype.ArrayGetter: a pointer to element i, which an
// interface holds without an allocation.
func (a *Array[E]) Index(i int) any { return &a.elems[i] }

// IndexType implements pgtype.ArrayGetter.
func (a *Array[E]) IndexType() any { return (*E)(nil) }

// textMap encodes the arrays whose parameter type is not known (see Value).
var textMap = struct {
	sync.Mutex
	m *pgtype.Map
}{m: pgtype.NewMap()}

// Value implements driver.Valuer: the array in PostgreSQL's text form, as
// pgx writes a plain slice whose parameter type it does not know (a
// statement not prepared, with the simple protocol: the SQL's cast gives
// the type). A prepared statement's parameter never calls it.
func (a *Array[E]) Value() (driver.Value, error) {
	textMap.Lock()
	defer textMap.Unlock()
	oid := uint32(pgtype.TextArrayOID)
	if _, ok := any((*E)(nil)).(*TextElem); !ok {
		oid = pgtype.Int8ArrayOID
	}
	b, err := textMap.m.Encode(oid, pgtype.TextFormatCode, a, nil)
	if err != nil {
		return nil, fmt.Errorf("store: array: %w", err)
	}
	return string(b), nil
}
