package main

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"testing"

	"cnskiosk.dev/cloud/internal/account"
	"cnskiosk.dev/cloud/internal/store"
)

func TestAccountsDisableEnablePasswd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cms.db")
	const first = "una password lunga"
	if _, err := runCtl(t, db, first+"\n", "accounts", "add", "-role", "admin", "-password-stdin", "anna"); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(context.Background(), db, acctTestLog(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	as := account.NewStore(s)
	login := func(pw string) error { _, _, err := as.Login(context.Background(), "anna", pw); return err }

	if _, err := runCtl(t, db, "", "accounts", "disable", "Anna"); err != nil {
		t.Fatal(err)
	}
	if err := login(first); !errors.Is(err, account.ErrCredentials) {
		t.Errorf("disabled account signs in: %v", err)
	}
	if _, err := runCtl(t, db, "", "accounts", "enable", "anna"); err != nil {
		t.Fatal(err)
	}
	if err := login(first); err != nil {
		t.Errorf("enabled account refused: %v", err)
	}
	out, err := runCtl(t, db, "", "accounts", "passwd", "anna")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`password \(shown only now\): (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no generated password in %q", out)
	}
	if err := login(first); err == nil {
		t.Error("the old password still works")
	}
	if err := login(m[1]); err != nil {
		t.Errorf("the new password is refused: %v", err)
	}
	if _, err := runCtl(t, db, "corta\n", "accounts", "passwd", "-password-stdin", "anna"); !errors.Is(err, account.ErrPassword) {
		t.Errorf("short password: %v", err)
	}
	if _, err := runCtl(t, db, "", "accounts", "disable", "nessuno"); !errors.Is(err, account.ErrUnknown) {
		t.Errorf("unknown account: %v", err)
	}
	evs, err := as.Events(context.Background(), 10)
	if err != nil || len(evs) != 3 {
		t.Errorf("console events = %+v, %v; want disable, enable, reset", evs, err)
	}
}
