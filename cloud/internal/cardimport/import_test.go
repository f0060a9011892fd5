package cardimport_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/cardimport"
	"cnskiosk.dev/cloud/internal/demodata"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/vault"
)

// today is the import day of the tests: the reference date of the demo
// data, on which none of its cards has expired yet.
var today = demodata.DefaultAsOf

func newVault(t testing.TB) *vault.Vault {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vault.key")
	if err := vault.Generate(path); err != nil {
		t.Fatal(err)
	}
	v, err := vault.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func demo(t testing.TB, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := demodata.Write(&buf, n, demodata.Options{Seed: 42}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func run(t testing.TB, db *store.DB, v *vault.Vault, data []byte, batch int) (cardimport.Summary, []cardimport.Reject) {
	t.Helper()
	var rejects []cardimport.Reject
	im := cardimport.New(db, v, cardimport.Options{BatchSize: batch, Now: func() time.Time { return today },
		Rejected: func(r cardimport.Reject) { rejects = append(rejects, r) }}, storetest.Logger(t))
	sum, err := im.Import(context.Background(), bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return sum, rejects
}

// digest hashes both tables in key order.
func digest(t testing.TB, db *store.DB) string {
	t.Helper()
	h := sha256.New()
	for _, q := range []string{
		`SELECT team || cf || expiry || surname || name || birth_date || sex || birth_place || state || updated_at FROM cards ORDER BY team`,
		`SELECT team || key_id FROM card_secrets ORDER BY team`,
		`SELECT nonce FROM card_secrets ORDER BY team`,
	} {
		rows, err := db.SQL().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				t.Fatal(err)
			}
			h.Write(b)
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestImportIdempotent(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db, v := storetest.Open(t, d), newVault(t)
			data := demo(t, 2500)
			sum, rejects := run(t, db, v, data, 300)
			if sum.Rows != 2500 || sum.Imported != 2500 || sum.Rejected != 0 || len(rejects) != 0 {
				t.Fatalf("first import = %+v, rejects %v", sum, rejects)
			}
			first := digest(t, db)
			sum, _ = run(t, db, v, data, 700)
			if sum.Imported != 0 || sum.Existing != 2500 {
				t.Fatalf("second import = %+v, want 0 imported, 2500 existing", sum)
			}
			if got := digest(t, db); got != first {
				t.Fatalf("database changed on re-import")
			}
		})
	}
}

func TestImportSecretsOpen(t *testing.T) {
	db, v := storetest.Open(t, store.SQLite), newVault(t)
	g := demodata.New(demodata.Options{Seed: 3})
	c, _ := g.Next()
	data := "cf,team,expiry,surname,name,birth_date,sex,birth_place,pin,puk\n" + strings.Join(c.Record(), ",") + "\n"
	run(t, db, v, []byte(data), 10)
	var s vault.Sealed
	err := db.SQL().QueryRow(`SELECT key_id, nonce, sealed FROM card_secrets WHERE team = $1`, c.TEAM).Scan(&s.KeyID, &s.Nonce, &s.Ciphertext)
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.Open(c.TEAM, s)
	if err != nil || got.PIN != c.PIN || got.PUK != c.PUK {
		t.Fatalf("sealed secrets do not open to the imported ones (err %v)", err)
	}
}

// badRows: each line of the file, after the header and one good row, and
// the reason prefix its reject must carry.
func TestImportRejects(t *testing.T) {
	g := demodata.New(demodata.Options{Seed: 9})
	good := make([][]string, 3)
	for i := range good {
		c, _ := g.Next()
		good[i] = c.Record()
	}
	with := func(i int, f func(r []string)) string {
		r := append([]string(nil), good[0]...)
		f(r)
		return strings.Join(r, ",")
	}
	tests := []struct {
		line string
		want error
	}{
		{with(0, func(r []string) { r[0] = r[0][:15] + "X" }), cardimport.ErrCF},
		{with(0, func(r []string) { r[1] = r[1][:19] + fmt.Sprint((int(r[1][19]-'0')+1)%10) }), cardimport.ErrTEAM},
		{with(0, func(r []string) { r[2] = "2026-02-30" }), cardimport.ErrDate},
		{with(0, func(r []string) { r[6] = "X" }), cardimport.ErrSex},
		{with(0, func(r []string) { r[3] = "" }), cardimport.ErrName},
		{with(0, func(r []string) { r[8] = "12a45" }), cardimport.ErrSecret},
		{with(0, func(r []string) { r[9] = "123" }), cardimport.ErrSecret},
		{with(0, func(r []string) { r[5] = "1950-01-01" }), cardimport.ErrMatch},
		{with(0, func(r []string) { r[3] = "Xyzzy" }), cardimport.ErrMatch},
		{with(0, func(r []string) { r[4] = "Qwerty" }), cardimport.ErrMatch},
		{with(0, func(r []string) { r[2] = "2099-06-22" }), cardimport.ErrExpiry},
		{with(0, func(r []string) { r[2] = "1999-05-07" }), cardimport.ErrExpiry},
		{with(0, func(r []string) { r[2] = "2025-12-31" }), cardimport.ErrExpiry},
		{with(0, func(r []string) { r[7] = "Q999" }), cardimport.ErrPlace},
		{"a,b,c", cardimport.ErrFields},
		{with(0, func(r []string) { r[4] = `"bad"quote` }), cardimport.ErrSyntax},
	}
	var file strings.Builder
	file.WriteString(strings.Join(cardimport.Header, ",") + "\n" + strings.Join(good[1], ",") + "\n")
	for _, tt := range tests {
		file.WriteString(tt.line + "\n")
	}
	file.WriteString(strings.Join(good[2], ",") + "\n")
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db, v := storetest.Open(t, d), newVault(t)
			sum, rejects := run(t, db, v, []byte(file.String()), 4)
			if sum.Imported != 2 || sum.Rejected != len(tests) {
				t.Fatalf("summary %+v, want 2 imported, %d rejected", sum, len(tests))
			}
			for i, tt := range tests {
				r := rejects[i]
				t.Logf("line %d: %s", r.Line, r.Reason)
				if r.Line != i+3 {
					t.Errorf("reject %d at line %d, want %d", i, r.Line, i+3)
				}
				if !strings.HasPrefix(r.Reason, tt.want.Error()) {
					t.Errorf("line %d: reason %q, want %q", r.Line, r.Reason, tt.want)
				}
				for _, secret := range []string{good[0][8], good[0][9]} {
					if strings.Contains(r.Reason, secret) {
						t.Errorf("line %d: reason leaks a secret", r.Line)
					}
				}
			}
			var n int
			if err := db.SQL().QueryRow(`SELECT count(*) FROM cards`).Scan(&n); err != nil || n != 2 {
				t.Fatalf("cards = %d (%v), want 2", n, err)
			}
		})
	}
}

