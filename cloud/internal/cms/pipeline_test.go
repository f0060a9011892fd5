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
