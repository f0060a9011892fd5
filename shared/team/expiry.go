package team

import (
	"fmt"
	"time"
)

// MinExpiryYear is the earliest plausible expiry year. The TS-CNS was
// first issued in 2004; no card of the service expires before 2000.
const MinExpiryYear = 2000

// MaxValidityYears bounds how far ahead a card can expire. A TS-CNS is
// valid six years from its issue (one year for a newborn, less for a
// foreign resident whose permit ends sooner), and a card is issued on or
// before the day it is checked, so no real card expires more than six
// years after that day.
const MaxValidityYears = 6

// CheckExpiry checks the expiry date printed on a card (the "Data
// Scadenza" next to the Codice TEAM) as of today. Only the calendar dates
// count, each in its own location. It returns an error wrapping:
//
//   - [ErrExpiryRange] if expiry is before 1 January [MinExpiryYear] or
//     more than [MaxValidityYears] after today: no real card has it, so it
//     is a typing or data error;
//   - [ErrExpired] if expiry is plausible but before today (a card is
//     valid through its expiry day).
//
// Callers that accept expired cards (and refuse them later with a message
// of their own) treat ErrExpired as a pass.
func CheckExpiry(expiry, today time.Time) error {
	e, t := dateOf(expiry), dateOf(today)
	switch {
	case e.Year() < MinExpiryYear:
		return fmt.Errorf("%w: %s is before %d", ErrExpiryRange, e.Format(time.DateOnly), MinExpiryYear)
	case e.After(t.AddDate(MaxValidityYears, 0, 0)):
		return fmt.Errorf("%w: %s is more than %d years after %s", ErrExpiryRange,
			e.Format(time.DateOnly), MaxValidityYears, t.Format(time.DateOnly))
	case e.Before(t):
		return fmt.Errorf("%w on %s", ErrExpired, e.Format(time.DateOnly))
	}
	return nil
}

// dateOf is midnight UTC of t's calendar date.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
