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

func TestPasswordHash(t *testing.T) {
	h, err := account.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		hash, pw string
		want     bool
	}{
		{h, "correct horse battery", true},
		{h, "wrong horse battery", false},
		{"$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "x", false},
		{"garbage", "x", false},
	}
	for _, tt := range tests {
		if got := account.CheckPassword(tt.hash, tt.pw); got != tt.want {
			t.Errorf("CheckPassword(%.20q, %q) = %v, want %v", tt.hash, tt.pw, got, tt.want)
		}
	}
	if _, err := account.HashPassword("short"); !errors.Is(err, account.ErrPassword) {
		t.Errorf("short password: %v", err)
	}
}

func FuzzCheckPassword(f *testing.F) {
	f.Add("$argon2id$v=19$m=16,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", "pw")
	f.Add("$$$$$", "")
	f.Fuzz(func(t *testing.T, hash, pw string) { account.CheckPassword(hash, pw) })
}

func TestRoles(t *testing.T) {
	tests := []struct {
		r    account.Role
		p    account.Permission
		want bool
	}{
		{account.Admin, account.EditFleet, true},
		{account.Auditor, account.EditFleet, false},
		{account.Auditor, account.ViewAudit, true},
		{account.Supervisor, account.EditTickets, true},
		{account.Supervisor, account.ViewFleet, true},
		{account.Supervisor, account.EditFleet, false},
		{account.Supervisor, account.ViewAudit, false},
		{account.Auditor, account.ViewFleet, true},
		{account.Auditor, account.EditTickets, false},
	}
	for _, tt := range tests {
		if got := tt.r.Can(tt.p); got != tt.want {
			t.Errorf("%s.Can(%s) = %v, want %v", tt.r, tt.p, got, tt.want)
		}
	}
}

func TestLoginSession(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	s := account.NewStore(db)
	s.Now = func() time.Time { return now }
	if err := s.Add(ctx, "Anna", "Anna Bianchi", account.Supervisor, "a long password 1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(ctx, "anna", "", account.Admin, "a long password 2"); !errors.Is(err, account.ErrExists) {
		t.Errorf("second add: %v, want ErrExists", err)
	}
	if _, _, err := s.Login(ctx, "anna", "nope nope nope"); !errors.Is(err, account.ErrCredentials) {
		t.Errorf("wrong password: %v", err)
	}
	if _, _, err := s.Login(ctx, "ghost", "a long password 1"); !errors.Is(err, account.ErrCredentials) {
		t.Errorf("unknown user: %v", err)
	}
	id, sess, err := s.Login(ctx, "ANNA", "a long password 1")
	if err != nil || sess.Role != account.Supervisor || sess.CSRF == "" {
		t.Fatalf("login: %+v %v", sess, err)
	}
	got, err := s.Lookup(ctx, id)
	if err != nil || got.Username != "anna" || got.CSRF != sess.CSRF {
		t.Errorf("lookup: %+v %v", got, err)
	}
	now = now.Add(9 * time.Hour)
	if _, err := s.Lookup(ctx, id); !errors.Is(err, account.ErrNoSession) {
		t.Errorf("expired session: %v", err)
	}
	if _, err := s.Lookup(ctx, "forged"); !errors.Is(err, account.ErrNoSession) {
		t.Errorf("forged session: %v", err)
	}
}
