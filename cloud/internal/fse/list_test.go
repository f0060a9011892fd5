package fse_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/fse"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/ticket"
)

func TestList(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { testList(t, storetest.Open(t, d)) })
	}
}

// seedRequests inserts n requests, every third created in the same
// microsecond as the one before it; request i has CF "CF<i%2>", TEAM
// "T<i%3>" and status fse.Statuses[i%4], and each failed_cf one has an L1
// ticket. It returns the ids newest first.
func seedRequests(t *testing.T, db *store.DB, n int) []string {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var ids []string
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			id, us := fmt.Sprintf("fse-%03d", i), base.Add(time.Duration(i-i%3)*time.Second).UnixMicro()
			_, err := tx.ExecContext(ctx, `INSERT INTO fse_requests (id, card_team, cf, op_id, status, attempts, next_at, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, 1, $6, $6, $6)`, id, fmt.Sprintf("T%d", i%3), fmt.Sprintf("CF%d", i%2), "op-"+id, fse.Statuses[i%4], us)
			if err != nil {
				return err
			}
			if fse.Statuses[i%4] == "failed_cf" {
				_, err = ticket.OpenTx(ctx, tx, ticket.New{Queue: ticket.L1, Subject: "CF", Source: "fse", Ref: id}, base)
			}
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(ids)
	return ids
}

func listAll(t *testing.T, db *store.DB, q fse.Query) []fse.Request {
	t.Helper()
	var seen []fse.Request
	for range 100 {
		page, next, err := fse.List(context.Background(), db.SQL(), q)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, page...)
		if next == "" {
			return seen
		}
		q.Before = next
	}
	t.Fatal("pages do not end")
	return nil
}

func testList(t *testing.T, db *store.DB) {
	ids := seedRequests(t, db, 230)
	num := func(id string) (i int) { fmt.Sscanf(id, "fse-%d", &i); return i }
	want := func(keep func(i int) bool) []string {
		var out []string
		for _, id := range ids {
			if keep(num(id)) {
				out = append(out, id)
			}
		}
		return out
	}
	tests := []struct {
		name string
		q    fse.Query
		want []string
	}{
		{"all", fse.Query{Limit: 45}, ids},
		{"failed_cf", fse.Query{Status: "failed_cf", Limit: 9}, want(func(i int) bool { return i%4 == 2 })},
		{"CF", fse.Query{CF: "CF0", Limit: 20}, want(func(i int) bool { return i%2 == 0 })},
		{"TEAM and status", fse.Query{TEAM: "T1", Status: "pending", Limit: 1000}, want(func(i int) bool { return i%3 == 1 && i%4 == 0 })},
		{"no match", fse.Query{CF: "NOBODY"}, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, r := range listAll(t, db, tt.q) {
			got = append(got, r.ID)
			if hasTicket := r.Status == "failed_cf"; hasTicket != (r.TicketID != "") || hasTicket && (r.TicketQueue != ticket.L1 || r.TicketStatus != ticket.Open) {
				t.Errorf("%s: %s (%s) has ticket %q %s %s", tt.name, r.ID, r.Status, r.TicketID, r.TicketQueue, r.TicketStatus)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: walked %d requests, want %d newest first without gaps or repeats", tt.name, len(got), len(tt.want))
		}
	}
	bad := []struct {
		q    fse.Query
		want error
	}{
		{fse.Query{Status: "lost"}, fse.ErrStatus},
		{fse.Query{Before: "broken"}, fse.ErrCursor},
		{fse.Query{Before: "1."}, fse.ErrCursor},
	}
	for _, b := range bad {
		if _, _, err := fse.List(context.Background(), db.SQL(), b.q); !errors.Is(err, b.want) {
			t.Errorf("%+v: got %v, want %v", b.q, err, b.want)
		}
	}
}
