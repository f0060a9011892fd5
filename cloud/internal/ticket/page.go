package ticket

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"cnskiosk.dev/cloud/internal/keyset"
)

// Query selects one page of a help-desk queue; empty fields match all.
type Query struct {
	Queue    Queue
	Statuses []Status // any of these; none = every status
	CF       string   // the citizen's codice fiscale, exact
	TEAM     string   // the card's TEAM code, exact
	After    string   // cursor: tickets after this one (see Page)
	Limit    int      // page size, 1 to 1000; default PageSize
}

// PageSize is the default number of tickets on one page.
const PageSize = 100

// Page returns one page of tickets oldest first, as a help desk works
// them, and the cursor of the next page ("" on the last). The order is
// (created_at, id), so tickets opened in the same microsecond are neither
// skipped nor repeated; the cursor is "<created µs>.<id>" of the last
// ticket of the page.
func Page(ctx context.Context, db *sql.DB, q Query) ([]Ticket, string, error) {
	query, args, err := q.sql()
	if err != nil {
		return nil, "", err
	}
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("ticket: page: %w", err)
	}
	defer rows.Close()
	var out []Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("ticket: page: %w", err)
	}
	if n := q.limit(); len(out) > n {
		out = out[:n]
		return out, Cursor(out[n-1]), nil
	}
	return out, "", nil
}

// Cursor is the page cursor that follows t.
func Cursor(t Ticket) string { return keyset.Cursor(t.Created, t.ID) }

func parseCursor(c string) (int64, string, error) {
	at, id, err := keyset.Parse(c)
	if err != nil {
		return 0, "", fmt.Errorf("%w: %w", ErrCursor, err)
	}
	return at, id, nil
}

func (q Query) limit() int {
	if q.Limit <= 0 || q.Limit > 1000 {
		return PageSize
	}
	return q.Limit
}

// sql is the statement of one page of q, one row more than the page to
// tell whether another follows, and its arguments.
func (q Query) sql() (string, []any, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if q.Queue != "" {
		if !q.Queue.Valid() {
			return "", nil, fmt.Errorf("%w: %q", ErrQueue, q.Queue)
		}
		where = append(where, "queue = "+arg(string(q.Queue)))
	}
	if len(q.Statuses) > 0 {
		var in []string
		for _, s := range q.Statuses {
			if !s.Valid() {
				return "", nil, fmt.Errorf("%w: %q", ErrStatus, s)
			}
			in = append(in, arg(string(s)))
		}
		where = append(where, "status IN ("+strings.Join(in, ", ")+")")
	}
	if q.CF != "" {
		where = append(where, "cf = "+arg(q.CF))
	}
	if q.TEAM != "" {
		where = append(where, "card_team = "+arg(q.TEAM))
	}
	if q.After != "" {
		at, id, err := parseCursor(q.After)
		if err != nil {
			return "", nil, err
		}
		a, i := arg(at), arg(id)
		// "created_at >= a" first: the OR alone is not a range an index
		// on created_at can scan.
		where = append(where, fmt.Sprintf("created_at >= %s AND (created_at > %s OR id > %s)", a, a, i))
	}
	s := `SELECT ` + ticketCols + ` FROM tickets`
	if len(where) > 0 {
		s += " WHERE " + strings.Join(where, " AND ")
	}
	return s + fmt.Sprintf(" ORDER BY created_at, id LIMIT %d", q.limit()+1), args, nil
}

// Active are the statuses a help desk still has to work on.
var Active = []Status{Open, InProgress}
