package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/ticket"
)

const scriptSubject = `<script>alert("x")</script>`

// addTickets opens n L1 tickets, every third in the same microsecond as
// the one before it, all older than the environment's ticket; ticket i has
// CF "CF<i%2>" and is resolved when i%4 == 3. It returns their ids in the
// order they were opened.
func addTickets(t *testing.T, e *env, n int) []string {
	t.Helper()
	ctx := context.Background()
	base := time.Now().Add(-time.Hour)
	ids := make([]string, n)
	err := e.db.InTx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			at := base.Add(time.Duration(i-i%3) * time.Millisecond)
			id, err := ticket.OpenTx(ctx, tx, ticket.New{Queue: ticket.L1, Subject: fmt.Sprintf("%s %03d", scriptSubject, i),
				CF: fmt.Sprintf("CF%d", i%2), CardTEAM: fmt.Sprintf("TEAM%d", i), Source: "test", Ref: fmt.Sprint(i)}, at)
			if err == nil && i%4 == 3 {
				err = ticket.SetStatusTx(ctx, tx, id, ticket.Resolved, "admin", "", at)
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
	return ids
}

var nextLink = regexp.MustCompile(`href="([^"]*)" rel="next"`)

// walkHTML follows the "Pagina successiva" links from first and returns
// the first capture of item on every page, in order.
func walkHTML(t *testing.T, c *http.Client, base, first string, item *regexp.Regexp) []string {
	t.Helper()
	var seen []string
	u := first
	for range 100 {
		code, body := get(t, c, base+u)
		if code != 200 {
			t.Fatalf("GET %s: %d", u, code)
		}
		for _, m := range item.FindAllStringSubmatch(body, -1) {
			seen = append(seen, m[1])
		}
		next := nextLink.FindStringSubmatch(body)
		if next == nil {
			return seen
		}
		u = html.UnescapeString(next[1])
	}
	t.Fatal("pagination does not end")
	return nil
}

var ticketLink = regexp.MustCompile(`<a href="/ticket/([0-9A-Z]+)">`)

func TestTicketQueuePages(t *testing.T) {
	e := newEnv(t)
	ids := addTickets(t, e, 230)
	c := e.client(t, "supervisore")
	pick := func(keep func(i int) bool, last ...string) []string {
		var out []string
		for i, id := range ids {
			if keep(i) {
				out = append(out, id)
			}
		}
		return append(out, last...)
	}
	tests := []struct {
		name, url string
		want      []string
	}{
		// The environment's ticket is the newest and open: it comes last.
		{"default: open and in progress, oldest first", "/ticket?coda=L1", pick(func(i int) bool { return i%4 != 3 }, e.tkt)},
		{"resolved", "/ticket?coda=L1&stato=resolved", pick(func(i int) bool { return i%4 == 3 })},
		{"every status", "/ticket?coda=L1&stato=tutti", pick(func(int) bool { return true }, e.tkt)},
		{"CF, lower case", "/ticket?coda=L1&stato=tutti&cf=+cf1+", pick(func(i int) bool { return i%2 == 1 })},
		{"TEAM", "/ticket?coda=L1&team=TEAM7", nil}, // resolved
		{"TEAM resolved", "/ticket?coda=L1&stato=resolved&team=TEAM7", pick(func(i int) bool { return i == 7 })},
		{"other queue", "/ticket?coda=L2", nil},
	}
	for _, tt := range tests {
		if got := walkHTML(t, c, e.srv.URL, tt.url, ticketLink); !slices.Equal(got, tt.want) {
			t.Errorf("%s: walked %d tickets, want %d in order without gaps or repeats", tt.name, len(got), len(tt.want))
		}
	}

	_, body := get(t, c, e.srv.URL+"/ticket?coda=L1&cf=CF0")
	next := nextLink.FindStringSubmatch(body)
	if next == nil {
		t.Fatal("first page of CF0 has no next link")
	}
	for _, p := range []string{"coda=L1", "cf=CF0", "dopo="} {
		if !strings.Contains(html.UnescapeString(next[1]), p) {
			t.Errorf("next link %q lacks %s", next[1], p)
		}
	}
	if !strings.Contains(body, "100 ticket in questa pagina della coda L1, i più vecchi per primi; altri nelle pagine successive") {
		t.Error("the caption does not say the list goes on")
	}
	if strings.Contains(body, scriptSubject) || !strings.Contains(body, html.EscapeString(scriptSubject)) {
		t.Error("a ticket subject is not escaped")
	}
	_, body = get(t, c, e.srv.URL+html.UnescapeString(next[1]))
	if !strings.Contains(body, "Prima pagina") || strings.Contains(body, "altri nelle pagine successive") {
		t.Error("second and last page: no first-page link, or the caption says more follow")
	}
	_, body = get(t, c, e.srv.URL+`/ticket?coda=L1&cf=%22%3E%3Cb%3Ex`)
	if strings.Contains(body, `"><B>X`) || !strings.Contains(body, `value="&#34;&gt;&lt;B&gt;X"`) {
		t.Error("the CF searched for is not escaped in the form")
	}
	for _, u := range []string{"/ticket?coda=L3", "/ticket?stato=chiuso", "/ticket?dopo=rotto", "/ticket?cf=" + strings.Repeat("A", 40)} {
		if code, body := get(t, c, e.srv.URL+u); code != 400 || !strings.Contains(body, "Dati non validi") {
			t.Errorf("GET %s: %d, want 400 with an explanation", u, code)
		}
	}
}

// addFSE inserts n FSE requests, newest last, every third in the same
// microsecond as the one before it; request i has CF "CF<i%2>" and status
// failed_cf with an L1 ticket when i%3 == 0, pending otherwise. It returns
// their ids newest first and the ticket of each failed one.
func addFSE(t *testing.T, e *env, n int) ([]string, map[string]string) {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var ids []string
	tickets := map[string]string{}
	err := e.db.InTx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			id, us, st := fmt.Sprintf("fse-%03d", i), base.Add(time.Duration(i-i%3)*time.Second).UnixMicro(), "pending"
			if i%3 == 0 {
				st = "failed_cf"
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO fse_requests (id, card_team, cf, op_id, status, attempts, next_at, last_error, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $6, $6)`, id, fmt.Sprintf("TEAM%d", i), fmt.Sprintf("CF%d", i%2), "op-"+id, st, us, scriptSubject)
			if err == nil && st == "failed_cf" {
				tickets[id], err = ticket.OpenTx(ctx, tx, ticket.New{Queue: ticket.L1, Subject: "CF", Source: "fse", Ref: id}, base)
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
	return ids, tickets
}

var fseRow = regexp.MustCompile(`<td class="mono">(TEAM\d+)</td>`)

func TestFSEPages(t *testing.T) {
	e := newEnv(t)
	ids, tickets := addFSE(t, e, 230)
	c := e.client(t, "revisore")
	pick := func(keep func(i int) bool) []string {
		var out []string
		for _, id := range ids {
			var i int
			fmt.Sscanf(id, "fse-%d", &i)
			if keep(i) {
				out = append(out, fmt.Sprintf("TEAM%d", i))
			}
		}
		return out
	}
	tests := []struct {
		name, url string
		want      []string
	}{
		{"all, newest first", "/fse", pick(func(int) bool { return true })},
		{"failed_cf", "/fse?stato=failed_cf", pick(func(i int) bool { return i%3 == 0 })},
		{"CF and status", "/fse?stato=pending&cf=cf1", pick(func(i int) bool { return i%3 != 0 && i%2 == 1 })},
		{"TEAM", "/fse?team=TEAM12", pick(func(i int) bool { return i == 12 })},
	}
	for _, tt := range tests {
		if got := walkHTML(t, c, e.srv.URL, tt.url, fseRow); !slices.Equal(got, tt.want) {
			t.Errorf("%s: walked %d requests, want %d in order without gaps or repeats", tt.name, len(got), len(tt.want))
		}
	}
	_, body := get(t, c, e.srv.URL+"/fse?stato=failed_cf&team=TEAM12")
	for _, want := range []string{`<form method="get" action="/fse"`, `<option value="failed_cf" selected>`, `value="TEAM12"`,
		`<a href="/ticket/` + tickets["fse-012"] + `">Ticket L1</a> (Aperto)`} {
		if !strings.Contains(body, want) {
			t.Errorf("filtered page lacks %s", want)
		}
	}
	if strings.Contains(body, scriptSubject) || !strings.Contains(body, html.EscapeString(scriptSubject)) {
		t.Error("the last error is not escaped")
	}
	_, body = get(t, c, e.srv.URL+"/fse?stato=pending")
	next := nextLink.FindStringSubmatch(body)
	if next == nil || !strings.Contains(html.UnescapeString(next[1]), "stato=pending") || !strings.Contains(next[1], "prima=") {
		t.Errorf("next link %v does not keep the filter", next)
	}
	for _, u := range []string{"/fse?stato=perso", "/fse?prima=rotto", "/fse?team=" + strings.Repeat("9", 40)} {
		if code, body := get(t, c, e.srv.URL+u); code != 400 || !strings.Contains(body, "Dati non validi") {
			t.Errorf("GET %s: %d, want 400 with an explanation", u, code)
		}
	}
}
