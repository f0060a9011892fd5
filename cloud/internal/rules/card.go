package rules

import (
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Rome on hosts without a zoneinfo database

	"cnskiosk.dev/shared/wire"
)

// State is a card's lifecycle state.
type State string

// Card states.
const (
	NotActive State = "not_active"
	Active    State = "active"
	Revoked   State = "revoked"
	Replaced  State = "replaced"
)

// Card is a card as the CMS holds it.
type Card struct {
	TEAM       string
	CF         string
	Expiry     wire.Date
	Surname    string
	Name       string
	BirthDate  wire.Date
	Sex        string
	BirthPlace string
	State      State
	Readers    int
}

// Expired reports whether the card's expiry date is before today.
func (c Card) Expired(today wire.Date) bool { return c.Expiry.Before(today) }

// MinorOn reports whether the holder is under 18 on day today. The birth
// date comes from the card record, or from the codice fiscale when the
// record has none.
func (c Card) MinorOn(today wire.Date) bool {
	birth := c.BirthDate.Time()
	if c.BirthDate.IsZero() {
		b, err := cfBirthDate(c.CF, today.Time())
		if err != nil {
			return false
		}
		birth = b
	}
	return today.Time().Before(birth.AddDate(18, 0, 0))
}

// Capability names what a counter may do beyond the common procedures.
type Capability string

// Counter capabilities.
const (
	CapReissue Capability = "reissue" // enabled company counter: reissue requests
)

// Capabilities are the capabilities the rules know.
func Capabilities() []Capability { return []Capability{CapReissue} }

// Counter is a point of service (sportello); a kiosk is one.
type Counter struct {
	ID           string
	Name         string
	Capabilities []Capability
}

// Can reports whether the counter has capability c.
func (c Counter) Can(cap Capability) bool { return slices.Contains(c.Capabilities, cap) }

// ParseCapabilities reads a comma-separated capability list.
func ParseCapabilities(s string) []Capability {
	var out []Capability
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, Capability(f))
		}
	}
	return out
}

var rome = loadRome()

func loadRome() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}

// Today returns the calendar date of t in Italy.
func Today(t time.Time) wire.Date { return wire.DateOf(t.In(rome)) }

// NormCF returns a codice fiscale in upper case without spaces.
func NormCF(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
