package demodata

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"cnskiosk.dev/shared/belfiore"
	"cnskiosk.dev/shared/cf"
	"cnskiosk.dev/shared/team"
)

// Options shape the generated citizens.
type Options struct {
	Seed   uint64    // same seed, same file
	AsOf   time.Time // reference "today" (default DefaultAsOf)
	Minors float64   // share of holders under 18 (default 0.2)
	Region int       // TEAM region code (default 90, Toscana)
}

// DefaultAsOf is the reference date when Options.AsOf is zero, so that a
// seed alone fixes the output.
var DefaultAsOf = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Citizen is one generated card and holder.
type Citizen struct {
	CF, TEAM           string
	Expiry, BirthDate  time.Time
	Surname, Name, Sex string
	BirthPlace         string
	PIN, PUK           string
}

// Generator yields citizens one by one.
type Generator struct {
	opts   Options
	rnd    *rand.Rand
	serial int
}

// New returns a generator for opts.
func New(opts Options) *Generator {
	if opts.AsOf.IsZero() {
		opts.AsOf = DefaultAsOf
	}
	if opts.Minors == 0 {
		opts.Minors = 0.2
	}
	if opts.Region == 0 {
		opts.Region = 90
	}
	rnd := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	return &Generator{opts: opts, rnd: rnd, serial: 100_000_000 + rnd.IntN(400_000_000)}
}

// Next returns the next citizen.
func (g *Generator) Next() (Citizen, error) {
	c := Citizen{Surname: pick(g.rnd, surnames), Sex: "M"}
	if g.rnd.IntN(2) == 0 {
		c.Sex = "F"
		c.Name = pick(g.rnd, femaleNames)
	} else {
		c.Name = pick(g.rnd, maleNames)
	}
	c.BirthDate = g.birthDate()
	c.BirthPlace = pick(g.rnd, places)
	if _, ok := belfiore.Lookup(c.BirthPlace, c.BirthDate); !ok {
		c.BirthPlace = fallbackPlace
	}
	var err error
	c.CF, err = cf.Encode(cf.Person{Surname: c.Surname, Name: c.Name, BirthDate: c.BirthDate, Sex: c.Sex, PlaceCode: c.BirthPlace})
	if err != nil {
		return Citizen{}, fmt.Errorf("demodata: %w", err)
	}
	g.serial = (g.serial + 1) % 1_000_000_000
	if c.TEAM, err = team.New(g.opts.Region, g.serial); err != nil {
		return Citizen{}, fmt.Errorf("demodata: %w", err)
	}
	c.Expiry = g.expiry(c.BirthDate)
	c.PIN, c.PUK = digits(g.rnd, 8), digits(g.rnd, 8)
	return c, nil
}

// birthDate draws a minor (0-17) or an adult (18-95) as of AsOf.
func (g *Generator) birthDate() time.Time {
	days := 18*365 + g.rnd.IntN(77*365)
	if g.rnd.Float64() < g.opts.Minors {
		days = 1 + g.rnd.IntN(18*365-2)
	}
	return g.opts.AsOf.AddDate(0, 0, -days)
}

// expiry: issued in the last year; valid six years, one for a newborn.
func (g *Generator) expiry(birth time.Time) time.Time {
	issued := g.opts.AsOf.AddDate(0, 0, -g.rnd.IntN(365))
	if issued.Before(birth) {
		issued = birth
	}
	if issued.Sub(birth) < 365*24*time.Hour {
		return issued.AddDate(1, 0, 0)
	}
	return issued.AddDate(6, 0, 0)
}

func pick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

func digits(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

// Header is the CSV header Write emits (the cardimport format).
var Header = []string{"cf", "team", "expiry", "surname", "name", "birth_date", "sex", "birth_place", "pin", "puk"}

// Write writes a header and n citizens as CSV to w, streaming.
func Write(w io.Writer, n int, opts Options) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return err
	}
	g := New(opts)
	for range n {
		c, err := g.Next()
		if err != nil {
			return err
		}
		if err := cw.Write(c.Record()); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Record returns c as a CSV record in Header order.
func (c Citizen) Record() []string {
	return []string{c.CF, c.TEAM, c.Expiry.Format(time.DateOnly), c.Surname, c.Name,
		c.BirthDate.Format(time.DateOnly), c.Sex, c.BirthPlace, c.PIN, c.PUK}
}
