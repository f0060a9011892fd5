package fleet

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/wire"
)

type sent struct {
	topic   string
	payload []byte
	retain  bool
}

type fakePub struct {
	mu  sync.Mutex
	out []sent
}

func (p *fakePub) Publish(_ context.Context, topic string, payload []byte, retain bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.out = append(p.out, sent{topic, payload, retain})
	return nil
}

type fakeKicker struct{ kicked []string }

func (k *fakeKicker) Kick(cn string) { k.kicked = append(k.kicked, cn) }

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newFleet(t *testing.T, d store.Dialect) (*Fleet, *fakePub, *clock) {
	t.Helper()
	db := storetest.Open(t, d)
	pub := &fakePub{}
	f := New(db, pub, storetest.Logger(t))
	c := &clock{time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	f.SetClock(c.now)
	return f, pub, c
}

func TestAdmit(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			f, _, clk := newFleet(t, d)
			ca, err := pki.NewCA("fleet", clk.t, 24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			old, err := f.Provision(ctx, ca, Device{ID: "kiosk-01"}, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			cur, err := f.Provision(ctx, ca, Device{ID: "kiosk-01"}, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			cloud, err := f.IssueCloud(ctx, ca, CloudCN, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name, cn, serial string
				want             Role
				wantErr          error
			}{
				{"current device cert", "kiosk-01", cur.Serial, RoleDevice, nil},
				{"replaced cert", "kiosk-01", old.Serial, "", ErrRevoked},
				{"serial of another CN", "kiosk-02", cur.Serial, "", ErrUnknownCert},
				{"unknown serial", "kiosk-01", "abc", "", ErrUnknownCert},
				{"cloud", CloudCN, cloud.Serial, RoleCloud, nil},
			}
			for _, tt := range tests {
				got, err := f.Admit(ctx, tt.cn, tt.serial)
				if got != tt.want || !errors.Is(err, tt.wantErr) {
					t.Errorf("%s: Admit = %q, %v; want %q, %v", tt.name, got, err, tt.want, tt.wantErr)
				}
			}
			k := &fakeKicker{}
			f.SetKicker(k)
			if err := f.Disable(ctx, "kiosk-01"); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Admit(ctx, "kiosk-01", cur.Serial); !errors.Is(err, ErrDisabled) {
				t.Errorf("Admit after Disable = %v, want ErrDisabled", err)
			}
			if ok, _ := f.Enabled(ctx, "kiosk-01"); ok {
				t.Error("Enabled after Disable = true")
			}
			if len(k.kicked) != 1 || k.kicked[0] != "kiosk-01" {
				t.Errorf("kicked %v, want [kiosk-01]", k.kicked)
			}
			if err := f.Enable(ctx, "kiosk-01"); err != nil {
				t.Fatal(err)
			}
			// Revoking a certificate drops what the broker holds for its CN.
			if err := f.Revoke(ctx, cur.Serial); err != nil {
				t.Fatal(err)
			}
			if len(k.kicked) != 2 || k.kicked[1] != "kiosk-01" {
				t.Errorf("kicked %v after Revoke, want [kiosk-01 kiosk-01]", k.kicked)
			}
			if _, err := f.Admit(ctx, "kiosk-01", cur.Serial); !errors.Is(err, ErrRevoked) {
				t.Errorf("Admit after Revoke = %v, want ErrRevoked", err)
			}
			if err := f.Revoke(ctx, cur.Serial); !errors.Is(err, ErrUnknownCert) {
				t.Errorf("second Revoke = %v, want ErrUnknownCert", err)
			}
			if len(k.kicked) != 2 {
				t.Errorf("kicked %v after a refused Revoke", k.kicked)
			}
			if cur, err = f.Provision(ctx, ca, Device{ID: "kiosk-01"}, time.Hour); err != nil {
				t.Fatal(err)
			}
			// Two valid certificates with one name (cmsd instances share
			// theirs): revoking one kicks nobody, the other stays admitted.
			cloud2, err := f.IssueCloud(ctx, ca, CloudCN, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Revoke(ctx, cloud.Serial); err != nil {
				t.Fatal(err)
			}
			if len(k.kicked) != 2 {
				t.Errorf("kicked %v after revoking one of two cloud certificates", k.kicked)
			}
			if got, err := f.Admit(ctx, CloudCN, cloud2.Serial); got != RoleCloud || err != nil {
				t.Errorf("Admit of the other cloud certificate = %q, %v", got, err)
			}
			clk.t = clk.t.Add(2 * time.Hour)
			if _, err := f.Admit(ctx, "kiosk-01", cur.Serial); !errors.Is(err, ErrRevoked) {
				t.Errorf("Admit of expired cert = %v, want ErrRevoked", err)
			}
			if _, err := f.Enabled(ctx, "nope"); !errors.Is(err, ErrUnknownDevice) {
				t.Errorf("Enabled(unknown) = %v", err)
			}
		})
	}
}

func TestPresenceAndHistory(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			f, _, clk := newFleet(t, d)
			for _, id := range []string{"k1", "k2", "k3"} {
				if err := f.Register(ctx, Device{ID: id, Site: "asl-to"}); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.Register(ctx, Device{ID: "k1"}); !errors.Is(err, ErrExists) {
				t.Errorf("second Register = %v, want ErrExists", err)
			}
			st := wire.State{Online: true, Firmware: "1.2.0", ConfigVersion: 0, Printer: "paper_near_end", OutboxDepth: 3}
			if err := f.ObserveState(ctx, "k1", clk.t, st); err != nil {
				t.Fatal(err)
			}
			if err := f.ObserveState(ctx, "k2", clk.t, st); err != nil {
				t.Fatal(err)
			}
			if err := f.ObserveState(ctx, "k2", clk.t.Add(time.Second), wire.State{Online: false}); err != nil {
				t.Fatal(err)
			}
			if err := f.ObserveState(ctx, "ghost", clk.t, st); !errors.Is(err, ErrUnknownDevice) {
				t.Errorf("state of unknown device = %v", err)
			}
			want := map[string]string{"k1": "online", "k2": "offline", "k3": "never"}
			all, err := f.List(ctx, Filter{Site: "asl-to"})
			if err != nil {
				t.Fatal(err)
			}
			for _, dv := range all {
				if got := dv.Presence; got != want[dv.ID] {
					t.Errorf("%s presence %q, want %q", dv.ID, got, want[dv.ID])
				}
			}
			if len(all) != 3 {
				t.Errorf("List = %d devices, want 3", len(all))
			}
			clk.t = clk.t.Add(StaleAfter + time.Second)
			online, _ := f.List(ctx, Filter{Presence: "stale"})
			if len(online) != 1 || online[0].ID != "k1" || online[0].Printer != "paper_near_end" {
				t.Errorf("stale = %+v, want k1", online)
			}
			pre, _ := f.List(ctx, Filter{Prefix: "k", After: "k1", Limit: 1})
			if len(pre) != 1 || pre[0].ID != "k2" {
				t.Errorf("page after k1 = %+v, want k2", pre)
			}
			h, err := f.History(ctx, "k2", time.Time{}, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(h) != 2 || h[0].Online || !h[1].Online || h[1].OutboxDepth != 3 {
				t.Errorf("history = %+v", h)
			}
		})
	}
}

func TestConfigAndCommands(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			f, pub, clk := newFleet(t, d)
			if err := f.Register(ctx, Device{ID: "k1"}); err != nil {
				t.Fatal(err)
			}
			for want := int64(1); want <= 2; want++ {
				c, err := f.SetConfig(ctx, "k1", wire.Config{ReaderPriceCents: 420, Languages: []string{"it", "en"}})
				if err != nil {
					t.Fatal(err)
				}
				if c.Version != want || c.Counter != "k1" {
					t.Errorf("config version %d counter %q, want %d k1", c.Version, c.Counter, want)
				}
			}
			if len(pub.out) != 2 || !pub.out[1].retain || pub.out[1].topic != "cms/v1/dev/k1/config" {
				t.Fatalf("published %+v", pub.out)
			}
			env, err := wire.Decode("k1", pub.out[1].payload)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := wire.DecodeBody[wire.Config](env)
			if got.Version != 2 {
				t.Errorf("published version %d, want 2", got.Version)
			}
			out, _ := f.List(ctx, Filter{OutOfSync: true})
			if len(out) != 1 {
				t.Errorf("out of sync = %d, want 1", len(out))
			}
			if n, err := f.Republish(ctx); n != 1 || err != nil {
				t.Errorf("Republish = %d, %v", n, err)
			}
			if _, err := f.SetConfig(ctx, "nope", wire.Config{Languages: []string{"it"}}); !errors.Is(err, ErrUnknownDevice) {
				t.Errorf("SetConfig(unknown) = %v", err)
			}

			c1, err := f.SendCommand(ctx, "k1", "print_test", nil, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			c2, err := f.SendCommand(ctx, "k1", "reboot", nil, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.CommandResult(ctx, "k1", wire.CommandResult{CmdID: c1.CmdID, Status: "done"}); err != nil {
				t.Fatal(err)
			}
			if err := f.CommandResult(ctx, "k2", wire.CommandResult{CmdID: c1.CmdID, Status: "done"}); !errors.Is(err, ErrUnknownCmd) {
				t.Errorf("result from another device = %v, want ErrUnknownCmd", err)
			}
			clk.t = clk.t.Add(2 * time.Minute)
			cmds, err := f.Commands(ctx, "k1", 10)
			if err != nil {
				t.Fatal(err)
			}
			status := map[string]string{}
			for _, c := range cmds {
				status[c.CmdID] = c.Status
			}
			if status[c1.CmdID] != "done" || status[c2.CmdID] != "expired" {
				t.Errorf("statuses %v", status)
			}
		})
	}
}

