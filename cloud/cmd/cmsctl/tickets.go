package main

import (
	"context"
	"database/sql"
	"fmt"
	"os/user"
	"time"

	"cnskiosk.dev/cloud/internal/ticket"
)

func init() {
	register(Command{Name: "tickets list", Args: "[-queue L1|L2] [-status open|in_progress|resolved] [-json]", Run: ticketsList,
		Summary: "list help-desk tickets, newest first"})
	register(Command{Name: "tickets show", Args: "[-json] ID", Run: ticketsShow, Summary: "show a ticket with its tasks and history"})
	register(Command{Name: "tickets set-status", Args: "[-note TEXT] [-by NAME] ID open|in_progress|resolved", Run: ticketsSetStatus,
		Summary: "change a ticket's status"})
}

func ticketsList(ctx context.Context, e *Env, args []string) error {
	fs := e.Flags(commands["tickets list"])
	q := fs.String("queue", "", "L1 or L2")
	st := fs.String("status", "", "open, in_progress or resolved")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	db, err := e.Store(ctx)
	if err != nil {
		return err
	}
	ts, err := ticket.List(ctx, db.SQL(), ticket.Filter{Queue: ticket.Queue(*q), Status: ticket.Status(*st)})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.Stdout, ts)
	}
	for _, t := range ts {
		fmt.Fprintf(e.Stdout, "%s %s %-11s %s %s %s\n", t.ID, t.Queue, t.Status, t.Created.Format(time.DateTime), t.CF, t.Subject)
	}
	return nil
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
