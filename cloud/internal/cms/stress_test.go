package cms_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
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

var stressRounds = flag.Int("stress.rounds", 2, "rounds of TestGroupCommitStress per configuration")

// stressWait bounds how long the stress test waits for all its calls: far
// above what they need, so that only a call that never returns trips it.
const stressWait = 2 * time.Minute

// dbFailAuditor is the database auditor, failing the operation with op id
// fail as a lost connection would. It is a BatchAuditor.
type dbFailAuditor struct {
	d    store.Dialect
	fail string
}

func (a dbFailAuditor) Append(ctx context.Context, tx store.Querier, r audit.Record) error {
	return a.AppendBatch(ctx, tx, []audit.Record{r})
}

func (a dbFailAuditor) AppendBatch(ctx context.Context, tx store.Querier, rs []audit.Record) error {
	for _, r := range rs {
		if r.OpID == a.fail {
			return errBoom
		}
	}
	return audit.AppendBatch(ctx, tx, a.d, rs)
}

// stressCall is one Apply of the stress test.
type stressCall struct {
	env    wire.Envelope
	cancel bool // sent with a context cancelled while the calls run
	ack    wire.Ack
	err    error
}

// stressPlan is the operations of one round and what they must leave.
type stressPlan struct {
	calls       []*stressCall
	activations map[string][2]string // card TEAM -> its two activation op ids
	readers     map[string]int       // active card TEAM -> reader requests (distinct ids)
	fail        wire.Envelope        // fails with errBoom
}

// plan builds a round: per card two activations (one is refused) and a
// replayed one; reader requests on active cards, replayed; one operation
// that fails on its own. Replays are sent at once, some with a context
// cancelled midway.
func (e *env) plan() *stressPlan {
	p := &stressPlan{activations: map[string][2]string{}, readers: map[string]int{}}
	add := func(en wire.Envelope, copies int) {
		for i := range copies {
			p.calls = append(p.calls, &stressCall{env: en, cancel: i == 2})
		}
	}
	for range 6 {
		f := e.seed(rules.NotActive, false, false)
		a, b := e.activation(f), e.activation(f)
		p.activations[f.team] = [2]string{a.ID, b.ID}
		add(a, 3)
		add(b, 1)
	}
	for range 3 {
		f := e.seed(rules.Active, false, false)
		for range 3 {
			_, body := reader(paid)(e, f)
			add(e.envelope(wire.OpReaderRequest, body), 2)
			p.readers[f.team]++
		}
	}
	p.fail = e.activation(e.seed(rules.NotActive, false, false))
	add(p.fail, 1)
	return p
}

// TestGroupCommitStress hammers Apply from many goroutines with small
// batches and several batches at once: every call must return, a first
// time operation is never answered duplicate, every effect is applied once
// and the batcher ends idle (no leader slot or request left behind).
func TestGroupCommitStress(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			for _, c := range []struct {
				maxBatch int
				failing  bool
			}{{2, false}, {3, true}, {4, false}} {
				t.Run(fmt.Sprintf("max=%d,failing=%v", c.maxBatch, c.failing), func(t *testing.T) {
					for range *stressRounds {
						e.stressRound(t, c.maxBatch, c.failing)
					}
				})
			}
		})
	}
}

func (e *env) stressRound(t *testing.T, maxBatch int, failing bool) {
	p := e.plan()
	opts := cms.Options{RequireSession: true, Now: func() time.Time { return now }, MaxBatch: maxBatch, Batches: 3}
	if failing {
		opts.Auditor = dbFailAuditor{d: e.db.Dialect(), fail: p.fail.ID}
	}
	eng := cms.New(e.db, e.v, opts, storetest.Logger(t))
	runStress(t, eng, p.calls)
	if !cms.Idle(eng) {
		t.Errorf("batcher not idle after all calls returned")
	}
	e.checkStress(t, p, failing)
}