// TestDisabledPresence: a disabled device is "disabled", not the "stale"
// its last heartbeat would turn into once ingest drops its messages (last
// will included); its last contact is kept, and enabling it shows its
// presence again.
func TestDisabledPresence(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			f, _, clk := newFleet(t, d)
			for _, id := range []string{"k1", "k2"} {
				if err := f.Register(ctx, Device{ID: id}); err != nil {
					t.Fatal(err)
				}
				if err := f.ObserveState(ctx, id, clk.t, wire.State{Online: true, Firmware: "1.2.0"}); err != nil {
					t.Fatal(err)
				}
			}
			seen := clk.t
			if err := f.Disable(ctx, "k1"); err != nil {
				t.Fatal(err)
			}
			clk.t = clk.t.Add(StaleAfter + time.Second)
			dv, err := f.Get(ctx, "k1")
			if err != nil || dv.Presence != "disabled" || !dv.LastSeen.Equal(seen) {
				t.Errorf("disabled k1 = %q last seen %v, %v; want disabled, %v", dv.Presence, dv.LastSeen, err, seen)
			}
			for _, tt := range []struct{ presence, want string }{{"stale", "k2"}, {"disabled", "k1"}} {
				got, err := f.List(ctx, Filter{Presence: tt.presence})
				if err != nil || len(got) != 1 || got[0].ID != tt.want {
					t.Errorf("List(%s) = %+v, %v; want only %s", tt.presence, got, err, tt.want)
				}
			}
			if err := f.Enable(ctx, "k1"); err != nil {
				t.Fatal(err)
			}
			if dv, err := f.Get(ctx, "k1"); err != nil || dv.Presence != "stale" {
				t.Errorf("enabled again k1 = %q, %v; want stale until it is heard", dv.Presence, err)
			}
		})
	}
}

// TestCommandToDisabledDevice: a disabled device gets no command; nothing
// is recorded or published, and it gets them again once enabled.
func TestCommandToDisabledDevice(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			f, pub, _ := newFleet(t, d)
			if err := f.Register(ctx, Device{ID: "k1"}); err != nil {
				t.Fatal(err)
			}
			if err := f.Disable(ctx, "k1"); err != nil {
				t.Fatal(err)
			}
			if _, err := f.SendCommand(ctx, "k1", "reboot", nil, time.Minute); !errors.Is(err, ErrDisabled) {
				t.Errorf("SendCommand to a disabled device = %v, want ErrDisabled", err)
			}
			pub.mu.Lock()
			published := len(pub.out)
			pub.mu.Unlock()
			if cmds, err := f.Commands(ctx, "k1", 10); err != nil || len(cmds) != 0 || published != 0 {
				t.Errorf("after a refused command: %d recorded (%v), %d published; want none", len(cmds), err, published)
			}
			if err := f.Enable(ctx, "k1"); err != nil {
				t.Fatal(err)
			}
			if _, err := f.SendCommand(ctx, "k1", "reboot", nil, time.Minute); err != nil {
				t.Errorf("SendCommand once enabled again = %v", err)
			}
		})
	}
}
