package fse_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/fse"
	"cnskiosk.dev/cloud/internal/fse/fsesim"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/ticket"
)

// clock is an injected clock the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func addRequest(t *testing.T, db *store.DB, id, cf string, at time.Time) {
	t.Helper()
	us := at.UnixMicro()
	_, err := db.SQL().Exec(`INSERT INTO fse_requests (id, card_team, cf, op_id, status, attempts, next_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, $5)`, id, "8038000090"+fmt.Sprintf("%010d", len(id)), cf, "op-"+id, us)
	if err == nil {
		_, err = db.SQL().Exec(`INSERT INTO consents (id, card_team, policy, consents, at, op_id) VALUES ($1, 'x', 'fse-2015', 'c1,c2,c3', $2, $3)`, "c-"+id, us, "op-"+id)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func status(t *testing.T, db *store.DB, id string) (string, int) {
	t.Helper()
	var s string
	var n int
	if err := db.SQL().QueryRow(`SELECT status, attempts FROM fse_requests WHERE id = $1`, id).Scan(&s, &n); err != nil {
		t.Fatal(err)
	}
	return s, n
}

func newWorker(t *testing.T, db *store.DB, svc fse.Service, c *clock) *fse.Worker {
	t.Helper()
	w, err := fse.NewWorker(db, fse.Options{Service: svc, MaxAttempts: 3, BaseDelay: time.Minute, MaxDelay: 10 * time.Minute,
		Lease: time.Minute, Now: c.Now, Jitter: func(d time.Duration) time.Duration { return d / 2 }}, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// drain runs the worker, moving the clock past every retry delay, until
// nothing is due any more.
func drain(t *testing.T, w *fse.Worker, c *clock) {
	t.Helper()
	for range 20 {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			c.Add(time.Hour)
			if n, _ = w.RunOnce(context.Background()); n == 0 {
				return
			}
		}
	}
	t.Fatal("worker never ran out of work")
}

func TestOutcomes(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { testOutcomes(t, storetest.Open(t, d)) })
	}
}

func testOutcomes(t *testing.T, db *store.DB) {
	c, sim := newClock(), fsesim.New()
	sim.Set("RETRY", fsesim.Fault{TechnicalFirst: 2})
	sim.Set("BADCF", fsesim.Fault{CF: true})
	sim.Set("DOWN", fsesim.Fault{AlwaysTech: true})
	for _, id := range []string{"RETRY", "BADCF", "DOWN"} {
		addRequest(t, db, "r-"+id, id, c.Now())
	}
	drain(t, newWorker(t, db, sim, c), c)
	tests := []struct {
		cf, status string
		attempts   int
		queue      ticket.Queue // "" = no ticket
		tasks      int
	}{
		{"RETRY", "done", 3, "", 0},
		{"BADCF", "failed_cf", 1, ticket.L1, 1},
		{"DOWN", "failed_tech", 3, ticket.L2, 0},
	}
	for _, tt := range tests {
		gotS, gotN := status(t, db, "r-"+tt.cf)
		if gotS != tt.status || gotN != tt.attempts {
			t.Errorf("%s: got %s after %d, want %s after %d", tt.cf, gotS, gotN, tt.status, tt.attempts)
		}
		checkTicket(t, db, "r-"+tt.cf, tt.queue, tt.tasks)
	}
	if got := sim.Created("RETRY"); got != 1 {
		t.Errorf("RETRY created %d times, want 1", got)
	}
}

func checkTicket(t *testing.T, db *store.DB, ref string, q ticket.Queue, tasks int) {
	t.Helper()
	var id, queue string
	err := db.SQL().QueryRow(`SELECT id, queue FROM tickets WHERE source = 'fse' AND ref = $1`, ref).Scan(&id, &queue)
	if q == "" {
		if err != sql.ErrNoRows {
			t.Errorf("%s: unexpected ticket (%v)", ref, err)
		}
		return
	}
	if err != nil || queue != string(q) {
		t.Fatalf("%s: ticket queue %q (%v), want %s", ref, queue, err, q)
	}
	_, got, _, err := ticket.Get(context.Background(), db.SQL(), id)
	if err != nil || len(got) != tasks {
		t.Errorf("%s: %d tasks (%v), want %d", ref, len(got), err, tasks)
	}
	if tasks > 0 && got[0].Kind != ticket.TaskContactCitizen {
		t.Errorf("%s: task kind %s", ref, got[0].Kind)
	}
}

// A worker that claimed a row and died holds it only until its lease ends.
func TestRestartAfterCrash(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { testRestartAfterCrash(t, storetest.Open(t, d)) })
	}
}

