package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/account"
	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/ticket"
	"cnskiosk.dev/cloud/internal/web"
)

// console is a console with a clock the test moves and a log it reads.
type console struct {
	db   *store.DB
	srv  *web.Server
	http *httptest.Server
	log  *syncBuffer
	tkt  string

	mu  sync.Mutex
	now time.Time
}

func (c *console) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *console) advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	t   testing.TB
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.t.Log(strings.TrimSuffix(string(p), "\n"))
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

func newConsole(t *testing.T, o web.Options) *console {
	t.Helper()
	c := &console{db: storetest.Open(t, store.SQLite), log: &syncBuffer{t: t}, now: time.Now().Truncate(time.Second)} // the cookie jar drops a cookie that expired by the real clock
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(c.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	fl := fleet.New(c.db, nopPublisher{}, log)
	if err := fl.Register(ctx, fleet.Device{ID: "kiosk-001", Name: "Chiosco Firenze", Site: "Firenze"}); err != nil {
		t.Fatal(err)
	}
	o.DB, o.Fleet, o.Log, o.Now = c.db, fl, log, c.Now
	srv, err := web.New(o)
	if err != nil {
		t.Fatal(err)
	}
	c.srv = srv
	for _, u := range []string{"admin", "supervisore"} {
		role := map[string]account.Role{"admin": account.Admin, "supervisore": account.Supervisor}[u]
		if err := srv.Accounts().Add(ctx, u, "Utente "+u, role, password); err != nil {
			t.Fatal(err)
		}
	}
	err = c.db.InTx(ctx, func(tx *sql.Tx) (err error) {
		c.tkt, err = ticket.OpenTx(ctx, tx, ticket.New{Queue: ticket.L1, Subject: "FSE: codice fiscale errato o mancante",
			CF: "RSSMRA80A01H501U", Source: "fse", Ref: "r1"}, c.now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c.http = httptest.NewServer(srv.Handler())
	t.Cleanup(c.http.Close)
	return c
}

// client is a cookie-carrying client that does not follow redirects.
func (c *console) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signIn signs in as user with the given "dopo" and returns where the
// console sends the browser.
func (c *console) signIn(t *testing.T, cl *http.Client, user, next string) string {
	t.Helper()
	r := c.do(t, cl, http.MethodPost, "/accesso", url.Values{"utente": {user}, "password": {password}, "dopo": {next}}, nil)
	if r.code != http.StatusSeeOther {
		t.Fatalf("sign-in as %s: %d", user, r.code)
	}
	return r.header.Get("Location")
}

type response struct {
	code   int
	body   string
	header http.Header
}

func (c *console) do(t *testing.T, cl *http.Client, method, path string, form url.Values, hdr map[string]string) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.http.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, string(b), res.Header}
}

// csrfOf reads the session's CSRF token from /api/v1/me.
func (c *console) csrfOf(t *testing.T, cl *http.Client) string {
	t.Helper()
	r := c.do(t, cl, http.MethodGet, "/api/v1/me", nil, nil)
	i := strings.Index(r.body, `"csrf_token":"`)
	if i < 0 {
		t.Fatalf("no csrf token in %d %s", r.code, r.body)
	}
	rest := r.body[i+len(`"csrf_token":"`):]
	return rest[:strings.IndexByte(rest, '"')]
}

// metric returns the line of the metrics text that starts with name.
func (c *console) metric(t *testing.T, name string) string {
	t.Helper()
	r := c.do(t, http.DefaultClient, http.MethodGet, "/metrics", nil, nil)
	for l := range strings.Lines(r.body) {
		if strings.HasPrefix(l, name+" ") {
			return strings.TrimSpace(l)
		}
	}
	return ""
}
