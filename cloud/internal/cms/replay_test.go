package cms_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

func TestApplyIdempotent(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, d)
			f := e.seed(rules.NotActive, false, false)
			typ, body := act(func(a *wire.Activation) { a.Reader, a.FSE = paid, &consents })(e, f)
			en := e.envelope(typ, body)
			first, err := e.eng.Apply(ctx, en)
			must(t, err)
			second, err := e.eng.Apply(ctx, en)
			must(t, err)
			if first.Status != wire.StatusApplied || second.Status != wire.StatusDuplicate {
				t.Fatalf("statuses = %s, %s; want applied, duplicate", first.Status, second.Status)
			}
			if second.Outcome != first.Outcome || !bytes.Equal(second.Result, first.Result) {
				t.Errorf("duplicate answer %s %s, first %s %s", second.Outcome, second.Result, first.Outcome, first.Result)
			}
			for table, want := range map[string]int{"notifications": 1, "fse_requests": 1, "consents": 1, "operations": 1, "audit_log": 1} {
				if got := e.count(table, "op_id = $1", en.ID); got != want {
					t.Errorf("%s rows = %d, want %d", table, got, want)
				}
			}
			var readers int
			must(t, e.db.SQL().QueryRowContext(ctx, `SELECT reader_count FROM cards WHERE team = $1`, f.team).Scan(&readers))
			if readers != 1 {
				t.Errorf("reader_count = %d, want 1", readers)
			}
		})
	}
}

func TestConcurrentActivationsOfOneCard(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, d)
			f := e.seed(rules.NotActive, false, false)
			const n = 8
			envs := make([]wire.Envelope, n)
			for i := range envs {
				typ, body := act(nil)(e, f)
				envs[i] = e.envelope(typ, body)
			}
			got := make([]wire.Ack, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range envs {
				wg.Go(func() { got[i], errs[i] = e.eng.Apply(ctx, envs[i]) })
			}
			wg.Wait()
			counts := map[string]int{}
			for i := range got {
				must(t, errs[i])
				counts[got[i].Outcome]++
			}
			if counts[string(outcome.Applied)] != 1 || counts[string(outcome.CardAlreadyActive)] != n-1 {
				t.Errorf("outcomes = %v, want 1 applied and %d card_already_active", counts, n-1)
			}
			if got := e.count("notifications", "card_team = $1", f.team); got != 1 {
				t.Errorf("notifications = %d, want 1", got)
			}
		})
	}
}

func TestConcurrentReplaysOfOneOperation(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, d)
			f := e.seed(rules.Active, false, false)
			typ, body := reader(paid)(e, f)
			en := e.envelope(typ, body)
			const n = 6
			statuses := make([]wire.Status, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					ack, err := e.eng.Apply(ctx, en)
					if err != nil {
						t.Error(err)
					}
					statuses[i] = ack.Status
				})
			}
			wg.Wait()
			applied := 0
			for _, s := range statuses {
				if s == wire.StatusApplied {
					applied++
				}
			}
			var readers int
			must(t, e.db.SQL().QueryRowContext(ctx, `SELECT reader_count FROM cards WHERE team = $1`, f.team).Scan(&readers))
			if applied != 1 || readers != 1 {
				t.Errorf("applied %d times, reader_count %d; want 1 and 1 (statuses %v)", applied, readers, statuses)
			}
		})
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, d)
			f := e.seed(rules.NotActive, false, false)
			typ, body := act(nil)(e, f)
			good := e.envelope(typ, body)
			truncated := good
			truncated.Body = good.Body[:len(good.Body)/2]
			wrongType := good
			wrongType.Type = wire.TypeState
			unknownField := good
			unknownField.Body = append([]byte(`{"x":1,`), good.Body[1:]...)
			for name, en := range map[string]wire.Envelope{"truncated body": truncated, "not an operation": wrongType, "unknown field": unknownField} {
				ack, err := e.eng.Apply(ctx, en)
				must(t, err)
				if ack.Status != wire.StatusRejected || ack.Outcome != string(outcome.Malformed) {
					t.Errorf("%s: ack = %s %s, want rejected malformed", name, ack.Status, ack.Outcome)
				}
			}
			if got := e.count("operations", "1 = 1"); got != 0 {
				t.Errorf("operations recorded = %d, want 0", got)
			}
			if got := e.state(f.team); got != rules.NotActive {
				t.Errorf("card state = %s, want not_active", got)
			}
			if _, err := wire.Decode(dev, []byte(`{"v":1,"id":"01J`)); err == nil {
				t.Error("a truncated envelope decoded")
			}
		})
	}
}
