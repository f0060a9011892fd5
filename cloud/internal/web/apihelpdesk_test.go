package web_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The ticket API pages like the queue page: oldest first, every filter,
// each ticket once across pages.
func TestTicketsAPIPages(t *testing.T) {
	e := newEnv(t)
	ids := addTickets(t, e, 230)
	c := e.client(t, "revisore")
	pick := func(keep func(i int) bool, last ...string) []string {
		var out []string
		for i, id := range ids {
			if keep(i) {
				out = append(out, id)
			}
		}
		return append(out, last...)
	}
	api := e.srv.URL + "/api/v1/tickets?limit=40"
	tests := []struct {
		name, query string
		want        []string
	}{
		{"every ticket", "", pick(func(int) bool { return true }, e.tkt)},
		{"default page size", "&limit=", pick(func(int) bool { return true }, e.tkt)},
		{"open and in progress", "&status=open,in_progress", pick(func(i int) bool { return i%4 != 3 }, e.tkt)},
		{"resolved in L1", "&queue=L1&status=resolved", pick(func(i int) bool { return i%4 == 3 })},
		{"CF, lower case", "&cf=+cf1+", pick(func(i int) bool { return i%2 == 1 })},
		{"TEAM", "&team=TEAM7", pick(func(i int) bool { return i == 7 })},
		{"other queue", "&queue=L2", nil},
	}
	for _, tt := range tests {
		if got := walk(t, c, api+tt.query, "tickets", "after"); !slices.Equal(got, tt.want) {
			t.Errorf("%s: walked %d tickets, want %d in order without gaps or repeats", tt.name, len(got), len(tt.want))
		}
	}
	code, body := get(t, c, api)
	var page struct {
		Tickets []json.RawMessage `json:"tickets"`
		Next    string            `json:"next"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &page) != nil || len(page.Tickets) != 40 || page.Next == "" {
		t.Errorf("first page: %d, %d tickets, next %q; want 200, 40 and a cursor", code, len(page.Tickets), page.Next)
	}
	code, body = get(t, c, api+"&queue=L2")
	if code != 200 || !strings.Contains(body, `"tickets":[]`) || !strings.Contains(body, `"next":""`) {
		t.Errorf("empty list: %d %s", code, body)
	}
	for _, q := range []string{"&after=rotto", "&after=12", "&status=chiuso", "&status=open,,perso", "&queue=L3", "&cf=" + strings.Repeat("A", 40)} {
		if code, body := get(t, c, api+q); code != 400 || !strings.Contains(body, `"error":`) {
			t.Errorf("GET tickets%s: %d %s, want 400", q, code, body)
		}
	}
}

// The FSE requests API pages newest first with status, CF and TEAM, and
// gives each request's ticket.
func TestFSEAPIPages(t *testing.T) {
	e := newEnv(t)
	ids, tickets := addFSE(t, e, 230)
	c := e.client(t, "supervisore")
	pick := func(keep func(i int) bool) []string {
		var out []string
		for _, id := range ids {
			var i int
			fmt.Sscanf(id, "fse-%d", &i)
			if keep(i) {
				out = append(out, id)
			}
		}
		return out
	}
	api := e.srv.URL + "/api/v1/fse-requests?limit=30"
	tests := []struct {
		name, query string
		want        []string
	}{
		{"all, newest first", "", pick(func(int) bool { return true })},
		{"default page size", "&limit=0", pick(func(int) bool { return true })},
		{"failed_cf", "&status=failed_cf", pick(func(i int) bool { return i%3 == 0 })},
		{"CF and status", "&status=pending&cf=cf1", pick(func(i int) bool { return i%3 != 0 && i%2 == 1 })},
		{"TEAM", "&team=team12", pick(func(i int) bool { return i == 12 })},
	}
	for _, tt := range tests {
		if got := walk(t, c, api+tt.query, "fse_requests", "before"); !slices.Equal(got, tt.want) {
			t.Errorf("%s: walked %d requests, want %d in order without gaps or repeats", tt.name, len(got), len(tt.want))
		}
	}
	code, body := get(t, c, api+"&team=TEAM12")
	var page struct {
		Reqs []struct {
			ID           string `json:"id"`
			TicketID     string `json:"ticket_id"`
			TicketQueue  string `json:"ticket_queue"`
			TicketStatus string `json:"ticket_status"`
		} `json:"fse_requests"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &page) != nil || len(page.Reqs) != 1 {
		t.Fatalf("TEAM12: %d %s", code, body)
	}
	if r := page.Reqs[0]; r.TicketID != tickets["fse-012"] || r.TicketQueue != "L1" || r.TicketStatus != "open" {
		t.Errorf("request fse-012 = %+v, want its open L1 ticket %s", r, tickets["fse-012"])
	}
	for _, q := range []string{"&before=rotto", "&before=.x", "&status=perso", "&team=" + strings.Repeat("9", 40)} {
		if code, body := get(t, c, api+q); code != 400 || !strings.Contains(body, `"error":`) {
			t.Errorf("GET fse-requests%s: %d %s, want 400", q, code, body)
		}
	}
}
