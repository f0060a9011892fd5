package operator_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/outcome"
)

func TestRegistryAndCheck(t *testing.T) {
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, d)
			reg := operator.NewRegistry(db, func() time.Time { return t0 })
			op := operator.Operator{CF: "MRNLCU00A01H501J", Name: "Luca Marini", Enabled: true,
				Menus: []string{"op.activation"}, Counters: []string{"k1"}}
			if err := reg.Upsert(ctx, op); err != nil {
				t.Fatal(err)
			}
			if _, err := reg.Get(ctx, "XXX"); !errors.Is(err, operator.ErrNotFound) {
				t.Errorf("Get unknown = %v, want ErrNotFound", err)
			}
			s, err := reg.CreateSession(ctx, operator.Session{OperatorCF: op.CF, Device: "k1"})
			if err != nil {
				t.Fatal(err)
			}
			base := operator.Query{OperatorCF: op.CF, Session: s.ID, Device: "k1", Counter: "k1",
				Menu: "op.activation", At: t0.Add(time.Minute), RequireSession: true}
			var qs []operator.Query
			var wants []outcome.Code
			for _, tc := range []struct {
				name string
				mut  func(*operator.Query)
				want outcome.Code
			}{
				{"ok", func(*operator.Query) {}, outcome.Applied},
				{"unknown operator", func(q *operator.Query) { q.OperatorCF = "RSSMRA70A01F205V" }, outcome.OperatorNotAuthorised},
				{"other counter", func(q *operator.Query) { q.Counter = "k2" }, outcome.OperatorNotAuthorised},
				{"other menu", func(q *operator.Query) { q.Menu = "op.revocation" }, outcome.OperatorNotAuthorised},
				{"other device", func(q *operator.Query) { q.Device = "k2" }, outcome.OperatorNotAuthorised},
				{"unknown session", func(q *operator.Query) { q.Session = "nope" }, outcome.OperatorNotAuthorised},
				{"expired session", func(q *operator.Query) { q.At = t0.Add(operator.DefaultSessionTTL) }, outcome.OperatorNotAuthorised},
				{"before session", func(q *operator.Query) { q.At = t0.Add(-time.Second) }, outcome.OperatorNotAuthorised},
				{"no session needed", func(q *operator.Query) { q.Session, q.RequireSession = "", false }, outcome.Applied},
			} {
				q := base
				tc.mut(&q)
				qs, wants = append(qs, q), append(wants, tc.want)
				got, detail, err := operator.Check(ctx, db.SQL(), q)
				if err != nil {
					t.Fatal(err)
				}
				if got != tc.want {
					t.Errorf("%s: Check = %s (%s), want %s", tc.name, got, detail, tc.want)
				}
			}
			// CheckAll, one statement for all the queries, agrees with Check.
			verdicts, err := operator.CheckAll(ctx, db.SQL(), qs)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range verdicts {
				if v.Code != wants[i] {
					t.Errorf("CheckAll[%d] = %s (%s), want %s", i, v.Code, v.Detail, wants[i])
				}
			}
			if err := reg.SetEnabled(ctx, op.CF, false); err != nil {
				t.Fatal(err)
			}
			if got, _, _ := operator.Check(ctx, db.SQL(), base); got != outcome.OperatorNotAuthorised {
				t.Errorf("disabled operator: Check = %s", got)
			}
		})
	}
}
