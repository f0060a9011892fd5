package cardimport_test

import (
	"database/sql"
	"strings"
	"testing"

	"cnskiosk.dev/cloud/internal/cardimport"
	"cnskiosk.dev/cloud/internal/demodata"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/vault"
)

func csvOf(rows ...[]string) []byte {
	var b strings.Builder
	b.WriteString(strings.Join(cardimport.Header, ",") + "\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return []byte(b.String())
}

// TestImportConflicts: a row whose TEAM is stored with other data or other
// secrets is rejected with its line and the fields that differ; an
// identical row is "existing"; the stored card never changes.
func TestImportConflicts(t *testing.T) {
	g := demodata.New(demodata.Options{Seed: 21})
	var cs []demodata.Citizen
	for range 5 {
		c, err := g.Next()
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	rec := func(i int, f func(r []string)) []string {
		r := cs[i].Record()
		if f != nil {
			f(r)
		}
		return r
	}
	otherPIN := func(r []string) { r[8] = map[bool]string{true: "55555", false: "54321"}[r[8] == "54321"] }
	tests := []struct {
		row  []string
		want []string // in the reason; nil: not a conflict
	}{
		{rec(0, nil), nil},
		{rec(4, func(r []string) { r[1] = cs[1].TEAM }), []string{"another CF", "different cf, expiry, surname"}},
		{rec(2, otherPIN), []string{"other data (different pin)"}},
		{rec(0, func(r []string) { r[2] = "2031-12-31" }), []string{"different expiry)"}},
		{rec(3, nil), nil},
		{rec(3, func(r []string) { r[3] = strings.ToUpper(r[3]) }), []string{"different surname"}}, // same cf letters
		{rec(3, nil), nil},
	}
	first := csvOf(rec(0, nil), rec(1, nil), rec(2, nil))
	var rows [][]string
	for _, tt := range tests {
		rows = append(rows, tt.row)
	}
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db, v := storetest.Open(t, d), newVault(t)
			run(t, db, v, first, 10)
			before := digest(t, db)
			for _, batch := range []int{3, 100} {
				sum, rejects := run(t, db, v, csvOf(rows...), batch)
				want := cardimport.Summary{Rows: 7, Imported: 1, Existing: 2, Rejected: 4, Conflicts: 4, LastLine: 8}
				if batch == 100 {
					want.Imported, want.Existing = 0, 3
				}
				sum.Elapsed = 0
				if sum != want {
					t.Fatalf("batch %d: summary %+v, want %+v", batch, sum, want)
				}
				checkConflicts(t, tests, rejects)
			}
			var n int
			if err := db.SQL().QueryRow(`SELECT count(*) FROM cards WHERE team <> $1`, cs[3].TEAM).Scan(&n); err != nil || n != 3 {
				t.Fatalf("cards = %d (%v), want 3 besides the new one", n, err)
			}
			if _, err := db.SQL().Exec(`DELETE FROM card_secrets WHERE team = $1`, cs[3].TEAM); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SQL().Exec(`DELETE FROM cards WHERE team = $1`, cs[3].TEAM); err != nil {
				t.Fatal(err)
			}
			if got := digest(t, db); got != before {
				t.Fatal("a conflicting row changed a stored card")
			}
			checkSecrets(t, db.SQL(), v, cs[2])
		})
	}
}

func checkConflicts(t *testing.T, tests []struct {
	row  []string
	want []string
}, rejects []cardimport.Reject) {
	t.Helper()
	var lines []int
	for i, tt := range tests {
		if tt.want != nil {
			lines = append(lines, i+2)
		}
	}
	if len(rejects) != len(lines) {
		t.Fatalf("rejects %v, want lines %v", rejects, lines)
	}
	for i, r := range rejects {
		t.Logf("line %d: %s", r.Line, r.Reason)
		tt := tests[r.Line-2]
		if r.Line != lines[i] || !strings.HasPrefix(r.Reason, cardimport.ErrConflict.Error()+": TEAM "+tt.row[1]) {
			t.Errorf("reject %d = %+v, want line %d, a conflict on TEAM %s", i, r, lines[i], tt.row[1])
		}
		for _, w := range tt.want {
			if !strings.Contains(r.Reason, w) {
				t.Errorf("line %d: reason %q lacks %q", r.Line, r.Reason, w)
			}
		}
		if strings.Contains(r.Reason, tt.row[8]) || strings.Contains(r.Reason, tt.row[9]) {
			t.Errorf("line %d: reason leaks a secret", r.Line)
		}
	}
}

// checkSecrets asserts that the stored secrets of c still open to its own.
func checkSecrets(t *testing.T, db *sql.DB, v *vault.Vault, c demodata.Citizen) {
	t.Helper()
	var s vault.Sealed
	err := db.QueryRow(`SELECT key_id, nonce, sealed FROM card_secrets WHERE team = $1`, c.TEAM).Scan(&s.KeyID, &s.Nonce, &s.Ciphertext)
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.Open(c.TEAM, s)
	if err != nil || got.PIN != c.PIN || got.PUK != c.PUK {
		t.Fatalf("stored secrets of %s changed (err %v)", c.TEAM, err)
	}
}