// TestImportHeaderSeparator: a header split by semicolons (Excel with
// Italian settings) or tabs is refused with a reason naming the separator.
func TestImportHeaderSeparator(t *testing.T) {
	db, v := storetest.Open(t, store.SQLite), newVault(t)
	im := cardimport.New(db, v, cardimport.Options{}, storetest.Logger(t))
	tests := []struct{ header, want string }{
		{strings.Join(cardimport.Header, ";"), "separated by semicolons (;), not by commas"},
		{"\ufeff\"CF\";\"TEAM\";\"Expiry\"", "separated by semicolons (;), not by commas"},
		{strings.Join(cardimport.Header, "\t"), "separated by tabs, not by commas"},
		{"cf;team,expiry", "missing"},
		{"codice;tessera", "missing cf, team"},
	}
	for _, tt := range tests {
		_, err := im.Import(context.Background(), strings.NewReader(tt.header+"\nRSSMRA70A01F205V;x\n"))
		if !errors.Is(err, cardimport.ErrHeader) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("header %q: err = %v, want ErrHeader with %q", tt.header, err, tt.want)
		}
	}
}

func TestImportBadHeader(t *testing.T) {
	db, v := storetest.Open(t, store.SQLite), newVault(t)
	im := cardimport.New(db, v, cardimport.Options{}, storetest.Logger(t))
	for _, h := range []string{"", "cf,team\n", "cf,cf,team,expiry,surname,name,birth_date,sex,birth_place,pin,puk\n"} {
		if _, err := im.Import(context.Background(), strings.NewReader(h)); !errors.Is(err, cardimport.ErrHeader) {
			t.Errorf("header %q: err = %v, want ErrHeader", h, err)
		}
	}
}

func TestImportHeaderAnyOrder(t *testing.T) {
	db, v := storetest.Open(t, store.SQLite), newVault(t)
	c, _ := demodata.New(demodata.Options{Seed: 5}).Next()
	r := c.Record()
	data := "\ufeffPUK,pin,birth_place,sex,birth_date,name,surname,expiry,team,cf\n" +
		strings.Join([]string{r[9], r[8], r[7], r[6], r[5], r[4], r[3], r[2], r[1], r[0]}, ",") + "\n"
	if sum, rej := run(t, db, v, []byte(data), 10); sum.Imported != 1 {
		t.Fatalf("summary %+v rejects %v, want 1 imported", sum, rej)
	}
}

func TestImportCancelled(t *testing.T) {
	db, v := storetest.Open(t, store.SQLite), newVault(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	im := cardimport.New(db, v, cardimport.Options{BatchSize: 10}, storetest.Logger(t))
	if _, err := im.Import(ctx, bytes.NewReader(demo(t, 100))); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
