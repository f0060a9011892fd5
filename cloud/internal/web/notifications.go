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

func (s *Server) notifications(ctx context.Context, status string) ([]Notification, error) {
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT n.id, n.kind, n.card_team, n.channel, n.address, n.status, n.attempts,
		n.next_at, n.last_error, n.created_at, COALESCE(t.id, '')
		FROM notifications n LEFT JOIN tickets t ON t.source = 'notify' AND t.ref = n.id
		WHERE ($1 = '' OR n.status = $1) ORDER BY n.created_at DESC, n.id DESC LIMIT 200`, status)
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
	return out, rows.Err()
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
