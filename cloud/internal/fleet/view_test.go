package fleet

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// twoFleets returns two Fleets over one database of dialect d, each with
// its own connection pool (two cmsd instances, or cmsd and cmsctl), on one
// clock. The second pool is returned for tests that close it.
func twoFleets(t *testing.T, d store.Dialect) (a, b *Fleet, bdb *store.DB, clk *clock) {
	t.Helper()
	dsn := storetest.DSN(t, d)
	open := func() *store.DB {
		db, err := store.Open(context.Background(), dsn, storetest.Logger(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	clk = &clock{time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	adb := open()
	bdb = open()
	a, b = New(adb, nil, storetest.Logger(t)), New(bdb, nil, storetest.Logger(t))
	a.SetClock(clk.now)
	b.SetClock(clk.now)
	return a, b, bdb, clk
}

func wantEnabled(t *testing.T, f *Fleet, dev string, want bool, wantErr error) {
	t.Helper()
	got, err := f.Enabled(context.Background(), dev)
	if got != want || !errors.Is(err, wantErr) {
		t.Errorf("Enabled(%s) = %v, %v; want %v, %v", dev, got, err, want, wantErr)
	}
}

// TestEnabledAcrossInstances: a device disabled or enabled on one instance
// is answered so at once there and within enabledTTL on another; a device
// provisioned on another instance is known at once; an unknown one is
// refused.
func TestEnabledAcrossInstances(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			a, b, _, clk := twoFleets(t, d)
			for _, id := range []string{"k1", "k2"} {
				if err := a.Register(ctx, Device{ID: id}); err != nil {
					t.Fatal(err)
				}
			}
			wantEnabled(t, a, "k1", true, nil)
			wantEnabled(t, b, "k1", true, nil)
			wantEnabled(t, b, "nope", false, ErrUnknownDevice)

			// Provisioned on a after b loaded its view: b finds it at once.
			ca, err := pki.NewCA("fleet", clk.t, 24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Provision(ctx, ca, Device{ID: "k3"}, time.Hour); err != nil {
				t.Fatal(err)
			}
			wantEnabled(t, b, "k3", true, nil)

			if err := a.Disable(ctx, "k1"); err != nil {
				t.Fatal(err)
			}
			wantEnabled(t, a, "k1", false, nil)
			clk.t = clk.t.Add(enabledTTL)
			wantEnabled(t, b, "k1", false, nil)
			wantEnabled(t, b, "k2", true, nil)
			wantEnabled(t, b, "k3", true, nil)

			if err := b.Enable(ctx, "k1"); err != nil {
				t.Fatal(err)
			}
			wantEnabled(t, b, "k1", true, nil)
			clk.t = clk.t.Add(enabledTTL)
			wantEnabled(t, a, "k1", true, nil)
			if err := b.Disable(ctx, "nope"); !errors.Is(err, ErrUnknownDevice) {
				t.Errorf("Disable(unknown) = %v", err)
			}
		})
	}
}

// TestEnabledUnknownRemembered: an id found unknown is not looked up again
// until the next load, so a device registered elsewhere after its first
// message is known within enabledTTL; one registered here, at once.
func TestEnabledUnknownRemembered(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			a, b, _, clk := twoFleets(t, d)
			wantEnabled(t, b, "late", false, ErrUnknownDevice)
			wantEnabled(t, b, "here", false, ErrUnknownDevice)
			if err := a.Register(ctx, Device{ID: "late"}); err != nil {
				t.Fatal(err)
			}
			if err := b.Register(ctx, Device{ID: "here"}); err != nil {
				t.Fatal(err)
			}
			wantEnabled(t, b, "here", true, nil)
			wantEnabled(t, b, "late", false, ErrUnknownDevice)
			clk.t = clk.t.Add(enabledTTL)
			wantEnabled(t, b, "late", true, nil)
		})
	}
}

