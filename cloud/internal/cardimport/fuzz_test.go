package cardimport

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzRow feeds arbitrary CSV lines to the row validator: it must never
// panic, and a row it accepts must hold a canonical TEAM and digit secrets.
func FuzzRow(f *testing.F) {
	f.Add("RSSMRA70A01F205V,80380000900090510553,2030-01-01,Rossi,Mario,1970-01-01,M,F205,12345678,87654321")
	f.Add("RSSMRA70A01F205V,8038 0000 9000 9051 0553,2030-01-01,Rossi,Mario,1970-01-01,m,,12345,87654321")
	f.Add(`"a,b",c,,,,,,,,`)
	f.Add(strings.Repeat("9", 300) + ",,,,,,,,,")
	f.Add("MRNLCU00A01H501J,80380000900090510553,2000-01-01,Marin,Luca,2000-01-01,M,H501,1,2")
	today := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, line string) {
		rec, err := csv.NewReader(bytes.NewReader([]byte(line))).Read()
		if err != nil || len(rec) != len(Header) {
			return
		}
		c, err := parseRow(rec, DefaultLengths, today)
		if err != nil {
			return
		}
		if len(c.TEAM) != 20 || !digitsIn(c.PIN, 5, 8) || !digitsIn(c.PUK, 8, 8) {
			t.Fatalf("accepted row %q gave %q", line, c.TEAM)
		}
	})
}

// FuzzSplitLine checks the line parser against encoding/csv: on any one
// line, both accept the same lines and give the same fields.
func FuzzSplitLine(f *testing.F) {
	for _, s := range []string{`a,b,c`, `"a,b",c`, `"a""b",c`, `"ab"c`, `a"b`, `"abc`, `""`, `,`, `"""`, `a,"",""""`, ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.ContainsAny(line, "\r\n") || line == "" {
			return
		}
		cr := csv.NewReader(strings.NewReader(line))
		cr.FieldsPerRecord = -1
		want, werr := cr.Read()
		got, gerr := splitLine(line)
		if (werr != nil) != (gerr != nil) || (werr == nil && !slices.Equal(got, want)) {
			t.Fatalf("splitLine(%q) = %q, %v; encoding/csv %q, %v", line, got, gerr, want, werr)
		}
	})
}
