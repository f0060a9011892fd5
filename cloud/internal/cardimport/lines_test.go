package cardimport_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"cnskiosk.dev/cloud/internal/cardimport"
	"cnskiosk.dev/cloud/internal/demodata"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

func citizens(t *testing.T, seed uint64, n int) [][]string {
	t.Helper()
	g := demodata.New(demodata.Options{Seed: seed})
	var out [][]string
	for range n {
		c, err := g.Next()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c.Record())
	}
	return out
}

// TestImportResyncAfterBadLine: a broken line (unterminated quote, a line
// far too long) is reported with its number and reading goes on at the
// next line; the summary counts it as unreadable.
func TestImportResyncAfterBadLine(t *testing.T) {
	rs := citizens(t, 31, 4)
	file := strings.Join(cardimport.Header, ",") + "\r\n" +
		strings.Join(rs[0], ",") + "\r\n" +
		`"unterminated,` + strings.Join(rs[1][1:], ",") + "\n" +
		strings.Join(rs[1], ",") + "\n\n" +
		strings.Repeat("x", 20000) + "\n" +
		strings.Join(rs[2], ",") + "\n" +
		strings.Join(rs[3], ",") // no final newline
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db, v := storetest.Open(t, d), newVault(t)
			sum, rejects := run(t, db, v, []byte(file), 2)
			sum.Elapsed = 0
			want := cardimport.Summary{Rows: 6, Imported: 4, Rejected: 2, Unreadable: 2, LastLine: 8}
			if sum != want || !sum.Incomplete() {
				t.Fatalf("summary %+v, want %+v", sum, want)
			}
			wantRej := []struct {
				line int
				err  error
			}{{3, cardimport.ErrSyntax}, {6, cardimport.ErrLineTooLong}}
			for i, w := range wantRej {
				r := rejects[i]
				if r.Line != w.line || !strings.HasPrefix(r.Reason, w.err.Error()) || !strings.Contains(r.Reason, "line skipped") {
					t.Errorf("reject %d = %+v, want line %d %v", i, r, w.line, w.err)
				}
			}
		})
	}
}

// TestImportReadErrorKeepsRows: the rows read before an I/O error are
// imported, and the summary says where the import stopped.
func TestImportReadErrorKeepsRows(t *testing.T) {
	db, v := storetest.Open(t, store.SQLite), newVault(t)
	data := demo(t, 5)
	boom := errors.New("disk gone")
	im := cardimport.New(db, v, cardimport.Options{BatchSize: 1000, Now: func() time.Time { return today }}, storetest.Logger(t))
	sum, err := im.Import(context.Background(), io.MultiReader(bytes.NewReader(data), iotest.ErrReader(boom)))
	if !errors.Is(err, cardimport.ErrRead) || !errors.Is(err, boom) {
		t.Fatalf("err = %v, want ErrRead wrapping the I/O error", err)
	}
	if sum.Imported != 5 || sum.LastLine != 6 {
		t.Fatalf("summary %+v, want the 5 rows before the error imported through line 6", sum)
	}
}

// TestImportReasons: reasons name the fields that differ from the cf, full
// dates and expiry problems, and never quote a PIN or PUK that a shifted
// row put in another column.
func TestImportReasons(t *testing.T) {
	base := []string{"RSSMRA70A01F205V", "80380000900090510553", "2031-05-07", "Rossi", "Mario", "1970-01-01", "M", "F205", "12345678", "87654321"}
	with := func(i int, v string) []string {
		r := append([]string(nil), base...)
		r[i] = v
		return r
	}
	swap := func(i, j int) []string {
		r := append([]string(nil), base...)
		r[i], r[j] = r[j], r[i]
		return r
	}
	tests := []struct {
		row  []string
		want string
	}{
		{with(5, "1950-01-01"), "cf does not match the holder data: birth_date (cf 1970-01-01, row 1950-01-01)"},
		{with(5, "1970-02-03"), "birth_date (cf 1970-01-01, row 1970-02-03)"},
		{with(6, "F"), "sex (cf M, row F)"},
		{with(7, "H501"), "birth_place (cf F205, row H501)"},
		{with(3, "Bianchi"), "cf does not match the holder data: surname (cf letters RSS)"},
		{with(4, "Luigi"), "cf does not match the holder data: name (cf letters MRA)"},
		{with(2, "2099-06-22"), "invalid expiry: team: expiry date not plausible: 2099-06-22 is more than 6 years after 2026-01-01"},
		{with(2, "2025-12-31"), "invalid expiry: team: card expired on 2025-12-31"},
		{with(6, "12345678"), `invalid sex: "[pin/puk]"`},
		{with(5, "87654321"), `invalid date: birth_date "[pin/puk]"`},
		{swap(7, 8), `invalid birth_place`},
		{with(6, "43602655"), `invalid sex: "[digits]"`},
	}
	var rows [][]string
	for _, tt := range tests {
		rows = append(rows, tt.row)
	}
	db, v := storetest.Open(t, store.SQLite), newVault(t)
	_, rejects := run(t, db, v, csvOf(rows...), 10)
	if len(rejects) != len(tests) {
		t.Fatalf("rejects %v, want %d", rejects, len(tests))
	}
	for i, tt := range tests {
		if got := rejects[i].Reason; !strings.Contains(got, tt.want) || strings.Contains(got, "12345678") || strings.Contains(got, "87654321") || strings.Contains(got, "43602655") {
			t.Errorf("line %d: reason %q, want it to contain %q and no secret", rejects[i].Line, got, tt.want)
		}
	}
}
