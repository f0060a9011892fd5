package cms_test

import (
	"context"
	"errors"
	"testing"

	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/wire"
)

// TestConfigCounterReachesEngine: a counter changed in a device's config
// (what the console's form and the API do) is the counter the engine
// resolves for the device's operations, so that a kiosk naming its new
// counter is not refused as counter_mismatch.
func TestConfigCounterReachesEngine(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, d)
			fl := fleet.New(e.db, nil, storetest.Logger(t))
			must(t, fl.Register(ctx, fleet.Device{ID: "kiosk-moved"}))
			counter := func() string {
				t.Helper()
				eng := cms.New(e.db, e.v, cms.Options{}, storetest.Logger(t)) // reads the registry afresh
				got, err := cms.CounterOf(eng, ctx, "kiosk-moved")
				must(t, err)
				return got
			}
			if got := counter(); got != "kiosk-moved" {
				t.Fatalf("counter before = %q, want the device id", got)
			}
			// No publisher: stored, not delivered.
			c, err := fl.SetConfig(ctx, "kiosk-moved", wire.Config{Counter: "desk-new", Languages: []string{"it"}})
			if err != nil && !errors.Is(err, fleet.ErrNotDelivered) {
				t.Fatal(err)
			}
			if got := counter(); got != "desk-new" || c.Counter != "desk-new" {
				t.Errorf("engine counter %q, config counter %q; want desk-new", got, c.Counter)
			}
		})
	}
}
