package account_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/account"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// TestSessionIdleTimeout: a session ends after Idle without use, however
// young; use keeps it alive, but never past TTL after sign-in.
func TestSessionIdleTimeout(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			ctx := context.Background()
			now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
			s := account.NewStore(db)
			s.Now = func() time.Time { return now }
			s.TTL, s.Idle = 2*time.Hour, 30*time.Minute
			if err := s.Add(ctx, "anna", "Anna Bianchi", account.Supervisor, "a long password 1"); err != nil {
				t.Fatal(err)
			}
			login := func() string {
				t.Helper()
				id, sess, err := s.Login(ctx, "anna", "a long password 1")
				if err != nil {
					t.Fatal(err)
				}
				if want := now.Add(2 * time.Hour); !sess.Expires.Equal(want) {
					t.Errorf("Expires = %v, want %v", sess.Expires, want)
				}
				if want := now.Add(30 * time.Minute); !sess.IdleUntil.Equal(want) {
					t.Errorf("IdleUntil = %v, want %v", sess.IdleUntil, want)
				}
				return id
			}
			lookup := func(id string, want error) {
				t.Helper()
				if _, err := s.Lookup(ctx, id); !errors.Is(err, want) {
					t.Errorf("at %s: lookup = %v, want %v", now.Format("15:04"), err, want)
				}
			}

			idle := login()
			now = now.Add(30 * time.Minute)
			lookup(idle, account.ErrNoSession)

			busy := login()
			for range 7 { // 08:30 -> 10:15, used every 15 minutes
				now = now.Add(15 * time.Minute)
				lookup(busy, nil)
			}
			now = now.Add(15 * time.Minute) // 10:30: TTL reached despite the use
			lookup(busy, account.ErrNoSession)
		})
	}
}

// TestPurgeSessions: ended sessions are deleted, live ones kept.
func TestPurgeSessions(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			ctx := context.Background()
			now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
			s := account.NewStore(db)
			s.Now = func() time.Time { return now }
			if err := s.Add(ctx, "anna", "", account.Admin, "a long password 1"); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for range 2 {
				id, _, err := s.Login(ctx, "anna", "a long password 1")
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			now = now.Add(20 * time.Minute)
			if _, err := s.Lookup(ctx, ids[1]); err != nil { // ids[1] used: idle deadline 08:50
				t.Fatal(err)
			}
			now = now.Add(15 * time.Minute) // 08:35: ids[0] idle since 08:00
			n, err := s.PurgeSessions(ctx)
			if err != nil || n != 1 {
				t.Fatalf("purge = %d, %v; want 1", n, err)
			}
			var left int
			if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM web_sessions`).Scan(&left); err != nil || left != 1 {
				t.Errorf("sessions left: %d, %v; want 1", left, err)
			}
			if _, err := s.Lookup(ctx, ids[1]); err != nil {
				t.Errorf("live session after purge: %v", err)
			}
		})
	}
}

// TestSessionOldDeadline: a session whose stored deadline is the absolute
// end (opened before the idle timeout existed, expires_at = sign-in + 8 h)
// gets the idle limit at its next use, and ends after Idle without use.
func TestSessionOldDeadline(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			ctx := context.Background()
			now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
			s := account.NewStore(db)
			s.Now = func() time.Time { return now }
			s.TTL, s.Idle = 8*time.Hour, 30*time.Minute
			if err := s.Add(ctx, "anna", "Anna Bianchi", account.Supervisor, "a long password 1"); err != nil {
				t.Fatal(err)
			}
			id, _, err := s.Login(ctx, "anna", "a long password 1")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.SQL().ExecContext(ctx, `UPDATE web_sessions SET expires_at = created_at + $1`,
				(8 * time.Hour).Microseconds()); err != nil {
				t.Fatal(err)
			}
			now = now.Add(time.Hour) // 09:00: used
			sess, err := s.Lookup(ctx, id)
			if want := now.Add(30 * time.Minute); err != nil || !sess.IdleUntil.Equal(want) {
				t.Errorf("lookup at 09:00 = idle until %v, %v; want %v", sess.IdleUntil, err, want)
			}
			var stored int64
			if err := db.SQL().QueryRowContext(ctx, `SELECT expires_at FROM web_sessions`).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if want := now.Add(30 * time.Minute); stored != want.UnixMicro() {
				t.Errorf("stored deadline = %v, want %v", time.UnixMicro(stored).UTC(), want)
			}
			now = now.Add(30 * time.Minute) // 09:30: idle since 09:00
			if _, err := s.Lookup(ctx, id); !errors.Is(err, account.ErrNoSession) {
				t.Errorf("lookup at 09:30 = %v, want %v", err, account.ErrNoSession)
			}
		})
	}
}
