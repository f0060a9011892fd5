package fleet

import (
	"context"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/wire"
)

// TestConfigCounter: the counter of a config is the device's registered
// counter (the row the engine reads), written with the config; a config
// naming no counter keeps the registered one.
func TestConfigCounter(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			f, _, _ := newFleet(t, d)
			if err := f.Register(ctx, Device{ID: "k1", Counter: "desk-1"}); err != nil {
				t.Fatal(err)
			}
			steps := []struct {
				name, set, want string
			}{
				{"no counter keeps the registered one", "", "desk-1"},
				{"a new counter", "desk-2", "desk-2"},
				{"none again", "", "desk-2"},
			}
			for _, st := range steps {
				c, err := f.SetConfig(ctx, "k1", wire.Config{Counter: st.set, Languages: []string{"it"}})
				if err != nil {
					t.Fatal(err)
				}
				dev, err := f.Get(ctx, "k1")
				if err != nil {
					t.Fatal(err)
				}
				var row string
				if err := f.db.SQL().QueryRowContext(ctx, `SELECT counter FROM devices WHERE id = 'k1'`).Scan(&row); err != nil {
					t.Fatal(err)
				}
				if c.Counter != st.want || dev.Counter != st.want || row != st.want {
					t.Errorf("%s: config %q, device %q, row %q; want %q", st.name, c.Counter, dev.Counter, row, st.want)
				}
			}
		})
	}
}

// TestConfigRejected: a state that says the kiosk refused the desired
// config is kept on the device row until a state without it; the time the
// desired config was set gives how long it has waited.
func TestConfigRejected(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			f, _, clk := newFleet(t, d)
			if err := f.Register(ctx, Device{ID: "k1"}); err != nil {
				t.Fatal(err)
			}
			set := clk.t
			if _, err := f.SetConfig(ctx, "k1", wire.Config{Languages: []string{"it"}}); err != nil {
				t.Fatal(err)
			}
			clk.t = clk.t.Add(90 * time.Minute)
			steps := []struct {
				name     string
				state    wire.State
				rejected bool
				pending  time.Duration
			}{
				{"refused", wire.State{Online: true, RejectedVersion: 1, RejectedReason: "lingua non installata"}, true, 90 * time.Minute},
				{"applied", wire.State{Online: true, ConfigVersion: 1}, false, 0},
			}
			for _, st := range steps {
				if err := f.ObserveState(ctx, "k1", clk.t, st.state); err != nil {
					t.Fatal(err)
				}
				dev, err := f.Get(ctx, "k1")
				if err != nil {
					t.Fatal(err)
				}
				if dev.Rejected() != st.rejected || dev.RejectedReason != st.state.RejectedReason ||
					!dev.DesiredAt.Equal(set) || dev.PendingFor(clk.t) != st.pending {
					t.Errorf("%s: rejected %v %q, desired at %v, pending %v; want %v %q, %v, %v", st.name,
						dev.Rejected(), dev.RejectedReason, dev.DesiredAt, dev.PendingFor(clk.t),
						st.rejected, st.state.RejectedReason, set, st.pending)
				}
			}
		})
	}
}
