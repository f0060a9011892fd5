package ticket_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/ticket"
)

func TestPage(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { testPage(t, storetest.Open(t, d)) })
	}
}

// seed opens n L1 tickets, every third in the same microsecond as the one
// before it, for CF "CF<i%2>" and TEAM "T<i%3>", and resolves every fourth.
// It returns the ids in the order they were opened.
func seed(t *testing.T, db *store.DB, n int) []string {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ids := make([]string, n)
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			at := base.Add(time.Duration(i-i%3) * time.Second)
			id, err := ticket.OpenTx(ctx, tx, ticket.New{Queue: ticket.L1, Subject: fmt.Sprintf("t%03d", i),
				CF: fmt.Sprintf("CF%d", i%2), CardTEAM: fmt.Sprintf("T%d", i%3), Source: "test", Ref: fmt.Sprint(i)}, at)
			if err != nil {
				return err
			}
			ids[i] = id
			if i%4 == 3 {
				if err := ticket.SetStatusTx(ctx, tx, id, ticket.Resolved, "mario", "", at); err != nil {
					return err
				}
			}
		}
		// One L2 ticket, the oldest of all: never in an L1 page.
		_, err := ticket.OpenTx(ctx, tx, ticket.New{Queue: ticket.L2, Subject: "l2", Source: "test", Ref: "l2"}, base.Add(-time.Hour))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// walkPages follows the cursors of q and returns the subjects seen.
func walkPages(t *testing.T, db *store.DB, q ticket.Query) []string {
	t.Helper()
	var seen []string
	for range 100 {
		page, next, err := ticket.Page(context.Background(), db.SQL(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > q.Limit {
			t.Fatalf("page of %d, limit %d", len(page), q.Limit)
		}
		for _, tk := range page {
			seen = append(seen, tk.Subject)
		}
		if next == "" {
			return seen
		}
		q.After = next
	}
	t.Fatal("pages do not end")
	return nil
}

func testPage(t *testing.T, db *store.DB) {
	const n = 250
	seed(t, db, n)
	want := func(keep func(i int) bool) []string {
		var out []string
		for i := range n {
			if keep(i) {
				out = append(out, fmt.Sprintf("t%03d", i))
			}
		}
		return out
	}
	tests := []struct {
		name string
		q    ticket.Query
		want []string
	}{
		{"all L1", ticket.Query{Queue: ticket.L1, Limit: 40}, want(func(int) bool { return true })},
		{"active", ticket.Query{Queue: ticket.L1, Statuses: ticket.Active, Limit: 7}, want(func(i int) bool { return i%4 != 3 })},
		{"resolved", ticket.Query{Queue: ticket.L1, Statuses: []ticket.Status{ticket.Resolved}, Limit: 100}, want(func(i int) bool { return i%4 == 3 })},
		{"CF", ticket.Query{Queue: ticket.L1, Statuses: ticket.Active, CF: "CF1", Limit: 30}, want(func(i int) bool { return i%4 != 3 && i%2 == 1 })},
		{"TEAM", ticket.Query{Queue: ticket.L1, TEAM: "T2", Limit: 1000}, want(func(i int) bool { return i%3 == 2 })},
		{"no match", ticket.Query{Queue: ticket.L1, CF: "NOBODY", Limit: 10}, nil},
	}
	for _, tt := range tests {
		if got := walkPages(t, db, tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("%s: walked %d tickets %v..., want %d oldest first without gaps or repeats", tt.name, len(got), head(got), len(tt.want))
		}
	}
	all := walkPages(t, db, ticket.Query{Limit: 1000})
	if len(all) != n+1 || all[0] != "l2" {
		t.Errorf("every queue: %d tickets starting %v, want %d starting with the L2 one", len(all), head(all), n+1)
	}
	page, next, err := ticket.Page(context.Background(), db.SQL(), ticket.Query{Queue: ticket.L1})
	if err != nil || len(page) != ticket.PageSize || next != ticket.Cursor(page[len(page)-1]) {
		t.Errorf("default page: %d tickets, next %q, %v; want %d and the last one's cursor", len(page), next, err, ticket.PageSize)
	}

	bad := []struct {
		q    ticket.Query
		want error
	}{
		{ticket.Query{Queue: "L3"}, ticket.ErrQueue},
		{ticket.Query{Statuses: []ticket.Status{"closed"}}, ticket.ErrStatus},
		{ticket.Query{After: "broken"}, ticket.ErrCursor},
		{ticket.Query{After: "12."}, ticket.ErrCursor},
		{ticket.Query{After: "x.01ABC"}, ticket.ErrCursor},
	}
	for _, b := range bad {
		if _, _, err := ticket.Page(context.Background(), db.SQL(), b.q); !errors.Is(err, b.want) {
			t.Errorf("%+v: got %v, want %v", b.q, err, b.want)
		}
	}
}

func head(s []string) []string { return s[:min(len(s), 5)] }