func testRestartAfterCrash(t *testing.T, db *store.DB) {
	c, sim := newClock(), fsesim.New()
	addRequest(t, db, "r1", "RSSMRA80A01H501U", c.Now())
	ctx, cancel := context.WithCancel(context.Background())
	// The call is interrupted (shutdown): the row is released, not failed.
	crashed := newWorker(t, db, blocking{cancel}, c)
	if _, err := crashed.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if s, n := status(t, db, "r1"); s != "pending" || n != 0 {
		t.Fatalf("after interrupted call: %s/%d, want pending/0", s, n)
	}
	// Simulate a hard crash: a lease taken and never released.
	if _, err := db.SQL().Exec(`UPDATE fse_requests SET claimed_until = $1`, c.Now().Add(time.Minute).UnixMicro()); err != nil {
		t.Fatal(err)
	}
	w := newWorker(t, db, sim, c)
	if n, _ := w.RunOnce(context.Background()); n != 0 {
		t.Fatalf("took a leased row: %d", n)
	}
	c.Add(2 * time.Minute)
	if n, _ := w.RunOnce(context.Background()); n != 1 {
		t.Fatalf("after the lease: processed %d, want 1", n)
	}
	if s, _ := status(t, db, "r1"); s != "done" {
		t.Errorf("status %s, want done", s)
	}
}

// blocking is a service whose call lasts until the worker shuts down.
type blocking struct{ shutdown context.CancelFunc }

func (b blocking) Create(ctx context.Context, _, _ string, _ fse.Consents) error {
	b.shutdown()
	<-ctx.Done()
	return ctx.Err()
}

func TestTwoWorkersNeverShareARow(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			c, sim := newClock(), fsesim.New()
			const n = 40
			for i := range n {
				addRequest(t, db, fmt.Sprintf("r%02d", i), fmt.Sprintf("CF%02d", i), c.Now())
			}
			var wg sync.WaitGroup
			for range 2 {
				w := newWorker(t, db, sim, c)
				wg.Go(func() {
					for {
						k, err := w.RunOnce(context.Background())
						if err != nil {
							t.Error(err)
							return
						}
						if k == 0 {
							return
						}
					}
				})
			}
			wg.Wait()
			for i := range n {
				if got := sim.Calls(fmt.Sprintf("CF%02d", i)); got != 1 {
					t.Errorf("CF%02d called %d times, want 1", i, got)
				}
			}
		})
	}
}

func TestHTTPServiceAgainstSimulator(t *testing.T) {
	sim := fsesim.New()
	sim.Set("BAD", fsesim.Fault{CF: true})
	sim.Set("DOWN", fsesim.Fault{AlwaysTech: true})
	srv := newServer(t, sim)
	svc := fse.HTTPService{URL: srv}
	tests := []struct {
		cf   string
		want error
	}{{"OK", nil}, {"BAD", fse.ErrCF}, {"DOWN", fse.ErrTechnical}}
	for _, tt := range tests {
		err := svc.Create(context.Background(), "req-"+tt.cf, tt.cf, fse.Consents{Policy: "fse-2015"})
		if (tt.want == nil) != (err == nil) || (tt.want != nil && !errorsIs(err, tt.want)) {
			t.Errorf("%s: got %v, want %v", tt.cf, err, tt.want)
		}
	}
}

// TestHTTPServiceIdempotent: a retry of the same request (its answer was
// lost) creates the FSE once; another request id creates another.
func TestHTTPServiceIdempotent(t *testing.T) {
	sim := fsesim.New()
	svc := fse.HTTPService{URL: newServer(t, sim)}
	for _, id := range []string{"req-1", "req-1", "req-1"} {
		if err := svc.Create(context.Background(), id, "RSSMRA70A01H501S", fse.Consents{Policy: "fse-2015"}); err != nil {
			t.Fatal(err)
		}
	}
	if got := sim.Created("RSSMRA70A01H501S"); got != 1 {
		t.Errorf("created %d times after three attempts of one request, want 1", got)
	}
	if err := svc.Create(context.Background(), "req-2", "RSSMRA70A01H501S", fse.Consents{}); err != nil {
		t.Fatal(err)
	}
	if got := sim.Created("RSSMRA70A01H501S"); got != 2 {
		t.Errorf("created %d times after a second request, want 2", got)
	}
	res, err := http.Post(newServer(t, sim), "application/json", strings.NewReader(`{"cf":"X","consents":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("request without idempotency key: HTTP %d, want 400", res.StatusCode)
	}
}
