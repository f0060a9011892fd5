package ticket_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/ticket"
)

func TestOpenIdempotentAndStatus(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { testOpen(t, storetest.Open(t, d)) })
	}
}

func testOpen(t *testing.T, db *store.DB) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	n := ticket.New{Queue: ticket.L1, Subject: "CF errato", CF: "RSSMRA80A01H501U", Source: "fse", Ref: "req1",
		Task: ticket.TaskContactCitizen, TaskNote: "invitare a Scelta e Revoca"}
	var id1, id2 string
	for _, p := range []*string{&id1, &id2} {
		err := db.InTx(ctx, func(tx *sql.Tx) (err error) { *p, err = ticket.OpenTx(ctx, tx, n, now); return err })
		if err != nil {
			t.Fatal(err)
		}
	}
	if id1 != id2 {
		t.Fatalf("second open gave %s, want %s", id2, id1)
	}
	steps := []struct {
		to   ticket.Status
		want error
	}{
		{ticket.InProgress, nil}, {ticket.InProgress, ticket.ErrTransition}, {"bogus", ticket.ErrStatus}, {ticket.Resolved, nil},
	}
	for _, s := range steps {
		err := db.InTx(ctx, func(tx *sql.Tx) error { return ticket.SetStatusTx(ctx, tx, id1, s.to, "mario", "", now) })
		if !errors.Is(err, s.want) {
			t.Errorf("set %s: got %v, want %v", s.to, err, s.want)
		}
	}
	tk, tasks, evs, err := ticket.Get(ctx, db.SQL(), id1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tk.Status, ticket.Resolved; got != want {
		t.Errorf("status = %s, want %s", got, want)
	}
	if len(tasks) != 1 || tasks[0].Status != "done" || tasks[0].Kind != ticket.TaskContactCitizen {
		t.Errorf("tasks = %+v, want one done contact_citizen", tasks)
	}
	if got, want := len(evs), 2; got != want {
		t.Errorf("events = %d, want %d", got, want)
	}
	list, err := ticket.List(ctx, db.SQL(), ticket.Filter{Queue: ticket.L1})
	if err != nil || len(list) != 1 {
		t.Errorf("list L1 = %v, %v; want 1", list, err)
	}
	list, _ = ticket.List(ctx, db.SQL(), ticket.Filter{Queue: ticket.L2})
	if len(list) != 0 {
		t.Errorf("list L2 = %d, want 0", len(list))
	}
	if _, _, _, err := ticket.Get(ctx, db.SQL(), "nope"); !errors.Is(err, ticket.ErrNotFound) {
		t.Errorf("get missing: %v", err)
	}
}
