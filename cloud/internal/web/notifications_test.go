package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/ticket"
)

func TestFailedNotificationsListed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var tkt string
	err := e.db.InTx(ctx, func(tx *sql.Tx) (err error) {
		for _, n := range []struct{ id, status, addr string }{{"n-failed", "failed", "non.esiste@example.it"}, {"n-sent", "sent", "mario@example.it"}} {
			if _, err = tx.ExecContext(ctx, `INSERT INTO notifications (id, kind, card_team, channel, address, status, attempts, next_at, last_error, op_id, created_at)
				VALUES ($1, 'second_halves', '80380000900090510553', 'email', $2, $3, 1, 0, '550 mailbox unknown', 'op', 1)`, n.id, n.addr, n.status); err != nil {
				return err
			}
		}
		tkt, err = ticket.OpenTx(ctx, tx, ticket.New{Queue: ticket.L1, Subject: "Notifica non consegnata", Source: "notify", Ref: "n-failed"}, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(t, "supervisore")
	code, body := get(t, c, e.srv.URL+"/notifiche")
	if code != 200 || !strings.Contains(body, "non.esiste@example.it") || !strings.Contains(body, `href="/ticket/`+tkt+`"`) ||
		strings.Contains(body, "mario@example.it") {
		t.Errorf("page: %d, want the failed notice with its ticket and not the sent one:\n%s", code, body)
	}
	for _, tt := range []struct {
		query string
		want  []string
	}{{"", []string{"n-failed"}}, {"?status=sent", []string{"n-sent"}}, {"?status=all", []string{"n-sent", "n-failed"}}} {
		code, body := get(t, c, e.srv.URL+"/api/v1/notifications"+tt.query)
		var got struct {
			Notifications []struct {
				ID       string
				TicketID string `json:"ticket_id"`
			}
		}
		if code != 200 || json.Unmarshal([]byte(body), &got) != nil {
			t.Fatalf("api%s: %d %s", tt.query, code, body)
		}
		var ids []string
		for _, n := range got.Notifications {
			ids = append(ids, n.ID)
			if n.ID == "n-failed" && n.TicketID != tkt {
				t.Errorf("api: ticket_id %q, want %q", n.TicketID, tkt)
			}
		}
		if strings.Join(ids, ",") != strings.Join(tt.want, ",") {
			t.Errorf("api%s: %v, want %v", tt.query, ids, tt.want)
		}
	}
}
