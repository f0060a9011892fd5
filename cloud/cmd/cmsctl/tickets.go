package main

import (
	"context"
	"database/sql"
	"fmt"
	"os/user"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/ticket"
)

func init() {
	register(Command{Name: "tickets list", Args: "[-queue L1|L2] [-status open,in_progress,resolved] [-cf CF] [-team TEAM] [-after CURSOR] [-limit N] [-json]",
		Run: ticketsList, Summary: "list help-desk tickets one page at a time, oldest first"})
	register(Command{Name: "tickets show", Args: "[-json] ID", Run: ticketsShow, Summary: "show a ticket with its tasks and history"})
	register(Command{Name: "tickets set-status", Args: "[-note TEXT] [-by NAME] ID open|in_progress|resolved", Run: ticketsSetStatus,
		Summary: "change a ticket's status"})
}

func ticketsList(ctx context.Context, e *Env, args []string) error {
	c := commands["tickets list"]
	fs := e.Flags(c)
	queue := fs.String("queue", "", "L1 or L2 (empty: both)")
	st := fs.String("status", "", "open, in_progress or resolved, comma-separated (empty: every status)")
	cf := fs.String("cf", "", "the citizen's codice fiscale, exact")
	team := fs.String("team", "", "the card's TEAM code, exact")
	after := fs.String("after", "", "page cursor: the next value printed by the previous page")
	limit := fs.Int("limit", ticket.PageSize, "page size, 1 to 1000")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	q := ticket.Query{Queue: ticket.Queue(*queue), CF: strings.ToUpper(strings.TrimSpace(*cf)),
		TEAM: strings.ToUpper(strings.TrimSpace(*team)), After: *after, Limit: *limit}
	if *limit < 1 || *limit > 1000 {
		return e.badArgs(c, "-limit must be between 1 and 1000")
	}
	for s := range strings.SplitSeq(*st, ",") {
		if s = strings.TrimSpace(s); s != "" {
			q.Statuses = append(q.Statuses, ticket.Status(s))
		}
	}
	db, err := e.Store(ctx)
	if err != nil {
		return err
	}
	ts, next, err := ticket.Page(ctx, db.SQL(), q)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.Stdout, map[string]any{"tickets": nonNilTickets(ts), "next": next})
	}
	for _, t := range ts {
		fmt.Fprintf(e.Stdout, "%s %s %-11s %s %s %s\n", t.ID, t.Queue, t.Status, t.Created.Format(time.DateTime), t.CF, t.Subject)
	}
	if next != "" {
		fmt.Fprintf(e.Stdout, "next: %s\n", next)
	}
	return nil
}

func nonNilTickets(ts []ticket.Ticket) []ticket.Ticket {
	if ts == nil {
		return []ticket.Ticket{}
	}
	return ts
}

func ticketsShow(ctx context.Context, e *Env, args []string) error {
	c := commands["tickets show"]
	fs := e.Flags(c)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return e.badArgs(c, "one ticket id is needed")
	}
	db, err := e.Store(ctx)
	if err != nil {
		return err
	}
	t, tasks, evs, err := ticket.Get(ctx, db.SQL(), fs.Arg(0))
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.Stdout, map[string]any{"ticket": t, "tasks": tasks, "events": evs})
	}
	fmt.Fprintf(e.Stdout, "ticket %s (%s, %s)\nsubject: %s\ncf: %s  card: %s\ndetail: %s\n", t.ID, t.Queue, t.Status, t.Subject, t.CF, t.CardTEAM, t.Detail)
	for _, k := range tasks {
		fmt.Fprintf(e.Stdout, "task %s %s: %s\n", k.Kind, k.Status, k.Note)
	}
	for _, ev := range evs {
		fmt.Fprintf(e.Stdout, "%s %s: %s -> %s %s\n", ev.At.Format(time.DateTime), ev.Actor, ev.From, ev.To, ev.Note)
	}
	return nil
}

func ticketsSetStatus(ctx context.Context, e *Env, args []string) error {
	c := commands["tickets set-status"]
	fs := e.Flags(c)
	note := fs.String("note", "", "note recorded with the change")
	by := fs.String("by", defaultActor(), "who makes the change")
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return e.badArgs(c, "a ticket id and a status are needed")
	}
	to := ticket.Status(fs.Arg(1))
	if !to.Valid() {
		return e.badArgs(c, "status must be open, in_progress or resolved")
	}
	db, err := e.Store(ctx)
	if err != nil {
		return err
	}
	err = db.InTx(ctx, func(tx *sql.Tx) error {
		return ticket.SetStatusTx(ctx, tx, fs.Arg(0), to, *by, *note, time.Now())
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "ticket %s is now %s\n", fs.Arg(0), to)
	return nil
}

func defaultActor() string {
	if u, err := user.Current(); err == nil {
		return "cmsctl:" + u.Username
	}
	return "cmsctl"
}
