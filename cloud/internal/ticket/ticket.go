package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"
)

// Queue is a help-desk level.
type Queue string

// Queues.
const (
	L1 Queue = "L1" // data problems
	L2 Queue = "L2" // technical problems
)

// Status of a ticket.
type Status string

// Statuses.
const (
	Open       Status = "open"
	InProgress Status = "in_progress"
	Resolved   Status = "resolved"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == Open || s == InProgress || s == Resolved }

// Valid reports whether q is a known queue.
func (q Queue) Valid() bool { return q == L1 || q == L2 }

// Task kinds.
const (
	// TaskContactCitizen: call or write to the citizen and invite them to
	// the Scelta e Revoca counter of their ASL.
	TaskContactCitizen = "contact_citizen"
)

// Ticket is one help-desk ticket.
type Ticket struct {
	ID       string    `json:"id"`
	Queue    Queue     `json:"queue"`
	Status   Status    `json:"status"`
	Subject  string    `json:"subject"`
	Detail   string    `json:"detail"`
	CardTEAM string    `json:"card_team"`
	CF       string    `json:"cf"`
	Source   string    `json:"source"`
	Ref      string    `json:"ref"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
}

// Task is a to-do attached to a ticket.
type Task struct {
	ID       string    `json:"id"`
	TicketID string    `json:"ticket_id"`
	Kind     string    `json:"kind"`
	Status   string    `json:"status"`
	CF       string    `json:"cf"`
	Note     string    `json:"note"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
}

// Event is one status change.
type Event struct {
	At       time.Time
	Actor    string
	From, To Status
	Note     string
}

// New describes a ticket to open.
type New struct {
	Queue                         Queue
	Subject, Detail, CardTEAM, CF string
	Source, Ref                   string // idempotency key
	Task                          string // optional task kind to attach
	TaskNote                      string
}

// OpenTx opens a ticket (and its task) in the caller's transaction, or
// returns the id of the ticket already opened for (Source, Ref).
func OpenTx(ctx context.Context, tx *sql.Tx, n New, now time.Time) (string, error) {
	if !n.Queue.Valid() {
		return "", fmt.Errorf("%w: %q", ErrQueue, n.Queue)
	}
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM tickets WHERE source = $1 AND ref = $2`, n.Source, n.Ref).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("ticket: lookup: %w", err)
	}
	id, us := ulid.Make().String(), now.UnixMicro()
	_, err = tx.ExecContext(ctx, `INSERT INTO tickets (id, queue, status, subject, detail, card_team, cf, source, ref, created_at, updated_at)
		VALUES ($1, $2, 'open', $3, $4, $5, $6, $7, $8, $9, $9)`,
		id, string(n.Queue), n.Subject, n.Detail, n.CardTEAM, n.CF, n.Source, n.Ref, us)
	if err != nil {
		return "", fmt.Errorf("ticket: insert: %w", err)
	}
	if n.Task != "" {
		_, err = tx.ExecContext(ctx, `INSERT INTO tasks (id, ticket_id, kind, status, cf, note, created_at, updated_at)
			VALUES ($1, $2, $3, 'open', $4, $5, $6, $6)`, ulid.Make().String(), id, n.Task, n.CF, n.TaskNote, us)
		if err != nil {
			return "", fmt.Errorf("ticket: insert task: %w", err)
		}
	}
	return id, nil
}

// SetStatusTx changes a ticket's status and records who did it.
// Any change between the three statuses is allowed except to the same one.
func SetStatusTx(ctx context.Context, tx *sql.Tx, id string, to Status, actor, note string, now time.Time) error {
	if !to.Valid() {
		return fmt.Errorf("%w: %q", ErrStatus, to)
	}
	var from string
	err := tx.QueryRowContext(ctx, `SELECT status FROM tickets WHERE id = $1`, id).Scan(&from)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return fmt.Errorf("ticket: status: %w", err)
	}
	if Status(from) == to {
		return fmt.Errorf("%w: already %s", ErrTransition, to)
	}
	us := now.UnixMicro()
	if _, err := tx.ExecContext(ctx, `UPDATE tickets SET status = $1, updated_at = $2 WHERE id = $3`, string(to), us, id); err != nil {
		return fmt.Errorf("ticket: update: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO ticket_events (id, ticket_id, at, actor, from_status, to_status, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, ulid.Make().String(), id, us, actor, from, string(to), note)
	if err != nil {
		return fmt.Errorf("ticket: event: %w", err)
	}
	if to == Resolved {
		_, err = tx.ExecContext(ctx, `UPDATE tasks SET status = 'done', updated_at = $1 WHERE ticket_id = $2 AND status = 'open'`, us, id)
	}
	return err
}
