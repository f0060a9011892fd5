package cms_test

import (
	"context"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// TestPipelineWriteFails makes the second round trip of a pipelined batch
// fail (a trigger refuses one operation's row, as a constraint or a full
// disk would): the batch is rolled back, its other operations are applied
// one by one, the failed one changes nothing, and no connection is left
// inside a transaction.
func TestPipelineWriteFails(t *testing.T) {
	e := newEnv(t, store.Postgres)
	ctx := context.Background()
	a, b, c := e.seed(rules.NotActive, false, false), e.seed(rules.NotActive, false, false), e.seed(rules.NotActive, false, false)
	envs := []wire.Envelope{e.activation(a), e.activation(b), e.activation(c)}
	_, err := e.db.SQL().ExecContext(ctx, `CREATE FUNCTION refuse_op() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.op_id = '`+envs[1].ID+`' THEN RAISE EXCEPTION 'refused by test'; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER refuse_op BEFORE INSERT ON operations FOR EACH ROW EXECUTE FUNCTION refuse_op()`)
	must(t, err)

	acks, errs := cms.ApplyBatch(e.eng, ctx, envs)
	if errs[0] != nil || errs[2] != nil || errs[1] == nil {
		t.Fatalf("errors %v, want only the second operation's", errs)
	}
	for _, i := range []int{0, 2} {
		if acks[i].Outcome != string(outcome.Applied) {
			t.Errorf("op %d: outcome %s, want applied", i, acks[i].Outcome)
		}
	}
	if got := e.state(b.team); got != rules.NotActive {
		t.Errorf("refused op's card is %s, want not_active", got)
	}
	if got := e.count("notifications", "op_id = $1", envs[1].ID); got != 0 {
		t.Errorf("refused op left %d notifications", got)
	}
	var inTx int
	must(t, e.db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND state LIKE 'idle in transaction%'`).Scan(&inTx))
	if inTx != 0 {
		t.Errorf("%d connections left inside a transaction", inTx)
	}
}

// TestPipelineRecordedElsewhere runs a batch one of whose operations
// another engine (another cmsd instance) has committed: the batch does not
// read operations before writing, so its batch check refuses the write,
// and the batch runs again with that operation answered as a duplicate,
// applied once.
func TestPipelineRecordedElsewhere(t *testing.T) {
	e := newEnv(t, store.Postgres)
	ctx := context.Background()
	a, b := e.seed(rules.NotActive, false, false), e.seed(rules.NotActive, false, false)
	envs := []wire.Envelope{e.activation(a), e.activation(b)}
	other := cms.New(e.db, e.v, cms.Options{RequireSession: true, Now: func() time.Time { return now }}, storetest.Logger(t))
	if _, err := other.Apply(ctx, envs[1]); err != nil {
		t.Fatal(err)
	}
	acks, errs := cms.ApplyBatch(e.eng, ctx, envs)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
	}
	if acks[0].Outcome != string(outcome.Applied) || acks[0].Status != wire.StatusApplied {
		t.Errorf("first op: %s / %s, want applied / applied", acks[0].Status, acks[0].Outcome)
	}
	if acks[1].Status != wire.StatusDuplicate || acks[1].Outcome != string(outcome.Applied) {
		t.Errorf("op applied elsewhere: %s / %s, want duplicate / applied", acks[1].Status, acks[1].Outcome)
	}
	if got := e.count("operations", "op_id = $1", envs[1].ID); got != 1 {
		t.Errorf("op recorded %d times, want once", got)
	}
	if got := e.count("notifications", "op_id = $1", envs[1].ID); got != 1 {
		t.Errorf("op has %d notifications, want 1", got)
	}
	if got := e.count("audit_log", "op_id = $1", envs[1].ID); got != 1 {
		t.Errorf("op has %d audit records, want 1", got)
	}
}

// TestPipelineRecordedMeanwhile: another instance records one of the
// batch's operations while the batch runs (its transaction holds the
// operations row, uncommitted, when the batch writes): the batch's insert
// waits for it, inserts nothing for that operation once it commits, and
// the batch check refuses the whole write; the batch runs again and
// answers that operation as a duplicate without writing any of its
// effects.
func TestPipelineRecordedMeanwhile(t *testing.T) {
	e := newEnv(t, store.Postgres)
	ctx := context.Background()
	a, b := e.seed(rules.NotActive, false, false), e.seed(rules.NotActive, false, false)
	envs := []wire.Envelope{e.activation(a), e.activation(b)}

	other, err := e.db.SQL().BeginTx(ctx, nil)
	must(t, err)
	defer other.Rollback()
	_, err = other.ExecContext(ctx, `INSERT INTO operations (op_id, dev, seq, type, outcome, at, applied_at)
		VALUES ($1, $2, $3, $4, 'applied', 1, 1)`, envs[1].ID, envs[1].Dev, envs[1].Seq, string(envs[1].Type))
	must(t, err)

	type result struct {
		acks []wire.Ack
		errs []error
	}
	done := make(chan result, 1)
	go func() {
		acks, errs := cms.ApplyBatch(e.eng, ctx, envs)
		done <- result{acks, errs}
	}()
	// Wait until the batch's insert waits for the other transaction.
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for waiting := 0; waiting == 0; {
		select {
		case <-deadline:
			t.Fatal("the batch never waited for the other transaction")
		case r := <-done:
			t.Fatalf("the batch ended without waiting: %+v", r)
		case <-tick.C:
		}
		must(t, e.db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting))
	}
	must(t, other.Commit())
	r := <-done
	for i, err := range r.errs {
		if err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
	}
	if r.acks[0].Status != wire.StatusApplied || r.acks[0].Outcome != string(outcome.Applied) {
		t.Errorf("first op: %s / %s, want applied / applied", r.acks[0].Status, r.acks[0].Outcome)
	}
	if r.acks[1].Status != wire.StatusDuplicate {
		t.Errorf("op recorded meanwhile: %s, want duplicate", r.acks[1].Status)
	}
	if got := e.state(b.team); got != rules.NotActive {
		t.Errorf("card of the op recorded meanwhile is %s: the batch wrote its effects", got)
	}
	for _, table := range []string{"notifications", "audit_log"} {
		if got := e.count(table, "op_id = $1", envs[1].ID); got != 0 {
			t.Errorf("%s: %d rows of the op recorded meanwhile, want 0 (written by the other instance only)", table, got)
		}
	}
	if e.state(a.team) != rules.Active || e.count("notifications", "op_id = $1", envs[0].ID) != 1 {
		t.Errorf("the other op was not applied once: card %s", e.state(a.team))
	}
}
