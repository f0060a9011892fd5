package main

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/account"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/ticket"
)

func runCtl(t *testing.T, db, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"-db", db}, args...), strings.NewReader(stdin), &out, &errb)
	t.Log(errb.String())
	return out.String(), err
}

func TestAccountsAdd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cms.db")
	out, err := runCtl(t, db, "", "accounts", "add", "-role", "admin", "-name", "Anna Bianchi", "anna")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`password \(shown only now\): (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no generated password in %q", out)
	}
	if _, err := runCtl(t, db, "una password lunga\n", "accounts", "add", "-role", "auditor", "-password-stdin", "rita"); err != nil {
		t.Fatal(err)
	}
	if _, err := runCtl(t, db, "", "accounts", "add", "-role", "king", "bob"); err == nil {
		t.Error("unknown role accepted")
	}
	s, err := store.Open(context.Background(), db, acctTestLog(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	as := account.NewStore(s)
	for _, c := range []struct{ user, pw string }{{"anna", m[1]}, {"rita", "una password lunga"}} {
		if _, _, err := as.Login(context.Background(), c.user, c.pw); err != nil {
			t.Errorf("login %s: %v", c.user, err)
		}
	}
}

func TestTickets(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cms.db")
	s, err := store.Open(context.Background(), db, acctTestLog(t))
	if err != nil {
		t.Fatal(err)
	}
	var id string
	err = s.InTx(context.Background(), func(tx *sql.Tx) (err error) {
		id, err = ticket.OpenTx(context.Background(), tx, ticket.New{Queue: ticket.L2, Subject: "FSE: errore tecnico", Source: "fse", Ref: "x"}, time.Now())
		return err
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err := runCtl(t, db, "", "tickets", "list", "-queue", "L2")
	if err != nil || !strings.Contains(out, id) {
		t.Fatalf("list: %q %v", out, err)
	}
	if _, err := runCtl(t, db, "", "tickets", "set-status", "-by", "mario", "-note", "preso", id, "in_progress"); err != nil {
		t.Fatal(err)
	}
	out, err = runCtl(t, db, "", "tickets", "show", id)
	if err != nil || !strings.Contains(out, "(L2, in_progress)") || !strings.Contains(out, "mario: open -> in_progress preso") {
		t.Errorf("show: %q %v", out, err)
	}
	if _, err := runCtl(t, db, "", "tickets", "set-status", id, "closed"); err == nil {
		t.Error("bad status accepted")
	}
}

func acctTestLog(t *testing.T) *slog.Logger { return storetest.Logger(t) }
