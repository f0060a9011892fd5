package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Filter selects tickets; empty fields match all.
type Filter struct {
	Queue  Queue
	Status Status
	Limit  int
}

const ticketCols = `id, queue, status, subject, detail, card_team, cf, source, ref, created_at, updated_at`

// List returns the newest Limit tickets (default 200), newest first, with
// no way to reach older ones: a help-desk queue pages with [Page].
func List(ctx context.Context, db *sql.DB, f Filter) ([]Ticket, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	rows, err := db.QueryContext(ctx, `SELECT `+ticketCols+` FROM tickets
		WHERE ($1 = '' OR queue = $1) AND ($2 = '' OR status = $2)
		ORDER BY created_at DESC, id DESC LIMIT $3`, string(f.Queue), string(f.Status), f.Limit)
	if err != nil {
		return nil, fmt.Errorf("ticket: list: %w", err)
	}
	defer rows.Close()
	var out []Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(...any) error }

func scanTicket(s scanner) (Ticket, error) {
	var t Ticket
	var q, st string
	var c, u int64
	if err := s.Scan(&t.ID, &q, &st, &t.Subject, &t.Detail, &t.CardTEAM, &t.CF, &t.Source, &t.Ref, &c, &u); err != nil {
		return t, fmt.Errorf("ticket: scan: %w", err)
	}
	t.Queue, t.Status = Queue(q), Status(st)
	t.Created, t.Updated = time.UnixMicro(c).UTC(), time.UnixMicro(u).UTC()
	return t, nil
}

// Get returns one ticket with its tasks and status history.
func Get(ctx context.Context, db *sql.DB, id string) (Ticket, []Task, []Event, error) {
	t, err := scanTicket(db.QueryRowContext(ctx, `SELECT `+ticketCols+` FROM tickets WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, nil, nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return t, nil, nil, err
	}
	tasks, err := tasksOf(ctx, db, id)
	if err != nil {
		return t, nil, nil, err
	}
	evs, err := eventsOf(ctx, db, id)
	return t, tasks, evs, err
}

func tasksOf(ctx context.Context, db *sql.DB, id string) ([]Task, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, ticket_id, kind, status, cf, note, created_at, updated_at
		FROM tasks WHERE ticket_id = $1 ORDER BY created_at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("ticket: tasks: %w", err)
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		var k Task
		var c, u int64
		if err := rows.Scan(&k.ID, &k.TicketID, &k.Kind, &k.Status, &k.CF, &k.Note, &c, &u); err != nil {
			return nil, fmt.Errorf("ticket: tasks: %w", err)
		}
		k.Created, k.Updated = time.UnixMicro(c).UTC(), time.UnixMicro(u).UTC()
		out = append(out, k)
	}
	return out, rows.Err()
}

func eventsOf(ctx context.Context, db *sql.DB, id string) ([]Event, error) {
	rows, err := db.QueryContext(ctx, `SELECT at, actor, from_status, to_status, note
		FROM ticket_events WHERE ticket_id = $1 ORDER BY at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("ticket: events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		var from, to string
		if err := rows.Scan(&at, &e.Actor, &from, &to, &e.Note); err != nil {
			return nil, fmt.Errorf("ticket: events: %w", err)
		}
		e.At, e.From, e.To = time.UnixMicro(at).UTC(), Status(from), Status(to)
		out = append(out, e)
	}
	return out, rows.Err()
}
