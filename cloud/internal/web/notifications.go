package web

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Notification is one row of notifications, with the help-desk ticket
// opened when it finally failed. It never holds a secret.
type Notification struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	CardTEAM  string    `json:"card_team"`
	Channel   string    `json:"channel"`
	Address   string    `json:"address"`
	Status    string    `json:"status"`
	Attempts  int       `json:"attempts"`
	NextAt    time.Time `json:"next_at"`
	LastError string    `json:"last_error"`
	Created   time.Time `json:"created"`
	TicketID  string    `json:"ticket_id"`
}

// notificationStatus maps the filter of page and API to a status: empty
// means "failed" (what a supervisor acts on), "all" means any.
func notificationStatus(q string) string {
	switch q {
	case "":
		return "failed"
	case "all":
		return ""
	}
	return q
}

// The list has one statement per filter, each answered by walking an index
// from its newest end and stopping after 200 rows, never by reading and
// sorting the table (tens of millions of rows: one per activation). The
// status is spelled in the statement, not passed as a parameter: cmsd
// runs with plan_cache_mode=force_generic_plan (store.Open), and a
// generic plan cannot use a partial index whose predicate depends on a
// parameter's value.
//
//   - failed: notifications_failed (id) WHERE status = 'failed' (migration
//     0221), walked backwards. Failed rows are few, so the index costs the
//     write path next to nothing: an insert (always pending) and a sent
//     update add no entry to it.
//   - sent, all: the primary key, walked backwards. Ids are ULIDs, made
//     by the engine (cloud/internal/cms, newEffects, the only writer of
//     notifications) from the same clock microseconds after created_at:
//     fixed-length [0-9A-Z] text, ordered alike by any collation, whose
//     order is creation order to the millisecond. The list used to order
//     by created_at; by id it differs only within one millisecond (ULID
//     order there, not microseconds) or for two rows made across a step
//     back of the clock between the two readings. An instance whose clock
//     is off shifts its ids and its created_at alike. None of that changes
//     what a supervisor reads in a list of 200 notices. A "sent" walk also
//     passes the pending rows newer than the 200th sent one: few while the
//     worker keeps up.
//   - pending: notifications_pending (next_at, id) WHERE status = 'pending'
//     (migration 0210, the worker's queue), walked backwards: latest next
//     attempt first. A notice never tried yet has next_at = created_at, so
//     these come newest first as in the other views; notices waiting for
//     a retry (next attempt in the future, attempts and last error shown)
//     come before them, and they are the pending ones worth a look.
//     Ordering pending by id would walk the primary key past every sent
//     row whenever fewer than 200 are pending. With fewer than 200 pending
//     this walk reads the whole index, as the worker's scan from the start
//     does, dead entries of rows sent since the last VACUUM included.
//
// The ticket is a subquery per listed row (one probe of tickets' unique
// (source, ref)), not a join: with a join PostgreSQL chose a merge join
// that sorts every notify ticket, or a hash join, after which the pending
// list was sorted again.
const notificationsSelect = `SELECT n.id, n.kind, n.card_team, n.channel, n.address, n.status, n.attempts,
	n.next_at, n.last_error, n.created_at,
	COALESCE((SELECT t.id FROM tickets t WHERE t.source = 'notify' AND t.ref = n.id), '')
	FROM notifications n`

// notificationsSQL maps a status ("" = any) to its list statement.
var notificationsSQL = map[string]string{
	"failed":  notificationsSelect + ` WHERE n.status = 'failed' ORDER BY n.id DESC LIMIT 200`,
	"pending": notificationsSelect + ` WHERE n.status = 'pending' ORDER BY n.next_at DESC, n.id DESC LIMIT 200`,
	"sent":    notificationsSelect + ` WHERE n.status = 'sent' ORDER BY n.id DESC LIMIT 200`,
	"":        notificationsSelect + ` ORDER BY n.id DESC LIMIT 200`,
}

// notifications lists up to 200 notifications of status ("" = any). A
// status the table cannot hold (its CHECK allows only these three) lists
// nothing, as the query by that status did.
func (s *Server) notifications(ctx context.Context, status string) ([]Notification, error) {
	q, ok := notificationsSQL[status]
	if !ok {
		return nil, nil
	}
	rows, err := s.db.SQL().QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("web: notifications: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var next, created int64
		if err := rows.Scan(&n.ID, &n.Kind, &n.CardTEAM, &n.Channel, &n.Address, &n.Status, &n.Attempts,
			&next, &n.LastError, &created, &n.TicketID); err != nil {
			return nil, fmt.Errorf("web: notifications: %w", err)
		}
		n.NextAt, n.Created = time.UnixMicro(next).UTC(), time.UnixMicro(created).UTC()
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("web: notifications: %w", err)
	}
	return out, nil
}

func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request) {
	st := r.URL.Query().Get("stato")
	list, err := s.notifications(r.Context(), notificationStatus(st))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "notifications", view{Title: "Notifiche ai cittadini", Nav: "notifications", Sess: sessionFrom(r.Context()),
		Data: struct {
			Status string
			List   []Notification
		}{notificationStatus(st), list}})
}

func (s *Server) apiNotifications(w http.ResponseWriter, r *http.Request) {
	list, err := s.notifications(r.Context(), notificationStatus(r.URL.Query().Get("status")))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"notifications": nonNil(list)})
}