// TestEnabledUnknownFlood: messages from ever new unknown ids cost at most
// maxLookups queries per view; past them an id not looked up gets no
// verdict (it is not refused as unknown: it may be registered since).
// The database is closed to prove it: what needs a query fails.
func TestEnabledUnknownFlood(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			a, b, bdb, clk := twoFleets(t, d)
			if err := a.Register(ctx, Device{ID: "k1"}); err != nil {
				t.Fatal(err)
			}
			if err := a.Register(ctx, Device{ID: "k2"}); err != nil {
				t.Fatal(err)
			}
			if err := a.Disable(ctx, "k2"); err != nil {
				t.Fatal(err)
			}
			for i := range maxLookups {
				wantEnabled(t, b, fmt.Sprintf("ghost-%d", i), false, ErrUnknownDevice)
			}
			bdb.Close()
			for i := range maxLookups {
				wantEnabled(t, b, fmt.Sprintf("ghost-%d", i), false, ErrUnknownDevice)
			}
			for i := maxLookups; i < 2*maxLookups; i++ { // not looked up: no verdict
				wantEnabled(t, b, fmt.Sprintf("ghost-%d", i), false, errLookupBudget)
			}
			wantEnabled(t, b, "k1", true, nil)
			wantEnabled(t, b, "k2", false, nil)
			// A stale view is no verdict without the database.
			clk.t = clk.t.Add(enabledTTL)
			if _, err := b.Enabled(ctx, "k1"); err == nil || errors.Is(err, ErrUnknownDevice) {
				t.Errorf("Enabled with the database closed = %v, want a read error", err)
			}
		})
	}
}

// TestEnabledOneLoad: callers that find the view stale at once share one
// load of the whole fleet, and the devices it holds cost no query after.
func TestEnabledOneLoad(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			a, b, _, _ := twoFleets(t, d)
			const n = 50
			for i := range n {
				if err := a.Register(ctx, Device{ID: fmt.Sprintf("k%02d", i)}); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					for range 10 {
						wantEnabled(t, b, fmt.Sprintf("k%02d", i), true, nil)
					}
				})
			}
			wg.Wait()
			b.view.mu.Lock()
			loads, lookups := b.view.started, b.view.lookups
			b.view.mu.Unlock()
			if loads != 1 || lookups != 0 {
				t.Errorf("%d callers: %d loads and %d lookups, want 1 load and none", n, loads, lookups)
			}
		})
	}
}

// TestEnabledLocalChangeDuringLoad: a load that read the table before this
// instance disabled a device, and is installed after, does not enable it
// again.
func TestEnabledLocalChangeDuringLoad(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			f, _, clk := newFleet(t, d)
			if err := f.Register(ctx, Device{ID: "k1"}); err != nil {
				t.Fatal(err)
			}
			seq, size := f.view.begin()
			flags, _, err := f.readFlags(ctx, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Disable(ctx, "k1"); err != nil {
				t.Fatal(err)
			}
			f.view.install(seq, clk.t, flags)
			wantEnabled(t, f, "k1", false, nil)
			// The next load read the change: it needs no reapplying.
			clk.t = clk.t.Add(enabledTTL)
			wantEnabled(t, f, "k1", false, nil)
			f.view.mu.Lock()
			kept := len(f.view.local)
			f.view.mu.Unlock()
			if kept != 0 {
				t.Errorf("%d local changes kept after a load that read them", kept)
			}
		})
	}
}

// TestKickDisabledLoadsView: the disabled-device poll installs what it
// read as the view.
func TestKickDisabledLoadsView(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			a, b, _, _ := twoFleets(t, d)
			k := &fakeKicker{}
			b.SetKicker(k)
			for _, id := range []string{"k1", "k2"} {
				if err := a.Register(ctx, Device{ID: id}); err != nil {
					t.Fatal(err)
				}
			}
			wantEnabled(t, b, "k2", true, nil)
			if err := a.Disable(ctx, "k2"); err != nil {
				t.Fatal(err)
			}
			if n, err := b.KickDisabled(ctx); n != 1 || err != nil {
				t.Fatalf("KickDisabled = %d, %v", n, err)
			}
			if len(k.kicked) != 1 || k.kicked[0] != "k2" {
				t.Errorf("kicked %v, want [k2]", k.kicked)
			}
			// Within the TTL of the first load, the poll's view answers.
			wantEnabled(t, b, "k2", false, nil)
		})
	}
}

// TestEnabledSlowLoad: when every load of the view takes longer than
// enabledTTL (here the clock moves on by enabledTTL at every reading), a
// caller that waited for a load answers from it instead of loading again
// and again.
func TestEnabledSlowLoad(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			a, b, _, clk := twoFleets(t, d)
			if err := a.Register(ctx, Device{ID: "k1"}); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			b.SetClock(func() time.Time {
				mu.Lock()
				defer mu.Unlock()
				clk.t = clk.t.Add(enabledTTL)
				return clk.t
			})
			done := make(chan error, 1)
			go func() {
				on, err := b.Enabled(ctx, "k1")
				if err == nil && !on {
					err = errors.New("k1 answered disabled")
				}
				done <- err
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Error(err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("Enabled never answered: it kept loading the view")
			}
		})
	}
}
