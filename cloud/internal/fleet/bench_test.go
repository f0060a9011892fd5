package fleet

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/store/storetest"
)

// benchFleet is the size of the fleet in BenchmarkEnabled: the 1,000 busy
// kiosks of the load figures.
const benchFleet = 1000

// BenchmarkEnabled measures what ingest pays per message for the device
// check:
//   - hit: the same device, the answer cached;
//   - refresh: the clock moves past enabledTTL before every call, so every
//     call reads the database;
//   - fleet: benchFleet devices in turn at 4,000 messages/s of the clock
//     (250 µs per call), the load of the cmsd profile.
func BenchmarkEnabled(b *testing.B) {
	for _, d := range storetest.Dialects() {
		ctx := context.Background()
		db := storetest.Open(b, d)
		f := New(db, nil, storetest.Logger(b))
		clk := &clock{time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
		f.SetClock(clk.now)
		ids := make([]string, benchFleet)
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			for i := range ids {
				ids[i] = fmt.Sprintf("kiosk-%04d", i)
				if _, err := tx.ExecContext(ctx, `INSERT INTO devices (id, enabled, created_at) VALUES ($1, 1, 0)`, ids[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		call := func(dev string) {
			if ok, err := f.Enabled(ctx, dev); !ok || err != nil {
				b.Fatalf("Enabled(%s) = %v, %v", dev, ok, err)
			}
		}
		b.Run(string(d)+"/hit", func(b *testing.B) {
			call(ids[0])
			for b.Loop() {
				call(ids[0])
			}
		})
		b.Run(string(d)+"/refresh", func(b *testing.B) {
			for b.Loop() {
				clk.t = clk.t.Add(enabledTTL)
				call(ids[0])
			}
		})
		b.Run(string(d)+"/fleet", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				clk.t = clk.t.Add(250 * time.Microsecond)
				call(ids[i%len(ids)])
			}
		})
	}
}
