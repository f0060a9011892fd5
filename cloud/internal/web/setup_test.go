package web_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/account"
	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/ticket"
	"cnskiosk.dev/cloud/internal/web"
	"cnskiosk.dev/shared/wire"
)

const (
	htmlName = `<b>Chiosco</b><script>alert(1)</script>`
	password = "una password lunga"
)

type nopPublisher struct{}

func (nopPublisher) Publish(context.Context, string, []byte, bool) error { return nil }

type env struct {
	db    *store.DB
	fleet *fleet.Fleet
	srv   *httptest.Server
	tkt   string
	kick  *kicker
	// counters is the counters registry the console writes.
	counters *operator.Registry
}

// kicker records the devices whose connection was dropped.
type kicker struct {
	mu     sync.Mutex
	kicked []string
}

func (k *kicker) Kick(cn string) { k.mu.Lock(); k.kicked = append(k.kicked, cn); k.mu.Unlock() }

func (k *kicker) got() []string { k.mu.Lock(); defer k.mu.Unlock(); return slices.Clone(k.kicked) }

// fakeEngine has the engine's default consent policies and one recorded
// operation, op-1, with a delegate and an identity card.
type fakeEngine struct{}

func (fakeEngine) ConsentPolicies() []rules.ConsentPolicy { return rules.DefaultPolicy().Policies() }

func (fakeEngine) LookupOperation(_ context.Context, id string) (cms.Operation, error) {
	if id != "op-1" {
		return cms.Operation{}, cms.ErrNotFound
	}
	issued, _ := wire.ParseDate("2020-03-01")
	expires, _ := wire.ParseDate("2030-03-01")
	return cms.Operation{OpID: "op-1", Dev: "kiosk-001", Type: "activation", CardTEAM: "80380001900001234567",
		OperatorCF: "BNCLRA75B41D612X", Outcome: "OK", At: time.Now(), AppliedAt: time.Now(),
		Person: &cms.Person{Role: wire.Role("delegate"), Surname: "Verdi", Name: "Anna", CF: "VRDNNA80A41H501X",
			Document: wire.Document{Kind: "carta_identita", Number: "CA12345XY", Issuer: "Comune di Firenze", Issued: issued, Expires: expires}}}, nil
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	log := storetest.Logger(t)
	fl := fleet.New(db, nopPublisher{}, log)
	ctx := context.Background()
	for _, d := range []fleet.Device{{ID: "kiosk-001", Name: htmlName, Site: "Firenze"}, {ID: "kiosk-002", Name: "Chiosco Prato", Site: "Prato"}} {
		if err := fl.Register(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := fl.ObserveState(ctx, "kiosk-001", time.Now(), wire.State{Online: true, Firmware: "1.2.0", Reader: "ok", Printer: "paper_end", Payment: "ok"}); err != nil {
		t.Fatal(err)
	}
	kick := &kicker{}
	fl.SetKicker(kick)
	ops := operator.NewRegistry(db, nil)
	s, err := web.New(web.Options{DB: db, Fleet: fl, Counters: ops, Engine: fakeEngine{}, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		u string
		r account.Role
	}{{"admin", account.Admin}, {"revisore", account.Auditor}, {"supervisore", account.Supervisor}} {
		if err := s.Accounts().Add(ctx, a.u, "Utente "+a.u, a.r, password); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{db: db, fleet: fl, srv: httptest.NewServer(s.Handler()), kick: kick, counters: ops}
	t.Cleanup(e.srv.Close)
	err = db.InTx(ctx, func(tx *sql.Tx) (err error) {
		e.tkt, err = ticket.OpenTx(ctx, tx, ticket.New{Queue: ticket.L1, Subject: "FSE: codice fiscale errato o mancante",
			CF: "RSSMRA80A01H501U", Source: "fse", Ref: "r1", Task: ticket.TaskContactCitizen, TaskNote: "Invitare a Scelta e Revoca"}, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// client signs in as user and returns a cookie-carrying client.
func (e *env) client(t testing.TB, user string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(e.srv.URL+"/accesso", url.Values{"utente": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in as %s: %d", user, res.StatusCode)
	}
	return c
}

func (e *env) csrf(t testing.TB, c *http.Client) string {
	t.Helper()
	_, body := get(t, c, e.srv.URL+"/api/v1/me")
	i := strings.Index(body, `"csrf_token":"`)
	if i < 0 {
		t.Fatalf("no csrf token in %s", body)
	}
	rest := body[i+len(`"csrf_token":"`):]
	return rest[:strings.IndexByte(rest, '"')]
}

func get(t testing.TB, c *http.Client, u string) (int, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
