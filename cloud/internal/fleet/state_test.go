package fleet

import (
	"context"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/wire"
)

// TestHealthRows: heartbeats that say the same thing write one health row
// per HealthEvery; a change writes one at once; a last will writes an
// offline row with the last health known.
func TestHealthRows(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			f, _, clk := newFleet(t, d)
			if err := f.Register(ctx, Device{ID: "k1"}); err != nil {
				t.Fatal(err)
			}
			ok := wire.State{Online: true, Firmware: "1.2.0", Reader: "ok", Printer: "ok", Payment: "ok"}
			beat := func(s wire.State) {
				t.Helper()
				if err := f.ObserveState(ctx, "k1", clk.t, s); err != nil {
					t.Fatal(err)
				}
				clk.t = clk.t.Add(time.Minute)
			}
			for range 20 { // rows at 0 and 15 min
				beat(ok)
			}
			paper := ok
			paper.Printer = "paper_end"
			beat(paper) // a change: a row at 20 min
			beat(paper)
			beat(wire.State{Online: false}) // a row at 22 min
			h, err := f.History(ctx, "k1", time.Time{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			want := []struct {
				min     int
				online  bool
				printer string
			}{{22, false, "paper_end"}, {20, true, "paper_end"}, {15, true, "ok"}, {0, true, "ok"}}
			if len(h) != len(want) {
				t.Fatalf("history has %d rows, want %d: %+v", len(h), len(want), h)
			}
			for i, w := range want {
				if !h[i].At.Equal(start.Add(time.Duration(w.min)*time.Minute)) || h[i].Online != w.online ||
					h[i].Printer != w.printer || h[i].Firmware != "1.2.0" {
					t.Errorf("row %d = %+v, want minute %d online %v printer %s firmware 1.2.0", i, h[i], w.min, w.online, w.printer)
				}
			}
			older, err := f.HistoryBefore(ctx, "k1", time.Time{}, h[1].Cursor(), 2)
			if err != nil || len(older) != 2 || !older[0].At.Equal(h[2].At) || !older[1].At.Equal(h[3].At) {
				t.Errorf("page before %v = %+v, %v; want rows 2 and 3", h[1].At, older, err)
			}
		})
	}
}

// TestPruneHealth: rows older than the limit go, in batches, the others
// stay.
func TestPruneHealth(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			f, _, clk := newFleet(t, d)
			defer func(n int) { pruneBatch = n }(pruneBatch)
			pruneBatch = 7
			if err := f.Register(ctx, Device{ID: "k1"}); err != nil {
				t.Fatal(err)
			}
			limit := clk.t.Add(-HealthKeep)
			// 30 old rows, 3 sharing one time, and 5 recent ones.
			for i := range 35 {
				at := limit.Add(-time.Duration(30-i) * time.Hour)
				if i >= 30 {
					at = limit.Add(time.Duration(i) * time.Minute)
				} else if i < 3 {
					at = limit.Add(-40 * time.Hour)
				}
				if _, err := f.db.SQL().ExecContext(ctx, `INSERT INTO device_health (dev, at, online) VALUES ('k1', $1, 1)`, micros(at)); err != nil {
					t.Fatal(err)
				}
			}
			n, err := f.PruneHealth(ctx, limit)
			if err != nil || n != 30 {
				t.Errorf("PruneHealth = %d, %v; want 30", n, err)
			}
			h, err := f.History(ctx, "k1", time.Time{}, 100)
			if err != nil || len(h) != 5 || h[4].At.Before(limit) {
				t.Errorf("left %+v (%v); want the 5 rows since %v", h, err, limit)
			}
		})
	}
}
