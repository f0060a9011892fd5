package wire

import (
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar date without time zone, encoded as "YYYY-MM-DD".
// The zero Date encodes as "" and means "not given".
type Date struct{ t time.Time }

// NewDate returns the date y-m-d.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date { return NewDate(t.Date()) }

// ParseDate parses "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: date %q: want YYYY-MM-DD", ErrMalformed, s)
	}
	return Date{t}, nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return d.t }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// String returns "YYYY-MM-DD", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// MarshalJSON implements json.Marshaler.
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON implements json.Unmarshaler.
func (d *Date) UnmarshalJSON(b []byte) error {
	if v, ok := quickDate(b); ok {
		*d = v
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date: %w", err)
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// quickDate parses b when it is a plain JSON string "YYYY-MM-DD" of a
// real date, as json.Unmarshal and ParseDate would, without their scan and
// allocations; anything else (escapes, another form, a day out of range) is
// left to them.
func quickDate(b []byte) (Date, bool) {
	if len(b) != 12 || b[0] != '"' || b[11] != '"' || b[5] != '-' || b[8] != '-' {
		return Date{}, false
	}
	num := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, oky := num(b[1:5])
	m, okm := num(b[6:8])
	d, okd := num(b[9:11])
	if !oky || !okm || !okd || m < 1 || m > 12 || d < 1 || d > 28 && d > daysIn(time.Month(m), y) {
		return Date{}, false
	}
	return NewDate(y, time.Month(m), d), true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
