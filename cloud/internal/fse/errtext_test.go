package fse_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"cnskiosk.dev/cloud/internal/fse"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// accented refuses every CF with a 600-byte accented message; the CF sets
// how many ASCII bytes come first, so one of the two cuts at 500 bytes
// falls inside a two-byte rune.
type accented struct{}

func (accented) Create(_ context.Context, _, cf string, _ fse.Consents) error {
	return fmt.Errorf("%w: %s%s", fse.ErrCF, cf, strings.Repeat("è", 300))
}

func TestLongAccentedErrorOpensTicket(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db, c := storetest.Open(t, d), newClock()
			cfs := []string{"A", "AB"}
			for _, cf := range cfs {
				addRequest(t, db, "r-"+cf, cf, c.Now())
			}
			drain(t, newWorker(t, db, accented{}, c), c)
			for _, cf := range cfs {
				if s, n := status(t, db, "r-"+cf); s != "failed_cf" || n != 1 {
					t.Errorf("%s: %s after %d attempts, want failed_cf after 1", cf, s, n)
				}
				var last, detail string
				err := db.SQL().QueryRow(`SELECT r.last_error, t.detail FROM fse_requests r JOIN tickets t
					ON t.source = 'fse' AND t.ref = r.id WHERE r.id = $1`, "r-"+cf).Scan(&last, &detail)
				if err != nil {
					t.Fatalf("%s: no ticket: %v", cf, err)
				}
				if len(last) > 500 || !utf8.ValidString(last) || detail != last {
					t.Errorf("%s: last_error %d bytes, valid %v; ticket detail equal %v", cf, len(last), utf8.ValidString(last), detail == last)
				}
			}
		})
	}
}