// runStress starts all calls together and waits, bounded, for each.
func runStress(t *testing.T, eng *cms.Engine, calls []*stressCall) {
	t.Helper()
	start, done := make(chan struct{}), make(chan int, len(calls))
	cctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i, c := range calls {
		ctx := context.Background()
		if c.cancel {
			ctx = cctx
		}
		go func() {
			<-start
			c.ack, c.err = eng.Apply(ctx, c.env)
			done <- i
		}()
	}
	close(start)
	timeout := time.NewTimer(stressWait)
	defer timeout.Stop()
	returned := make([]bool, len(calls))
	for n := range calls {
		select {
		case i := <-done:
			returned[i] = true
		case <-timeout.C:
			var stuck []string
			for i, r := range returned {
				if !r {
					stuck = append(stuck, fmt.Sprintf("%d:%s", i, calls[i].env.ID))
				}
			}
			t.Fatalf("%d of %d calls returned; still blocked: %v", n, len(calls), stuck)
		}
		if n == len(calls)/2 {
			cancel() // midway: the cancellable calls are queued, batched or done
		}
	}
}

// checkStress checks the answers and the database after a round.
func (e *env) checkStress(t *testing.T, p *stressPlan, failing bool) {
	t.Helper()
	byID := map[string][]*stressCall{}
	var ids []string
	for _, c := range p.calls {
		if byID[c.env.ID] == nil {
			ids = append(ids, c.env.ID)
		}
		byID[c.env.ID] = append(byID[c.env.ID], c)
	}
	outcomes := map[string]string{}
	for _, id := range ids {
		if failing && id == p.fail.ID {
			if c := byID[id][0]; !errors.Is(c.err, errBoom) {
				t.Errorf("failing op %s: got %s, %v; want %v", id, c.ack.Status, c.err, errBoom)
			}
			continue
		}
		outcomes[id] = checkAnswers(t, id, byID[id])
		wantRows := 1
		if got := e.count("operations", "op_id = $1", id); got != wantRows {
			t.Errorf("op %s: %d operations rows, want %d", id, got, wantRows)
		}
		if got := e.count("audit_log", "op_id = $1", id); got != wantRows {
			t.Errorf("op %s: %d audit records, want %d", id, got, wantRows)
		}
	}
	for team, pair := range p.activations {
		got := []string{outcomes[pair[0]], outcomes[pair[1]]}
		slices.Sort(got)
		want := []string{string(outcome.Applied), string(outcome.CardAlreadyActive)}
		slices.Sort(want)
		if !slices.Equal(got, want) || e.state(team) != rules.Active {
			t.Errorf("card %s: activation outcomes %v, state %s; want %v, active", team, got, e.state(team), want)
		}
	}
	for team, n := range p.readers {
		if got := e.count("cards", "team = $1 AND reader_count = $2", team, n); got != 1 {
			t.Errorf("card %s: reader_count is not %d", team, n)
		}
	}
	if failing && e.count("operations", "op_id = $1", p.fail.ID) != 0 {
		t.Errorf("failed op %s left an operations row", p.fail.ID)
	}
	e.verifyAudit()
}

// checkAnswers checks the calls of one op id: exactly one answered applied,
// the others duplicate with the same outcome and result, or cancelled
// before their batch. It returns the outcome.
func checkAnswers(t *testing.T, id string, calls []*stressCall) string {
	t.Helper()
	var first *wire.Ack
	applied := 0
	for _, c := range calls {
		switch {
		case c.err != nil && c.cancel && errors.Is(c.err, context.Canceled):
			continue
		case c.err != nil:
			t.Errorf("op %s: %v", id, c.err)
			continue
		case c.ack.OpID != id:
			t.Errorf("op %s: answered for %s", id, c.ack.OpID)
		case c.ack.Status == wire.StatusApplied:
			applied++
		case c.ack.Status != wire.StatusDuplicate:
			t.Errorf("op %s: status %s", id, c.ack.Status)
		}
		if first == nil {
			first = &c.ack
		} else if c.ack.Outcome != first.Outcome || string(c.ack.Result) != string(first.Result) {
			t.Errorf("op %s: answers differ: %s %s / %s %s", id, c.ack.Outcome, c.ack.Result, first.Outcome, first.Result)
		}
	}
	if applied != 1 {
		t.Errorf("op %s: %d of %d calls answered applied, want exactly one", id, applied, len(calls))
	}
	if first == nil {
		return ""
	}
	return first.Outcome
}
