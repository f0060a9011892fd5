package fse

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/keyset"
	"cnskiosk.dev/cloud/internal/ticket"
)

// Statuses of a request (fse_requests.status).
var Statuses = []string{"pending", "done", "failed_cf", "failed_tech"}

// Request is one FSE creation request as the console lists it, with the
// help-desk ticket opened for it, if any.
type Request struct {
	ID           string        `json:"id"`
	CardTEAM     string        `json:"card_team"`
	CF           string        `json:"cf"`
	Status       string        `json:"status"`
	Attempts     int           `json:"attempts"`
	NextAt       time.Time     `json:"next_at"`
	LastError    string        `json:"last_error"`
	Created      time.Time     `json:"created"`
	TicketID     string        `json:"ticket_id,omitempty"`
	TicketQueue  ticket.Queue  `json:"ticket_queue,omitempty"`
	TicketStatus ticket.Status `json:"ticket_status,omitempty"`
}

// Query selects one page of requests; empty fields match all.
type Query struct {
	Status string // one of Statuses
	CF     string // exact
	TEAM   string // exact
	Before string // cursor: requests older than this one (see List)
	Limit  int    // page size, 1 to 1000; default PageSize
}

// PageSize is the default number of requests on one page.
const PageSize = 100

// List returns one page of requests, newest first by (created_at, id), and
// the cursor of the next page ("" on the last): "<created µs>.<id>" of the
// last request of the page.
func List(ctx context.Context, db *sql.DB, q Query) ([]Request, string, error) {
	query, args, err := q.sql()
	if err != nil {
		return nil, "", err
	}
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("fse: list: %w", err)
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		var r Request
		var next, created int64
		var tq, ts string
		if err := rows.Scan(&r.ID, &r.CardTEAM, &r.CF, &r.Status, &r.Attempts, &next, &r.LastError, &created, &r.TicketID, &tq, &ts); err != nil {
			return nil, "", fmt.Errorf("fse: list: %w", err)
		}
		r.NextAt, r.Created = time.UnixMicro(next).UTC(), time.UnixMicro(created).UTC()
		r.TicketQueue, r.TicketStatus = ticket.Queue(tq), ticket.Status(ts)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("fse: list: %w", err)
	}
	if n := q.limit(); len(out) > n {
		out = out[:n]
		return out, Cursor(out[n-1]), nil
	}
	return out, "", nil
}

// Cursor is the page cursor that follows r.
func Cursor(r Request) string { return keyset.Cursor(r.Created, r.ID) }

func (q Query) limit() int {
	if q.Limit <= 0 || q.Limit > 1000 {
		return PageSize
	}
	return q.Limit
}

func (q Query) sql() (string, []any, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if q.Status != "" {
		if !slices.Contains(Statuses, q.Status) {
			return "", nil, fmt.Errorf("%w: %q", ErrStatus, q.Status)
		}
		where = append(where, "r.status = "+arg(q.Status))
	}
	if q.CF != "" {
		where = append(where, "r.cf = "+arg(q.CF))
	}
	if q.TEAM != "" {
		where = append(where, "r.card_team = "+arg(q.TEAM))
	}
	if q.Before != "" {
		at, id, err := keyset.Parse(q.Before)
		if err != nil {
			return "", nil, fmt.Errorf("%w: %w", ErrCursor, err)
		}
		a, i := arg(at), arg(id)
		where = append(where, fmt.Sprintf("r.created_at <= %s AND (r.created_at < %s OR r.id < %s)", a, a, i))
	}
	s := `SELECT r.id, r.card_team, r.cf, r.status, r.attempts, r.next_at, r.last_error, r.created_at,
		COALESCE(t.id, ''), COALESCE(t.queue, ''), COALESCE(t.status, '')
		FROM fse_requests r LEFT JOIN tickets t ON t.source = 'fse' AND t.ref = r.id`
	if len(where) > 0 {
		s += " WHERE " + strings.Join(where, " AND ")
	}
	return s + fmt.Sprintf(" ORDER BY r.created_at DESC, r.id DESC LIMIT %d", q.limit()+1), args, nil
}
