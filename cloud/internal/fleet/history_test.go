package fleet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// TestHistoryPagesSharedTimes: entries sharing one time across a page
// boundary are each on exactly one page.
func TestHistoryPagesSharedTimes(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			f, _, clk := newFleet(t, d)
			if err := f.Register(ctx, Device{ID: "k1"}); err != nil {
				t.Fatal(err)
			}
			// 3 newer rows, 25 sharing one time, 4 older: pages of 10
			// cut the shared time twice.
			shared := clk.t.Add(-time.Hour)
			var want []string
			add := func(at time.Time, n int) {
				for range n {
					fw := fmt.Sprintf("fw-%d", len(want))
					if _, err := f.db.SQL().ExecContext(ctx, `INSERT INTO device_health (dev, at, online, firmware)
						VALUES ('k1', $1, 1, $2)`, micros(at), fw); err != nil {
						t.Fatal(err)
					}
					want = append(want, fw)
				}
			}
			for i := range 3 {
				add(shared.Add(time.Duration(3-i)*time.Minute), 1)
			}
			add(shared, 25)
			for i := range 4 {
				add(shared.Add(-time.Duration(i+1)*time.Minute), 1)
			}
			seen := map[string]int{}
			var c HealthCursor
			pages := 0
			for {
				h, err := f.HistoryBefore(ctx, "k1", time.Time{}, c, 10)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range h {
					seen[e.Firmware]++
				}
				pages++
				if len(h) < 10 || pages > 10 {
					break
				}
				next, err := ParseHealthCursor(h[len(h)-1].Cursor().String())
				if err != nil || next != h[len(h)-1].Cursor() {
					t.Fatalf("cursor %q reads back as %+v, %v", h[len(h)-1].Cursor(), next, err)
				}
				c = next
			}
			for _, fw := range want {
				if seen[fw] != 1 {
					t.Errorf("entry %s on %d pages, want 1", fw, seen[fw])
				}
			}
			if len(seen) != len(want) || pages != 4 {
				t.Errorf("%d entries on %d pages; want %d on 4", len(seen), pages, len(want))
			}
		})
	}
}

// TestParseHealthCursor: a cursor reads back; the plain time of earlier
// versions is before every entry of that time; anything else is refused.
func TestParseHealthCursor(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want HealthCursor
		err  bool
	}{
		{"", HealthCursor{}, false},
		{fmt.Sprintf("%d.42", at.UnixMicro()), HealthCursor{At: at, Key: 42}, false},
		{fmt.Sprint(at.UnixMicro()), HealthCursor{At: at}, false},
		{"ieri", HealthCursor{}, true},
		{"0.1", HealthCursor{}, true},
		{"-5.1", HealthCursor{}, true},
		{"5.", HealthCursor{}, true},
		{"5.-1", HealthCursor{}, true},
		{"5.x", HealthCursor{}, true},
	}
	for _, tt := range tests {
		got, err := ParseHealthCursor(tt.in)
		if (err != nil) != tt.err || (err != nil && !errors.Is(err, ErrCursor)) || !got.At.Equal(tt.want.At) || got.Key != tt.want.Key {
			t.Errorf("ParseHealthCursor(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// TestHealthKeyMigration: the migration that gives health rows a key keeps
// the rows of an existing table, gives each a distinct key, and new rows
// get keys after them.
func TestHealthKeyMigration(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, d)
			raw := openRaw(t, d, dsn)
			ms, err := store.Migrations(d)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := raw.ExecContext(ctx, `CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
				t.Fatal(err)
			}
			applied := 0
			for _, m := range ms {
				if m.Version >= "0233" {
					break
				}
				if _, err := raw.ExecContext(ctx, m.SQL); err != nil {
					t.Fatalf("%s: %v", m.Version, err)
				}
				if _, err := raw.ExecContext(ctx, `INSERT INTO schema_migrations VALUES ($1, 0)`, m.Version); err != nil {
					t.Fatal(err)
				}
				applied++
			}
			if applied == 0 || applied == len(ms) {
				t.Fatalf("applied %d of %d migrations before the health key", applied, len(ms))
			}
			at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			for i := range 5 {
				if _, err := raw.ExecContext(ctx, `INSERT INTO device_health (dev, at, online, firmware, outbox_depth)
					VALUES ('k1', $1, 1, $2, $3)`, micros(at.Add(time.Duration(i/3)*time.Minute)), fmt.Sprint("old-", i), i); err != nil {
					t.Fatal(err)
				}
			}
			raw.Close()
			db, err := store.Open(ctx, dsn, storetest.Logger(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			f := New(db, &fakePub{}, storetest.Logger(t))
			if _, err := db.SQL().ExecContext(ctx, `INSERT INTO device_health (dev, at, online, firmware) VALUES ('k1', $1, 1, 'new')`,
				micros(at)); err != nil {
				t.Fatal(err)
			}
			h, err := f.History(ctx, "k1", time.Time{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			keys := map[int64]bool{}
			for _, e := range h {
				got = append(got, fmt.Sprintf("%s/%d", e.Firmware, e.OutboxDepth))
				keys[e.key] = true
			}
			want := "[old-4/4 old-3/3 new/0 old-2/2 old-1/1 old-0/0]"
			if fmt.Sprint(got) != want || len(keys) != 6 {
				t.Errorf("history after the migration = %v with %d keys; want %s with 6", got, len(keys), want)
			}
		})
	}
}

// openRaw opens dsn without migrating it.
func openRaw(t *testing.T, d store.Dialect, dsn string) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if d == store.Postgres {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
