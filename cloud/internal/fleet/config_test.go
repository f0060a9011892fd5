package fleet

import (
	"context"
	"fmt"
	"slices"
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

// TestChangesRecordActor: every config stored goes to the device's history
// with the actor of its context, and a command keeps who sent it.
func TestChangesRecordActor(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			f, _, clk := newFleet(t, d)
			if err := f.Register(ctx, Device{ID: "k1"}); err != nil {
				t.Fatal(err)
			}
			for i, who := range []string{"anna", "", "bruno"} {
				clk.t = clk.t.Add(time.Minute)
				if _, err := f.SetConfig(WithActor(ctx, who), "k1", wire.Config{Languages: []string{"it"}, ReaderPriceCents: 100 * i}); err != nil {
					t.Fatal(err)
				}
			}
			h, err := f.ConfigHistory(ctx, "k1", 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range h {
				got = append(got, fmt.Sprintf("v%d %s %d %s", c.Version, c.ChangedBy, c.Config.ReaderPriceCents, c.ChangedAt.Format("15:04")))
			}
			want := []string{"v3 bruno 200 09:03", "v2  100 09:02", "v1 anna 0 09:01"}
			if !slices.Equal(got, want) {
				t.Errorf("history = %q, want %q", got, want)
			}
			if _, err := f.SendCommand(WithActor(ctx, "carla"), "k1", "reboot", nil, time.Minute); err != nil {
				t.Fatal(err)
			}
			cmds, err := f.Commands(ctx, "k1", 0)
			if err != nil || len(cmds) != 1 || cmds[0].SentBy != "carla" {
				t.Errorf("commands = %+v, %v; want one sent by carla", cmds, err)
			}
		})
	}
}

// TestConfigConcurrentEdits: edits of one device's config at the same time
// all succeed, with distinct consecutive versions and one history row each.
func TestConfigConcurrentEdits(t *testing.T) {
	const edits = 8
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			f, _, _ := newFleet(t, d)
			if err := f.Register(ctx, Device{ID: "k1"}); err != nil {
				t.Fatal(err)
			}
			start := make(chan struct{})
			versions := make(chan int64, edits)
			errs := make(chan error, edits)
			for i := range edits {
				go func() {
					<-start
					c, err := f.SetConfig(ctx, "k1", wire.Config{Languages: []string{"it"}, ReaderPriceCents: i})
					errs <- err
					versions <- c.Version
				}()
			}
			close(start)
			var got []int64
			for range edits {
				if err := <-errs; err != nil {
					t.Errorf("SetConfig: %v", err)
				}
				got = append(got, <-versions)
			}
			slices.Sort(got)
			var want []int64
			for v := range int64(edits) {
				want = append(want, v+1)
			}
			if !slices.Equal(got, want) {
				t.Errorf("versions = %v, want %v", got, want)
			}
			h, err := f.ConfigHistory(ctx, "k1", 0)
			if err != nil {
				t.Fatal(err)
			}
			var hv []int64
			for _, c := range h {
				if c.Config.Version != c.Version {
					t.Errorf("history version %d holds config version %d", c.Version, c.Config.Version)
				}
				hv = append(hv, c.Version)
			}
			slices.Sort(hv)
			if !slices.Equal(hv, want) {
				t.Errorf("history versions = %v, want %v", hv, want)
			}
			last, err := f.Config(ctx, "k1")
			if err != nil || last.Version != edits {
				t.Errorf("desired config version = %d, %v; want %d", last.Version, err, edits)
			}
		})
	}
}
