package lease_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/lease"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func setup(t *testing.T, d store.Dialect, n int) (*lease.Queue, *clock) {
	t.Helper()
	db := storetest.Open(t, d)
	ctx := context.Background()
	if _, err := db.SQL().ExecContext(ctx, `CREATE TABLE lease_rows (id TEXT PRIMARY KEY, status TEXT NOT NULL,
		next_at BIGINT NOT NULL, claimed_until BIGINT NOT NULL DEFAULT 0)`); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	for i := range n {
		st := "pending"
		if i == n-1 {
			st = "done" // never claimed
		}
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO lease_rows (id, status, next_at) VALUES ($1, $2, $3)`,
			fmt.Sprintf("r%02d", i), st, c.t.Add(time.Duration(i)*time.Second).UnixMicro()); err != nil {
			t.Fatal(err)
		}
	}
	q, err := lease.New(db, "lease_rows", lease.Options{Lease: time.Minute, Batch: 3, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return q, c
}

func claim(t *testing.T, q *lease.Queue) ([]string, lease.Token) {
	t.Helper()
	got, tok, err := lease.Claim(context.Background(), q, "id", func(rs *sql.Rows) (string, error) {
		var id string
		return id, rs.Scan(&id)
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got, tok
}

func TestClaimReleaseExpire(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			q, c := setup(t, d, 6)
			c.t = c.t.Add(10 * time.Second) // r00..r04 due, r05 done
			steps := []struct {
				name    string
				advance time.Duration
				release bool
				want    []string
			}{
				{"first batch, oldest first", 0, false, []string{"r00", "r01", "r02"}},
				{"leased rows are skipped", 0, false, []string{"r03", "r04"}},
				{"nothing left", 0, false, nil},
				{"released rows come back", 0, true, []string{"r03", "r04"}},
				{"expired leases come back", 2 * time.Minute, false, []string{"r00", "r01", "r02"}},
			}
			var last []string
			var lastTok lease.Token
			for _, s := range steps {
				c.t = c.t.Add(s.advance)
				if s.release {
					if err := q.Release(context.Background(), lastTok, last...); err != nil {
						t.Fatal(err)
					}
				}
				got, tok := claim(t, q)
				if !slices.Equal(got, s.want) {
					t.Errorf("%s: got %v, want %v", s.name, got, s.want)
				}
				if len(got) > 0 {
					last, lastTok = got, tok
				}
			}
		})
	}
}

func TestReleaseNeedsToken(t *testing.T) {
	q, c := setup(t, store.SQLite, 3)
	c.t = c.t.Add(time.Minute)
	got, tok := claim(t, q)
	if err := q.Release(context.Background(), tok+1, got...); err != nil {
		t.Fatal(err)
	}
	if again, _ := claim(t, q); len(again) != 0 {
		t.Errorf("a release with another token freed %v", again)
	}
}

func TestEachReleasesTheRest(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name     string
		failAt   string
		cancelAt string
		wantDone int
		wantBack []string
	}{
		{"all done", "", "", 2, nil},
		{"step fails", "r00", "", 0, []string{"r01"}},
		{"context ends", "", "r00", 1, []string{"r01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, c := setup(t, store.SQLite, 3)
			c.t = c.t.Add(time.Minute)
			rows, tok := claim(t, q)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			n, err := lease.Each(ctx, q, tok, rows, func(s string) string { return s }, func(_ context.Context, id string) (bool, error) {
				if id == tt.cancelAt {
					cancel()
				}
				if id == tt.failAt {
					return false, boom
				}
				return true, nil
			})
			if (err != nil) != (tt.failAt != "") || n != tt.wantDone {
				t.Errorf("Each = %d, %v; want %d done, error %v", n, err, tt.wantDone, tt.failAt != "")
			}
			if back, _ := claim(t, q); !slices.Equal(back, tt.wantBack) {
				t.Errorf("released %v, want %v", back, tt.wantBack)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	b := lease.Backoff{Base: time.Second, Max: 10 * time.Second, Jitter: func(d time.Duration) time.Duration { return d / 10 }}
	tests := []struct {
		n    int
		want time.Duration
	}{{1, 1100 * time.Millisecond}, {2, 2200 * time.Millisecond}, {4, 8800 * time.Millisecond}, {5, 11 * time.Second}, {60, 11 * time.Second}}
	for _, tt := range tests {
		if got := b.Delay(tt.n); got != tt.want {
			t.Errorf("Delay(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
	r := lease.Backoff{Base: time.Second, Max: time.Second}
	if got := r.Delay(1); got < time.Second || got >= 2*time.Second {
		t.Errorf("random jitter: Delay(1) = %v, want in [1s, 2s)", got)
	}
}

func TestNewRefusesBadTable(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	if _, err := lease.New(db, "x; DROP TABLE y", lease.Options{}); !errors.Is(err, lease.ErrConfig) {
		t.Errorf("err = %v, want ErrConfig", err)
	}
}

func TestLoopNext(t *testing.T) {
	poll := 2 * time.Second
	fail := errors.New("claim failed")
	for _, tc := range []struct {
		name    string
		n, full int
		err     error
		poll    time.Duration
		want    time.Duration
	}{
		{"idle", 0, 32, nil, poll, poll},
		{"error", 5, 32, fail, poll, poll},
		{"full batch: again at once", 32, 32, nil, poll, 0},
		{"partial batch: gather more", 3, 32, nil, poll, lease.Gather},
		{"partial batch, poll shorter than Gather", 3, 32, nil, 50 * time.Millisecond, 50 * time.Millisecond},
	} {
		if got := lease.Next(tc.n, tc.full, tc.err, tc.poll); got != tc.want {
			t.Errorf("%s: Next(%d, %d, %v, %s) = %s, want %s", tc.name, tc.n, tc.full, tc.err, tc.poll, got, tc.want)
		}
	}
}
