package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/ticket"
)

// ticketsDB opens n L1 tickets one second apart, oldest first; ticket i
// has CF "CF<i%2>" and is resolved when i%3 == 2. It returns their ids.
func ticketsDB(t *testing.T, n int) (string, []string) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "cms.db")
	ctx := context.Background()
	s, err := store.Open(ctx, db, acctTestLog(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ids := make([]string, n)
	err = s.InTx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			at := base.Add(time.Duration(i) * time.Second)
			id, err := ticket.OpenTx(ctx, tx, ticket.New{Queue: ticket.L1, Subject: fmt.Sprint("ticket ", i), CF: fmt.Sprintf("CF%d", i%2),
				CardTEAM: fmt.Sprintf("TEAM%d", i), Source: "test", Ref: fmt.Sprint(i)}, at)
			if err == nil && i%3 == 2 {
				err = ticket.SetStatusTx(ctx, tx, id, ticket.Resolved, "test", "", at)
			}
			if err != nil {
				return err
			}
			ids[i] = id
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db, ids
}

var nextLine = regexp.MustCompile(`(?m)^next: (\S+)$`)

// TestTicketsListPages walks the text pages with -after and checks the
// filters and the JSON page.
func TestTicketsListPages(t *testing.T) {
	db, ids := ticketsDB(t, 11)
	walk := func(args ...string) []string {
		var seen []string
		after := ""
		for range 20 {
			out, err := runCtl(t, db, "", append(append([]string{"tickets", "list", "-limit", "3"}, args...), "-after", after)...)
			if err != nil {
				t.Fatalf("tickets list %v: %v", args, err)
			}
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				if id, _, _ := strings.Cut(l, " "); id != "" && id != "next:" {
					seen = append(seen, id)
				}
			}
			m := nextLine.FindStringSubmatch(out)
			if m == nil {
				return seen
			}
			after = m[1]
		}
		t.Fatal("pages do not end")
		return nil
	}
	pick := func(keep func(int) bool) []string {
		var out []string
		for i, id := range ids {
			if keep(i) {
				out = append(out, id)
			}
		}
		return out
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"every ticket, oldest first", nil, ids},
		{"active", []string{"-status", "open,in_progress"}, pick(func(i int) bool { return i%3 != 2 })},
		{"CF in lower case", []string{"-cf", "cf1", "-queue", "L1"}, pick(func(i int) bool { return i%2 == 1 })},
		{"TEAM", []string{"-team", "TEAM4"}, pick(func(i int) bool { return i == 4 })},
		{"other queue", []string{"-queue", "L2"}, nil},
	}
	for _, tt := range tests {
		if got := walk(tt.args...); !slices.Equal(got, tt.want) {
			t.Errorf("%s: walked %v, want %v", tt.name, got, tt.want)
		}
	}
	out, err := runCtl(t, db, "", "tickets", "list", "-json", "-limit", "4", "-status", "resolved")
	var page struct {
		Tickets []ticket.Ticket `json:"tickets"`
		Next    string          `json:"next"`
	}
	if err != nil || json.Unmarshal([]byte(out), &page) != nil {
		t.Fatalf("json: %q %v", out, err)
	}
	if len(page.Tickets) != 3 || page.Next != "" || page.Tickets[0].ID != ids[2] {
		t.Errorf("resolved as JSON: %d tickets, next %q; want the 3 resolved, oldest first, and no next page", len(page.Tickets), page.Next)
	}
	for _, args := range [][]string{{"-after", "rotto"}, {"-status", "chiuso"}, {"-queue", "L3"}, {"-limit", "0"}, {"-limit", "1001"}} {
		if _, err := runCtl(t, db, "", append([]string{"tickets", "list"}, args...)...); err == nil {
			t.Errorf("tickets list %v: no error", args)
		}
	}
}
