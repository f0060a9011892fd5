package cms_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// auditRow is the part of an audit record the tests look at.
type auditRow struct{ device, counter, operator, card, action, outcome, opID, detail string }

func (e *env) audits(action string) []auditRow {
	e.t.Helper()
	rows, err := e.db.SQL().QueryContext(context.Background(), `SELECT device, counter, operator, card, action, outcome, op_id, detail
		FROM audit_log WHERE action = $1 ORDER BY part, seq`, action)
	must(e.t, err)
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var r auditRow
		must(e.t, rows.Scan(&r.device, &r.counter, &r.operator, &r.card, &r.action, &r.outcome, &r.opID, &r.detail))
		out = append(out, r)
	}
	must(e.t, rows.Err())
	return out
}

// TestCounterFromRegistry: the counter of an operation is the one the
// device is registered at, for the operator check of operations and rpcs;
// a body naming another counter is refused.
func TestCounterFromRegistry(t *testing.T) {
	const cup, kiosk, other = "careggi-cup-03", "kiosk-cup-03", "LNZMRA80A41H501X"
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, d)
			reg := operator.NewRegistry(e.db, func() time.Time { return now })
			must(t, reg.Upsert(ctx, operator.Operator{CF: other, Name: "Maria Lenzi", Enabled: true,
				Menus: []string{operator.All}, Counters: []string{cup}}))
			registerDevice(t, e.db, kiosk, cup)
			s, err := reg.CreateSession(ctx, operator.Session{OperatorCF: other, Device: kiosk, IssuedAt: now.Add(-time.Hour)})
			must(t, err)
			o := wire.Operator{CF: other, Session: s.ID}
			f := e.seed(rules.NotActive, false, false)
			if _, code, err := e.eng.LookupCard(ctx, kiosk, wire.CardLookupParams{Operator: o, Card: f.ref()}); err != nil || code != outcome.Applied {
				t.Errorf("LookupCard at the registered counter = %s, %v; want applied", code, err)
			}
			for _, tc := range []struct {
				name, counter string
				want          outcome.Code
			}{
				{"other counter named", reissueAt, outcome.CounterMismatch},
				{"own counter named", cup, outcome.Applied},
			} {
				a := wire.Activation{Common: wire.Common{Operator: o, Counter: tc.counter}, Card: f.ref(),
					Requester: holder, Document: doc, Delivery: email}
				en, err := wire.New(kiosk, e.seq.Add(1), wire.OpActivation, now.Add(-time.Minute), a)
				must(t, err)
				ack, err := e.eng.Apply(ctx, en)
				must(t, err)
				if ack.Outcome != string(tc.want) {
					t.Errorf("%s: outcome = %s, want %s", tc.name, ack.Outcome, tc.want)
				}
			}
			recs := e.audits(string(wire.OpActivation))
			if len(recs) != 2 || !strings.Contains(recs[0].detail, "not the device's counter") || recs[1].counter != cup {
				t.Errorf("audit = %+v", recs)
			}
		})
	}
}

// TestRPCAudited: card lookups and PIN/PUK first-half releases, refusals
// included, leave an audit record without the halves.
func TestRPCAudited(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, d)
			f := e.seed(rules.NotActive, false, false)
			_, _, err := e.eng.LookupCard(ctx, dev, wire.CardLookupParams{Operator: e.operator(), Card: f.ref()})
			must(t, err)
			p := wire.PinHalvesParams{Operator: e.operator(), Card: f.ref(), Purpose: wire.OpActivation}
			got, _, err := e.eng.PinHalves(ctx, dev, p)
			must(t, err)
			p.Purpose = wire.OpPinReprint
			_, _, err = e.eng.PinHalves(ctx, dev, p)
			must(t, err)
			if l := e.audits(cms.ActionCardLookup); len(l) != 1 || l[0].card != f.team || l[0].operator != opCF || l[0].outcome != "applied" {
				t.Errorf("lookup audit = %+v", l)
			}
			ph := e.audits(cms.ActionPinHalves)
			want := []string{"applied purpose op.activation", "card_not_active purpose op.pin_reprint"}
			if len(ph) != 2 {
				t.Fatalf("pin halves audit = %+v", ph)
			}
			for i, r := range ph {
				if g := r.outcome + " " + r.detail; g != want[i] || r.counter != dev || r.card != f.team {
					t.Errorf("record %d = %+v, want %q", i, r, want[i])
				}
				if strings.Contains(r.detail, got.PinFirst) || strings.Contains(r.detail, got.PukFirst) {
					t.Errorf("record %d holds a secret half", i)
				}
			}
		})
	}
}

// TestRejectAudited: a malformed operation leaves an audit record.
func TestRejectAudited(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			en := wire.Envelope{V: 1, ID: "01KFARJJERV16Y4GCA0SK0AKAY", Dev: dev, Seq: 1, Type: wire.OpActivation,
				At: now, Body: json.RawMessage(`{"card":"not an object"}`)}
			ack, err := e.eng.Apply(context.Background(), en)
			must(t, err)
			if ack.Status != wire.StatusRejected || ack.Outcome != string(outcome.Malformed) {
				t.Errorf("ack = %+v", ack)
			}
			recs := e.audits(string(wire.OpActivation))
			if len(recs) != 1 || recs[0].device != dev || recs[0].opID != en.ID || recs[0].outcome != "malformed" || recs[0].detail == "" {
				t.Errorf("audit = %+v", recs)
			}
		})
	}
}

// TestOldOperation: an operation older than MaxOperationAge is decided as
// of the cloud clock, and the audit detail says so.
func TestOldOperation(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			f := e.seed(rules.NotActive, false, true) // expired 9 days ago
			typ, body := act(nil)(e, f)
			en, err := wire.New(dev, e.seq.Add(1), typ, now.Add(-49*24*time.Hour), body)
			must(t, err)
			ack, err := e.eng.Apply(context.Background(), en)
			must(t, err)
			if ack.Outcome != string(outcome.CardExpired) {
				t.Errorf("outcome = %s, want card_expired (decided as of now)", ack.Outcome)
			}
			recs := e.audits(string(wire.OpActivation))
			if len(recs) != 1 || !strings.Contains(recs[0].detail, "decided as of the cloud clock") {
				t.Errorf("audit = %+v", recs)
			}
		})
	}
}

// TestIDReusedByAnotherDevice: a replay of an op id from another device
// is rejected without the first result; from the same device, duplicate.
func TestIDReusedByAnotherDevice(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, d)
			typ, body := act(nil)(e, e.seed(rules.NotActive, false, false))
			en := e.envelope(typ, body)
			_, err := e.eng.Apply(ctx, en)
			must(t, err)
			again, err := e.eng.Apply(ctx, en)
			must(t, err)
			if again.Status != wire.StatusDuplicate || len(again.Result) == 0 {
				t.Errorf("same device replay = %+v, want duplicate with result", again)
			}
			en.Dev = devDesk
			other, err := e.eng.Apply(ctx, en)
			must(t, err)
			if other.Status != wire.StatusRejected || other.Outcome != string(outcome.Malformed) || other.Result != nil {
				t.Errorf("other device replay = %+v, want rejected malformed without result", other)
			}
			var reused int
			for _, r := range e.audits(string(wire.OpActivation)) {
				if r.device == devDesk && r.detail == cms.ReasonIDReused && r.opID == en.ID {
					reused++
				}
			}
			if reused != 1 {
				t.Errorf("%d audit records of the reuse, want 1", reused)
			}
		})
	}
}
