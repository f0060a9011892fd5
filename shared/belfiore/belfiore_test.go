package belfiore

import (
	"errors"
	"testing"
	"time"
)

func day0(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestLookup(t *testing.T) {
	tests := []struct {
		code, on    string
		wantOK      bool
		name, prov  string
		wantForeign bool
	}{
		{"A004", "1980-05-01", true, "ABBADIA CERRETO", "MI", false},
		{"A004", "1992-04-15", true, "ABBADIA CERRETO", "MI", false},
		{"A004", "1992-04-16", true, "ABBADIA CERRETO", "LO", false},
		{"a004", "2020-01-01", true, "ABBADIA CERRETO", "LO", false},
		{"F205", "1970-01-01", true, "MILANO", "MI", false},
		{"H501", "2000-01-01", true, "ROMA", "RM", false},
		{"D588", "1960-01-01", true, "FILAGO", "BG", false},
		{"Z110", "1890-01-01", true, "Francia", "EE", true},
		{"Z105", "1992-12-31", true, "Cecoslovacchia", "EE", true},
		{"Z105", "1993-01-01", false, "", "", false},
		{"A004", "1850-01-01", false, "", "", false},
		{"Z999", "2000-01-01", false, "", "", false},
		{"", "2000-01-01", false, "", "", false},
	}
	for _, tt := range tests {
		got, ok := Lookup(tt.code, day0(tt.on))
		if ok != tt.wantOK || got.Name != tt.name || got.Province != tt.prov || got.Foreign != tt.wantForeign {
			t.Errorf("Lookup(%q, %s) = %+v, %v; want %s (%s) foreign=%v, %v",
				tt.code, tt.on, got, ok, tt.name, tt.prov, tt.wantForeign, tt.wantOK)
		}
	}
}

func TestLookupIgnoresTimeOfDay(t *testing.T) {
	rome := time.FixedZone("CEST", 2*3600)
	on := time.Date(1992, 4, 16, 0, 30, 0, 0, rome) // 1992-04-15 22:30 UTC
	if p, _ := Lookup("A004", on); p.Province != "LO" {
		t.Errorf("Lookup on local date 1992-04-16 = %s, want province LO", p)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		code, on string
		want     error
	}{
		{"H501", "2000-01-01", nil},
		{"H50", "2000-01-01", ErrSyntax},
		{"h501", "2000-01-01", ErrSyntax},
		{"1501", "2000-01-01", ErrSyntax},
		{"Z999", "2000-01-01", ErrUnknown},
		{"Z105", "2000-01-01", ErrNotValid},
		{"A004", "1800-01-01", ErrNotValid},
	}
	for _, tt := range tests {
		_, err := Check(tt.code, day0(tt.on))
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("Check(%q, %s) = %v, want %v", tt.code, tt.on, err, tt.want)
		}
	}
}

func TestFind(t *testing.T) {
	tests := []struct {
		name, prov, on string
		want           []string // codes
	}{
		{"Milano", "MI", "2020-01-01", []string{"F205"}},
		{"milano", "", "2020-01-01", []string{"F205"}},
		{"Abbadia Cerreto", "", "1980-01-01", []string{"A004"}},
		{"Abbadia Cerreto", "LO", "1980-01-01", nil},
		{"Bozen", "BZ", "2020-01-01", []string{"A952"}},
		{"Sant'Angelo a Fasanella", "SA", "2020-01-01", []string{"I278"}},
		{"francia", "EE", "2020-01-01", []string{"Z110"}},
		{"Nowhere", "", "2020-01-01", nil},
	}
	for _, tt := range tests {
		got := Find(tt.name, tt.prov, day0(tt.on))
		var codes []string
		for _, p := range got {
			codes = append(codes, p.Code)
		}
		if len(codes) != len(tt.want) || (len(codes) > 0 && codes[0] != tt.want[0]) {
			t.Errorf("Find(%q, %q, %s) = %v, want %v", tt.name, tt.prov, tt.on, codes, tt.want)
		}
	}
}

func TestTable(t *testing.T) {
	if n := Len(); n < 15000 {
		t.Fatalf("Len() = %d, want > 15000 places", n)
	}
	for _, p := range table().places {
		if !p.From.IsZero() && !p.To.IsZero() && p.To.Before(p.From) {
			t.Errorf("%s %s: ends %s before it starts %s", p.Code, p.Name, p.To, p.From)
		}
		if p.Foreign != (p.Code[0] == 'Z') {
			t.Errorf("%s %s: foreign=%v", p.Code, p.Name, p.Foreign)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, line := range []string{
		"H501\t\t\tRM\t0\tROMA",
		"H501\t2000-13-01\t\tRM\t0\tROMA\t",
		"H501\t\t2000-1-1\tRM\t0\tROMA\t",
		"H5X1\t\t\tRM\t0\tROMA\t",
	} {
		if _, err := parseLine(line); err == nil {
			t.Errorf("parseLine(%q) = nil error", line)
		}
	}
	if _, err := parse([]byte("not gzip")); err == nil {
		t.Error("parse(not gzip) = nil error")
	}
}

func BenchmarkLookup(b *testing.B) {
	on := day0("1975-06-01")
	table()
	for b.Loop() {
		if _, ok := Lookup("F205", on); !ok {
			b.Fatal("F205 not found")
		}
	}
}

// BenchmarkParse is the one-time cost of the first lookup.
func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
