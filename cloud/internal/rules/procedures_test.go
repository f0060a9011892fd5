package rules_test

import (
	"testing"

	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

var holder = wire.Requester{Role: wire.RoleHolder}

func atCounter(in rules.Input, caps ...rules.Capability) rules.Input {
	in.Counter.Capabilities = caps
	return in
}

func TestDecideOtherProcedures(t *testing.T) {
	consents := wire.Consents{Policy: "fse-2015", Given: []string{"alimentazione", "pregressi", "consultazione"}}
	paid := &wire.Payment{Method: wire.PayReceipt, AmountCents: 420, Ref: "R1"}
	reissue := func(r wire.ReissueReason, req wire.Requester) wire.Reissue {
		return wire.Reissue{Card: ref(adultCF), Requester: req, Document: doc, Reason: r, Notify: &mail}
	}
	delegate := wire.Requester{Role: wire.RoleDelegate, Person: parent}
	for _, tc := range []struct {
		name      string
		in        rules.Input
		want      outcome.Code
		wantState rules.State
	}{
		{"fse", input(wire.FSEConsent{Card: ref(adultCF), Requester: holder, Consents: consents}, card(adultCF, rules.Active)), outcome.Applied, ""},
		{"fse not active", input(wire.FSEConsent{Card: ref(adultCF), Requester: holder, Consents: consents}, card(adultCF, rules.NotActive)), outcome.CardNotActive, ""},
		{"fse incomplete", input(wire.FSEConsent{Card: ref(adultCF), Requester: holder, Consents: wire.Consents{Policy: "fse-2015"}}, card(adultCF, rules.Active)), outcome.ConsentsIncomplete, ""},
		{"suspension", input(wire.Suspension{Card: ref(adultCF)}, card(adultCF, rules.Active)), outcome.SuspensionNotAllowed, ""},
		{"reactivation", input(wire.Reactivation{Card: ref(adultCF)}, card(adultCF, rules.Revoked)), outcome.ReactivationNotAllowed, ""},
		{"reissue theft", atCounter(input(reissue(wire.ReasonTheft, holder), card(adultCF, rules.Active)), rules.CapReissue), outcome.Applied, rules.Revoked},
		{"reissue loss", atCounter(input(reissue(wire.ReasonLoss, holder), card(adultCF, rules.Active)), rules.CapReissue), outcome.Applied, rules.Revoked},
		{"reissue malfunction", atCounter(input(reissue(wire.ReasonMalfunction, holder), card(adultCF, rules.Active)), rules.CapReissue), outcome.Applied, ""},
		{"reissue at plain counter", input(reissue(wire.ReasonTheft, holder), card(adultCF, rules.Active)), outcome.CounterNotEnabled, ""},
		{"reissue by delegate", atCounter(input(reissue(wire.ReasonLoss, delegate), card(adultCF, rules.Active)), rules.CapReissue), outcome.RequesterNotAllowed, ""},
		{"reissue revoked", atCounter(input(reissue(wire.ReasonLoss, holder), card(adultCF, rules.Revoked)), rules.CapReissue), outcome.CardRevoked, ""},
		{"reprint", input(wire.PinReprint{Card: ref(adultCF), Requester: delegate, Document: doc, Delivery: mail}, card(adultCF, rules.Active)), outcome.Applied, ""},
		{"reprint not active", input(wire.PinReprint{Card: ref(adultCF), Requester: holder, Document: doc, Delivery: mail}, card(adultCF, rules.NotActive)), outcome.CardNotActive, ""},
		{"reprint revoked", input(wire.PinReprint{Card: ref(adultCF), Requester: holder, Document: doc, Delivery: mail}, card(adultCF, rules.Revoked)), outcome.CardRevoked, ""},
		{"revocation", input(wire.Revocation{TEAM: team, Requester: holder, Document: doc}, card(adultCF, rules.Active)), outcome.Applied, rules.Revoked},
		{"revocation twice", input(wire.Revocation{TEAM: team, Requester: holder, Document: doc}, card(adultCF, rules.Revoked)), outcome.CardRevoked, ""},
		{"revocation bad team", input(wire.Revocation{TEAM: "80380000900090510554", Requester: holder, Document: doc}, nil), outcome.InvalidTEAM, ""},
		{"revocation unknown", input(wire.Revocation{TEAM: completeTEAM("8038000090000000001"), Requester: holder, Document: doc}, nil), outcome.CardNotFound, ""},
		{"reader", input(wire.ReaderRequest{Card: ref(adultCF), Requester: holder, Payment: paid}, card(adultCF, rules.Active)), outcome.Applied, ""},
		{"reader unpaid", input(wire.ReaderRequest{Card: ref(adultCF), Requester: holder}, card(adultCF, rules.Active)), outcome.PaymentMissing, ""},
		{"registry wrong", input(wire.RegistryDataWrong{Card: ref(adultCF), Fields: []string{"surname"}}, card(adultCF, rules.NotActive)), outcome.RegistryDataWrong, ""},
		{"registry unknown card", input(wire.RegistryDataWrong{Card: ref(adultCF)}, nil), outcome.CardNotFound, ""},
		{"abandoned", input(wire.Abandoned{Procedure: wire.OpActivation, Step: "ID1"}, nil), outcome.Abandoned, ""},
		{"not an operation", input(wire.Ack{}, nil), outcome.Malformed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := rules.Decide(tc.in)
			if got.Code != tc.want {
				t.Errorf("Decide = %s (%s), want %s", got.Code, got.Detail, tc.want)
			}
			if got.Effects.State != tc.wantState {
				t.Errorf("state effect = %q, want %q", got.Effects.State, tc.wantState)
			}
		})
	}
}
