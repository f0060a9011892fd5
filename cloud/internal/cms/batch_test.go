package cms_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/audit"
	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

func (e *env) activation(f fixture) wire.Envelope {
	_, body := act(nil)(e, f)
	return e.envelope(wire.OpActivation, body)
}

func (e *env) verifyAudit() {
	e.t.Helper()
	rep, err := audit.Verify(context.Background(), e.db.SQL(), e.db.Dialect())
	must(e.t, err)
	if len(rep.Issues) > 0 {
		e.t.Fatalf("audit chain broken: %+v", rep.Issues)
	}
}

// TestBatchMixed applies in one transaction: an activation, the same
// envelope again, a second activation of the same card, a refused one and
// one of another card.
func TestBatchMixed(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			a, b := e.seed(rules.NotActive, false, false), e.seed(rules.NotActive, false, false)
			first := e.activation(a)
			unknown := fixture{team: otherTEAM, cf: a.cf, exp: validExp}
			envs := []wire.Envelope{first, first, e.activation(a), e.activation(unknown), e.activation(b)}
			acks, errs := cms.ApplyBatch(e.eng, context.Background(), envs)
			want := []struct {
				status  wire.Status
				outcome outcome.Code
			}{
				{wire.StatusApplied, outcome.Applied},
				{wire.StatusDuplicate, outcome.Applied},
				{wire.StatusApplied, outcome.CardAlreadyActive},
				{wire.StatusApplied, outcome.CardDataMismatch},
				{wire.StatusApplied, outcome.Applied},
			}
			for i, w := range want {
				if errs[i] != nil || acks[i].Status != w.status || acks[i].Outcome != string(w.outcome) {
					t.Errorf("op %d: got %s %s, %v; want %s %s", i, acks[i].Status, acks[i].Outcome, errs[i], w.status, w.outcome)
				}
			}
			if acks[0].OpID != first.ID || string(acks[1].Result) != string(acks[0].Result) {
				t.Errorf("duplicate answers %s %s, first %s %s", acks[1].OpID, acks[1].Result, acks[0].OpID, acks[0].Result)
			}
			if got := e.count("operations", "1 = 1"); got != 4 {
				t.Errorf("operations rows = %d, want 4", got)
			}
			if got := e.count("audit_log", "1 = 1"); got != 4 {
				t.Errorf("audit records = %d, want 4", got)
			}
			if got := e.count("notifications", "1 = 1"); got != 2 {
				t.Errorf("notifications = %d, want 2", got)
			}
			e.verifyAudit()
		})
	}
}

// failingAuditor fails the operation with one op id, as a broken disk or
// a lost connection would.
type failingAuditor struct {
	fail string
}

var errBoom = errors.New("boom")

func (a failingAuditor) Append(ctx context.Context, tx store.Querier, r audit.Record) error {
	if r.OpID == a.fail {
		return errBoom
	}
	return nil
}

// TestBatchInfrastructureError checks that an operation failing on its own
// gets the error and writes nothing, while the rest of its batch applies.
func TestBatchInfrastructureError(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			a, b, c := e.seed(rules.NotActive, false, false), e.seed(rules.NotActive, false, false), e.seed(rules.NotActive, false, false)
			envs := []wire.Envelope{e.activation(a), e.activation(b), e.activation(c)}
			eng := cms.New(e.db, e.v, cms.Options{RequireSession: true, Now: func() time.Time { return now }, Auditor: failingAuditor{fail: envs[1].ID}},
				storetest.Logger(t))
			acks, errs := cms.ApplyBatch(eng, context.Background(), envs)
			for i, want := range []error{nil, errBoom, nil} {
				if !errors.Is(errs[i], want) || (want == nil && errs[i] != nil) {
					t.Errorf("op %d: err = %v, want %v", i, errs[i], want)
				}
				if want == nil && acks[i].Outcome != string(outcome.Applied) {
					t.Errorf("op %d: outcome %s, want applied", i, acks[i].Outcome)
				}
			}
			if got := e.state(b.team); got != rules.NotActive {
				t.Errorf("failed op's card is %s, want not_active", got)
			}
			if got := e.count("operations", "op_id = $1", envs[1].ID); got != 0 {
				t.Errorf("failed op left %d operations rows", got)
			}
			if e.state(a.team) != rules.Active || e.state(c.team) != rules.Active {
				t.Errorf("the other cards are %s and %s, want active", e.state(a.team), e.state(c.team))
			}
		})
	}
}

// TestConcurrentApply sends many operations at once through Apply, several
// for the same card and some replayed, so that they are grouped.
func TestConcurrentApply(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			const cards, perCard = 8, 3
			var envs []wire.Envelope
			for range cards {
				f := e.seed(rules.NotActive, false, false)
				for range perCard {
					envs = append(envs, e.activation(f))
				}
				envs = append(envs, envs[len(envs)-1]) // a replay
			}
			acks := make([]wire.Ack, len(envs))
			var wg sync.WaitGroup
			for i := range envs {
				wg.Go(func() {
					var err error
					if acks[i], err = e.eng.Apply(context.Background(), envs[i]); err != nil {
						t.Errorf("apply %d: %v", i, err)
					}
				})
			}
			wg.Wait()
			applied := map[string]int{}
			for i, a := range acks {
				if a.Status == wire.StatusApplied && a.Outcome == string(outcome.Applied) {
					applied[envs[i].ID]++
				}
			}
			if len(applied) != cards {
				t.Errorf("%d distinct activations applied, want one per card (%d): %v", len(applied), cards, applied)
			}
			if got := e.count("audit_log", "1 = 1"); got != cards*perCard {
				t.Errorf("audit records = %d, want %d", got, cards*perCard)
			}
			if got := e.count("cards", "state = 'active'"); got != cards {
				t.Errorf("active cards = %d, want %d", got, cards)
			}
			e.verifyAudit()
		})
	}
}

// TestBatchWithCommittedReplay applies a batch holding an operation
// committed before by another transaction, between two new ones: the
// replay answers duplicate and writes nothing, the others apply once.
func TestBatchWithCommittedReplay(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			a, b, c := e.seed(rules.NotActive, false, false), e.seed(rules.NotActive, false, false), e.seed(rules.NotActive, false, false)
			first := e.activation(b)
			_, err := e.eng.Apply(context.Background(), first)
			must(t, err)
			acks, errs := cms.ApplyBatch(e.eng, context.Background(), []wire.Envelope{e.activation(a), first, e.activation(c)})
			want := []wire.Status{wire.StatusApplied, wire.StatusDuplicate, wire.StatusApplied}
			for i, w := range want {
				if errs[i] != nil || acks[i].Status != w || acks[i].Outcome != string(outcome.Applied) {
					t.Errorf("op %d: got %s %s, %v; want %s applied", i, acks[i].Status, acks[i].Outcome, errs[i], w)
				}
			}
			for table, want := range map[string]int{"operations": 3, "audit_log": 3, "notifications": 3} {
				if got := e.count(table, "1 = 1"); got != want {
					t.Errorf("%s rows = %d, want %d", table, got, want)
				}
			}
			if got := e.count("cards", "state = 'active'"); got != 3 {
				t.Errorf("active cards = %d, want 3", got)
			}
			e.verifyAudit()
		})
	}
}
