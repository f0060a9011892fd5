package audit_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/audit"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// devInPart returns a device id that falls in partition p.
func devInPart(p int) string {
	for i := 0; ; i++ {
		d := fmt.Sprintf("kiosk-%03d", i)
		if audit.PartitionOf(d) == p {
			return d
		}
	}
}

// fill appends n records for dev and returns them in seq order (1..n).
func fill(t *testing.T, db *store.DB, dev string, n int) {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		r := audit.Record{At: base.Add(time.Duration(i) * time.Minute), Device: dev, Counter: dev,
			Operator: "RSSMRA70A01F205V", Card: "80380000900090510553", Action: "activation",
			Outcome: "applied", OpID: fmt.Sprintf("op-%d", i), Detail: "diretta"}
		err := db.InTx(ctx, func(tx *sql.Tx) error { return audit.Append(ctx, tx, db.Dialect(), r) })
		if err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
	}
}

// tamper runs stmt after dropping the append-only triggers, as someone
// with direct database access could.
func tamper(t *testing.T, db *store.DB, stmts ...string) {
	t.Helper()
	drop := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if db.Dialect() == store.Postgres {
		drop = []string{`DROP TRIGGER audit_log_no_change ON audit_log`}
	}
	for _, s := range append(drop, stmts...) {
		if _, err := db.SQL().Exec(s); err != nil {
			t.Fatalf("tamper %q: %v", s, err)
		}
	}
}

func idAt(t *testing.T, db *store.DB, part, seq int) string {
	t.Helper()
	var id string
	err := db.SQL().QueryRow(`SELECT id FROM audit_log WHERE part = $1 AND seq = $2`, part, seq).Scan(&id)
	if err != nil {
		t.Fatalf("id of %d/%d: %v", part, seq, err)
	}
	return id
}

type issue struct {
	Kind audit.Kind
	ID   string
}

func verify(t *testing.T, db *store.DB) (audit.Report, []issue) {
	t.Helper()
	rep, err := audit.Verify(context.Background(), db.SQL(), db.Dialect())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	var got []issue
	for _, is := range rep.Issues {
		t.Logf("issue: %+v", is)
		got = append(got, issue{is.Kind, is.ID})
	}
	slices.SortFunc(got, func(a, b issue) int { return cmpIssue(a, b) })
	return rep, got
}

func cmpIssue(a, b issue) int {
	if a.Kind != b.Kind {
		if a.Kind < b.Kind {
			return -1
		}
		return 1
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

func TestVerify(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { testVerify(t, d) })
	}
}

func testVerify(t *testing.T, d store.Dialect) {
	const p = 3
	dev := devInPart(p)
	tests := []struct {
		name string
		// tamper returns the issues Verify must report.
		tamper func(t *testing.T, db *store.DB) []issue
	}{
		{"intact", func(t *testing.T, db *store.DB) []issue { return nil }},
		{"changed outcome", func(t *testing.T, db *store.DB) []issue {
			tamper(t, db, fmt.Sprintf(`UPDATE audit_log SET outcome = 'card_revoked' WHERE part = %d AND seq = 3`, p))
			return []issue{{audit.Changed, idAt(t, db, p, 3)}}
		}},
		{"changed and rehashed", func(t *testing.T, db *store.DB) []issue {
			// The forger cannot recompute a hash without the chain breaking
			// at the next record; here they just copy a fake hash.
			tamper(t, db, fmt.Sprintf(`UPDATE audit_log SET hash = 'ab' WHERE part = %d AND seq = 2`, p))
			return []issue{{audit.Changed, idAt(t, db, p, 2)}, {audit.Changed, idAt(t, db, p, 3)}}
		}},
		{"deleted middle", func(t *testing.T, db *store.DB) []issue {
			next := idAt(t, db, p, 3)
			tamper(t, db, fmt.Sprintf(`DELETE FROM audit_log WHERE part = %d AND seq = 2`, p))
			return []issue{{audit.Removed, next}}
		}},
		{"deleted last", func(t *testing.T, db *store.DB) []issue {
			tamper(t, db, fmt.Sprintf(`DELETE FROM audit_log WHERE part = %d AND seq = 4`, p))
			return []issue{{audit.Removed, ""}}
		}},
		{"swapped two", func(t *testing.T, db *store.DB) []issue {
			a, b := idAt(t, db, p, 2), idAt(t, db, p, 3)
			tamper(t, db,
				fmt.Sprintf(`UPDATE audit_log SET seq = 100 WHERE part = %d AND seq = 2`, p),
				fmt.Sprintf(`UPDATE audit_log SET seq = 2 WHERE part = %d AND seq = 3`, p),
				fmt.Sprintf(`UPDATE audit_log SET seq = 3 WHERE part = %d AND seq = 100`, p))
			return []issue{{audit.Reordered, a}, {audit.Reordered, b}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := storetest.Open(t, d)
			fill(t, db, dev, 4)
			fill(t, db, devInPart(p+1), 2)
			want := tt.tamper(t, db)
			slices.SortFunc(want, cmpIssue)
			rep, got := verify(t, db)
			if rep.Records < 5 {
				t.Fatalf("Records = %d, want >= 5", rep.Records)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("issues = %v, want %v", got, want)
			}
		})
	}
}

func TestAppendOnlyTriggers(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			fill(t, db, "kiosk-1", 1)
			for _, s := range []string{`UPDATE audit_log SET outcome = 'x'`, `DELETE FROM audit_log`} {
				if _, err := db.SQL().Exec(s); err == nil {
					t.Errorf("%q succeeded on the append-only log", s)
				}
			}
		})
	}
}

func TestAppendRollsBackWithCaller(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			ctx := context.Background()
			errBoom := fmt.Errorf("boom")
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				if err := audit.Append(ctx, tx, db.Dialect(), audit.Record{Device: "k", Action: "activation"}); err != nil {
					return err
				}
				return errBoom
			})
			if err != errBoom {
				t.Fatalf("InTx err = %v, want boom", err)
			}
			fill(t, db, "k", 1)
			rep, got := verify(t, db)
			if rep.Records != 1 || len(got) != 0 {
				t.Fatalf("records %d issues %v, want 1 record, no issue", rep.Records, got)
			}
		})
	}
}

func TestAppendRejects(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	long := string(make([]byte, audit.MaxField+1))
	for _, r := range []audit.Record{{Device: "k"}, {Action: "x", Detail: long}} {
		err := db.InTx(ctx, func(tx *sql.Tx) error { return audit.Append(ctx, tx, db.Dialect(), r) })
		if err == nil {
			t.Errorf("Append accepted an invalid record")
		}
	}
}
