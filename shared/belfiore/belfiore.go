package belfiore

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"cnskiosk.dev/shared/internal/translit"
)

// Place is one place under one name for a period of time.
type Place struct {
	Code     string    // Belfiore code, e.g. "H501"
	Name     string    // official name, e.g. "ROMA" (comuni upper case, as ANPR has them)
	AltName  string    // name in the second official language, if any (e.g. "BOZEN")
	Province string    // province plate code, e.g. "RM"; "EE" for foreign states
	Foreign  bool      // a foreign state (Z code)
	From     time.Time // first day of validity; zero = since before any record
	To       time.Time // last day of validity; zero = still valid
}

// ValidOn reports whether p was valid on the calendar date of t.
func (p Place) ValidOn(t time.Time) bool {
	d := dateOf(t)
	return (p.From.IsZero() || !d.Before(p.From)) && (p.To.IsZero() || !d.After(p.To))
}

// String returns "NAME (PR)".
func (p Place) String() string { return p.Name + " (" + p.Province + ")" }

// Lookup returns the place that code named on the date of on.
func Lookup(code string, on time.Time) (Place, bool) {
	for _, p := range table().byCode[strings.ToUpper(code)] {
		if p.ValidOn(on) {
			return p, true
		}
	}
	return Place{}, false
}

// History returns every place code has named, oldest first.
func History(code string) []Place {
	return slices.Clone(table().byCode[strings.ToUpper(code)])
}

// Check is Lookup with a reason: it returns [ErrSyntax], [ErrUnknown] or
// [ErrNotValid] (saying when the code was valid) when there is no place.
func Check(code string, on time.Time) (Place, error) {
	if !Syntax(code) {
		return Place{}, fmt.Errorf("%w: %q", ErrSyntax, code)
	}
	if p, ok := Lookup(code, on); ok {
		return p, nil
	}
	h := History(code)
	if len(h) == 0 {
		return Place{}, fmt.Errorf("%w: %s", ErrUnknown, code)
	}
	spans := make([]string, len(h))
	for i, p := range h {
		spans[i] = fmt.Sprintf("%s %s..%s", p, day(p.From), day(p.To))
	}
	return Place{}, fmt.Errorf("%w: %s on %s (valid: %s)", ErrNotValid, code, on.Format(time.DateOnly), strings.Join(spans, "; "))
}

// Syntax reports whether code has the shape of a Belfiore code: an upper
// case letter and three digits.
func Syntax(code string) bool {
	if len(code) != 4 || code[0] < 'A' || code[0] > 'Z' {
		return false
	}
	for i := 1; i < 4; i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// Find returns the places valid on the date of on whose name or alternative
// name matches name, ignoring case, accents, apostrophes and punctuation.
// province filters by plate code ("EE" for foreign states); "" matches any.
func Find(name, province string, on time.Time) []Place {
	t := table()
	var out []Place
	for _, i := range t.byName[translit.Key(name)] {
		p := t.places[i]
		if (province == "" || strings.EqualFold(p.Province, province)) && p.ValidOn(on) {
			out = append(out, p)
		}
	}
	return out
}

func day(t time.Time) string {
	if t.IsZero() {
		return "…"
	}
	return t.Format(time.DateOnly)
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
