package cms_test

import (
	"context"
	"testing"

	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

func TestLookupAndPinHalves(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, d)
			minor := e.seed(rules.NotActive, true, false)
			res, code, err := e.eng.LookupCard(ctx, dev, wire.CardLookupParams{Operator: e.operator(), Card: minor.ref()})
			must(t, err)
			if code != outcome.Applied || res.Surname != "ROSSI" || !res.Minor || res.State != "not_active" {
				t.Errorf("LookupCard = %s %+v", code, res)
			}
			wrong := minor.ref()
			wrong.Expiry = pastExp
			if _, code, _ := e.eng.LookupCard(ctx, dev, wire.CardLookupParams{Operator: e.operator(), Card: wrong}); code != outcome.CardDataMismatch {
				t.Errorf("LookupCard with a wrong expiry = %s, want card_data_mismatch", code)
			}
			for _, tc := range []struct {
				name    string
				dev     string
				purpose wire.Type
				want    outcome.Code
				pin     string
			}{
				{"activation", dev, wire.OpActivation, outcome.Applied, "1234"},
				{"reprint of a card not active", dev, wire.OpPinReprint, outcome.CardNotActive, ""},
				{"other device", "kiosk-99", wire.OpActivation, outcome.OperatorNotAuthorised, ""},
				{"bad purpose", dev, wire.OpRevocation, outcome.Malformed, ""},
			} {
				got, code, err := e.eng.PinHalves(ctx, tc.dev, wire.PinHalvesParams{Operator: e.operator(), Card: minor.ref(), Purpose: tc.purpose})
				must(t, err)
				if code != tc.want || got.PinFirst != tc.pin {
					t.Errorf("%s: PinHalves = %s, pin first %q; want %s, %q", tc.name, code, got.PinFirst, tc.want, tc.pin)
				}
				if tc.want == outcome.Applied && got.PukFirst != "8765" {
					t.Errorf("%s: puk first = %q, want 8765", tc.name, got.PukFirst)
				}
			}
		})
	}
}

func TestMalfunctionReplacement(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, d)
			old := e.seed(rules.Active, false, false)
			typ, body := reissue(reissueAt, wire.ReasonMalfunction, holder)(e, old)
			ack, err := e.eng.Apply(ctx, e.envelope(typ, body))
			must(t, err)
			if ack.Outcome != string(outcome.Applied) || e.state(old.team) != rules.Active {
				t.Fatalf("reissue: %s, old card %s", ack.Outcome, e.state(old.team))
			}
			repl := fixture{team: completeTEAM("8038000090888888888"), cf: old.cf, exp: validExp}
			e.insertCard(repl, rules.NotActive, "1970-01-01")
			typ, body = act(nil)(e, repl)
			ack, err = e.eng.Apply(ctx, e.envelope(typ, body))
			must(t, err)
			if ack.Outcome != string(outcome.Applied) {
				t.Fatalf("activation of the replacement: %s", ack.Outcome)
			}
			if got := e.state(old.team); got != rules.Replaced {
				t.Errorf("old card = %s, want replaced", got)
			}
			if got := e.count("reissue_requests", "card_team = $1 AND status = 'done' AND new_team = $2", old.team, repl.team); got != 1 {
				t.Errorf("closed reissue requests = %d, want 1", got)
			}
			typ, body = reprint(holder)(e, old)
			ack, err = e.eng.Apply(ctx, e.envelope(typ, body))
			must(t, err)
			if ack.Outcome != string(outcome.CardReplaced) {
				t.Errorf("reprint of the replaced card = %s, want card_replaced", ack.Outcome)
			}
		})
	}
}
