package account_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/account"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

const pw = "una password lunga"

func TestThrottle(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			th := account.NewThrottle(storetest.Open(t, d))
			th.Now = func() time.Time { return now }
			// failures 1..4 lock nothing; the 5th locks 1m, then 2m, 4m; capped at 15m.
			want := []time.Duration{0, 0, 0, 0, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 15 * time.Minute, 15 * time.Minute}
			for i, w := range want {
				until, err := th.Fail(ctx, "Anna", "10.0.0.1")
				if err != nil {
					t.Fatal(err)
				}
				if got := until.Sub(now); (w == 0 && !until.IsZero()) || (w != 0 && got != w) {
					t.Errorf("failure %d: locked for %v (until %v), want %v", i+1, got, until, w)
				}
			}
			if u, _ := th.Locked(ctx, "anna", "10.9.9.9"); u.IsZero() {
				t.Error("the account is not locked from another address")
			}
			if u, _ := th.Locked(ctx, "bruno", "10.0.0.2"); !u.IsZero() {
				t.Errorf("another account and address locked until %v", u)
			}
			now = now.Add(16 * time.Minute)
			if u, _ := th.Locked(ctx, "anna", "10.0.0.1"); !u.IsZero() {
				t.Errorf("still locked after the lock ended: %v", u)
			}
			if err := th.Succeed(ctx, "anna", "10.0.0.1"); err != nil {
				t.Fatal(err)
			}
			if u, _ := th.Fail(ctx, "anna", "10.0.0.1"); !u.IsZero() {
				t.Errorf("a success did not clear the counter: locked until %v", u)
			}
		})
	}
}

func TestThrottlePerAddress(t *testing.T) {
	ctx := context.Background()
	th := account.NewThrottle(storetest.Open(t, store.SQLite))
	th.AddrLimit = 3
	for i, user := range []string{"a1", "a2", "a3"} {
		until, err := th.Fail(ctx, user, "192.0.2.7")
		if err != nil {
			t.Fatal(err)
		}
		if locked := !until.IsZero(); locked != (i == 2) {
			t.Errorf("failure %d from one address: locked=%v", i+1, locked)
		}
	}
	if u, _ := th.Locked(ctx, "nuovo", "192.0.2.7"); u.IsZero() {
		t.Error("the address is not locked for a fresh user name")
	}
	if u, _ := th.Locked(ctx, "nuovo", "192.0.2.8"); !u.IsZero() {
		t.Error("another address is locked")
	}
}

func TestThrottleForgets(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	th := account.NewThrottle(storetest.Open(t, store.SQLite))
	th.Now = func() time.Time { return now }
	for range 4 {
		if _, err := th.Fail(ctx, "anna", "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(2 * time.Hour)
	if u, _ := th.Fail(ctx, "anna", "10.0.0.1"); !u.IsZero() {
		t.Errorf("old failures still counted: locked until %v", u)
	}
}

func TestEnableDisableAndPasswords(t *testing.T) {
	ctx := context.Background()
	s := account.NewStore(storetest.Open(t, store.SQLite))
	if err := s.Add(ctx, "anna", "Anna", account.Admin, pw); err != nil {
		t.Fatal(err)
	}
	id, _, err := s.Login(ctx, "anna", pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetEnabled(ctx, "anna", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, id); !errors.Is(err, account.ErrNoSession) {
		t.Errorf("session of a disabled account: %v", err)
	}
	if _, _, err := s.Login(ctx, "anna", pw); !errors.Is(err, account.ErrCredentials) {
		t.Errorf("disabled account signs in: %v", err)
	}
	if err := s.SetEnabled(ctx, "anna", true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetEnabled(ctx, "nessuno", true); !errors.Is(err, account.ErrUnknown) {
		t.Errorf("unknown account: %v", err)
	}
	keep, _, _ := s.Login(ctx, "anna", pw)
	other, _, _ := s.Login(ctx, "anna", pw)
	const next = "un'altra password lunga"
	tests := []struct {
		name, cur, next string
		want            error
	}{
		{"wrong current", "sbagliata sbagliata", next, account.ErrCredentials},
		{"too short", pw, "corta", account.ErrPassword},
		{"same as before", pw, pw, account.ErrPassword},
		{"ok", pw, next, nil},
	}
	for _, tt := range tests {
		if err := s.ChangePassword(ctx, "anna", tt.cur, tt.next, keep); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := s.Lookup(ctx, keep); err != nil {
		t.Errorf("the session that changed the password ended: %v", err)
	}
	if _, err := s.Lookup(ctx, other); !errors.Is(err, account.ErrNoSession) {
		t.Errorf("another session survived the change: %v", err)
	}
	if err := s.SetPassword(ctx, "anna", "reimpostata da admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, keep); !errors.Is(err, account.ErrNoSession) {
		t.Errorf("a session survived a reset: %v", err)
	}
	if _, _, err := s.Login(ctx, "anna", "reimpostata da admin"); err != nil {
		t.Errorf("new password refused: %v", err)
	}
}

func TestEvents(t *testing.T) {
	ctx := context.Background()
	s := account.NewStore(storetest.Open(t, store.SQLite))
	for _, a := range []string{account.EvSignInRefused, account.EvSignIn} {
		if err := s.Log(ctx, account.Event{Username: "anna", Client: "10.0.0.1", Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := s.Events(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Action != account.EvSignIn {
		t.Errorf("events = %+v, want 2, newest first", evs)
	}
}
