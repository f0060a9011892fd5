package cms_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// TestCounterView checks the counters of devices: read for the whole
// fleet at the first need, a device registered after the read found
// alone, a change seen once the TTL is over (the first caller after it
// still answered from the previous read while the new one runs), an
// unregistered device at its own id, and many callers at once on a stale
// view all answered.
func TestCounterView(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, d)
			var clock atomic.Int64
			clock.Store(now.UnixNano())
			eng := cms.New(e.db, e.v, cms.Options{CounterTTL: time.Minute, Now: func() time.Time { return time.Unix(0, clock.Load()) }},
				storetest.Logger(t))
			for i := range 20 {
				registerDevice(t, e.db, fmt.Sprintf("kiosk-view-%02d", i), fmt.Sprintf("desk-%02d", i%3))
			}
			want := func(dev, counter string) {
				t.Helper()
				got, err := cms.CounterOf(eng, ctx, dev)
				if err != nil || got != counter {
					t.Errorf("counter of %s = %q, %v; want %q", dev, got, err, counter)
				}
			}
			want("kiosk-view-04", "desk-01")
			registerDevice(t, e.db, "kiosk-view-late", "desk-late")
			want("kiosk-view-late", "desk-late")
			want("kiosk-not-registered", "kiosk-not-registered")

			_, err := e.db.SQL().ExecContext(ctx, `UPDATE devices SET counter = 'desk-moved' WHERE id = 'kiosk-view-04'`)
			must(t, err)
			want("kiosk-view-04", "desk-01") // within the TTL
			clock.Add(int64(time.Minute))
			want("kiosk-view-04", "desk-01") // stale, while the new read runs
			cms.WaitCounters(eng)
			var wg sync.WaitGroup
			for i := range 20 {
				wg.Go(func() {
					dev, counter := fmt.Sprintf("kiosk-view-%02d", i), fmt.Sprintf("desk-%02d", i%3)
					if i == 4 {
						counter = "desk-moved"
					}
					want(dev, counter)
				})
			}
			wg.Wait()
		})
	}
}
