package demodata

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"cnskiosk.dev/shared/cf"
	"cnskiosk.dev/shared/team"
)

func TestDeterministic(t *testing.T) {
	var a, b, c bytes.Buffer
	if err := Write(&a, 200, Options{Seed: 7}); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, 200, Options{Seed: 7}); err != nil {
		t.Fatal(err)
	}
	if err := Write(&c, 200, Options{Seed: 8}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatalf("same seed gave different files")
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatalf("different seeds gave the same file")
	}
}

func TestCitizensAreValid(t *testing.T) {
	g := New(Options{Seed: 1})
	minors, women, teams := 0, 0, map[string]bool{}
	const n = 2000
	for range n {
		c, err := g.Next()
		if err != nil {
			t.Fatal(err)
		}
		info, err := cf.Decode(c.CF, DefaultAsOf)
		if err != nil {
			t.Fatalf("%s: invalid CF: %v", c.CF, err)
		}
		if !info.BirthDate.Equal(c.BirthDate) || info.Sex != c.Sex || info.Place.Code != c.BirthPlace {
			t.Fatalf("%s: decodes to %v %s %s, want %v %s %s", c.CF, info.BirthDate, info.Sex, info.Place.Code, c.BirthDate, c.Sex, c.BirthPlace)
		}
		if err := team.Validate(c.TEAM); err != nil || teams[c.TEAM] {
			t.Fatalf("TEAM %s invalid (%v) or repeated", c.TEAM, err)
		}
		teams[c.TEAM] = true
		if !c.Expiry.After(DefaultAsOf) {
			t.Fatalf("%s expires %v, before the reference date", c.TEAM, c.Expiry)
		}
		if c.BirthDate.AddDate(18, 0, 0).After(DefaultAsOf) {
			minors++
		}
		if c.Sex == "F" {
			women++
		}
	}
	if minors < n/10 || minors > n/3 {
		t.Errorf("minors = %d of %d, want about 20%%", minors, n)
	}
	if women < n/3 || women > 2*n/3 {
		t.Errorf("women = %d of %d, want about half", women, n)
	}
}

func TestWriteHeaderAndRows(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, 3, Options{Seed: 1, AsOf: time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(recs), 4; got != want {
		t.Fatalf("records = %d, want %d", got, want)
	}
	if got := recs[0][0] + "," + recs[0][9]; got != "cf,puk" {
		t.Fatalf("header = %v", recs[0])
	}
}
