package cms_test

import (
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

func common(e *env) wire.Common { return wire.Common{Operator: e.operator()} }

func fse(c wire.Consents) func(e *env, f fixture) (wire.Type, any) {
	return func(e *env, f fixture) (wire.Type, any) {
		return wire.OpFSEConsent, wire.FSEConsent{Common: common(e), Card: f.ref(), Requester: holder, Consents: c}
	}
}

func reissue(counter string, r wire.ReissueReason, req wire.Requester) func(e *env, f fixture) (wire.Type, any) {
	return func(e *env, f fixture) (wire.Type, any) {
		c := common(e)
		c.Counter = counter
		if counter == reissueAt {
			c.Operator.Session = e.desk
		}
		return wire.OpReissue, wire.Reissue{Common: c, Card: f.ref(), Requester: req, Document: doc, Reason: r, Notify: &email}
	}
}

func reprint(req wire.Requester) func(e *env, f fixture) (wire.Type, any) {
	return func(e *env, f fixture) (wire.Type, any) {
		return wire.OpPinReprint, wire.PinReprint{Common: common(e), Card: f.ref(), Requester: req, Document: doc, Delivery: sms}
	}
}

func revoke(team func(f fixture) string) func(e *env, f fixture) (wire.Type, any) {
	return func(e *env, f fixture) (wire.Type, any) {
		return wire.OpRevocation, wire.Revocation{Common: common(e), TEAM: team(f), Requester: delegate, Document: doc}
	}
}

func reader(p *wire.Payment) func(e *env, f fixture) (wire.Type, any) {
	return func(e *env, f fixture) (wire.Type, any) {
		return wire.OpReaderRequest, wire.ReaderRequest{Common: common(e), Card: f.ref(), Requester: holder, Payment: p}
	}
}

func ownTEAM(f fixture) string { return f.team }

func otherCases() []applyCase {
	return []applyCase{
		{"fse consents", active, fse(consents), outcome.Applied, "", map[string]int{"fse_requests": 1, "consents": 1}},
		{"fse post-2020 policy refused", active, fse(wire.Consents{Policy: "fse-2020", Given: []string{"consultazione"}}), outcome.ConsentsIncomplete, "", noRows},
		{"fse on card not active", notActive, fse(consents), outcome.CardNotActive, "", noRows},
		{"fse on revoked card", seedSpec{state: rules.Revoked}, fse(consents), outcome.CardRevoked, "", noRows},
		{"suspension", active, func(e *env, f fixture) (wire.Type, any) {
			return wire.OpSuspension, wire.Suspension{Common: common(e), Card: f.ref()}
		}, outcome.SuspensionNotAllowed, "", noRows},
		{"reactivation", seedSpec{state: rules.Revoked}, func(e *env, f fixture) (wire.Type, any) {
			return wire.OpReactivation, wire.Reactivation{Common: common(e), Card: f.ref()}
		}, outcome.ReactivationNotAllowed, "", noRows},
		{"reissue theft revokes", active, reissue(reissueAt, wire.ReasonTheft, holder), outcome.Applied, rules.Revoked,
			map[string]int{"reissue_requests": 1, "notifications": 1}},
		{"reissue loss revokes", seedSpec{state: rules.Active, minor: true}, reissue(reissueAt, wire.ReasonLoss, parent), outcome.Applied, rules.Revoked, nil},
		{"reissue malfunction keeps card", active, reissue(reissueAt, wire.ReasonMalfunction, tutor), outcome.Applied, rules.Active,
			map[string]int{"reissue_requests": 1}},
		{"reissue at kiosk counter", active, reissue("", wire.ReasonTheft, holder), outcome.CounterNotEnabled, "", noRows},
		{"reissue by delegate", active, reissue(reissueAt, wire.ReasonTheft, delegate), outcome.RequesterNotAllowed, "", noRows},
		{"reprint", active, reprint(holder), outcome.Applied, "", map[string]int{"notifications": 1}},
		{"reprint delegated", active, reprint(delegate), outcome.Applied, "", nil},
		{"reprint not active", notActive, reprint(holder), outcome.CardNotActive, "", noRows},
		{"reprint expired", seedSpec{state: rules.Active, expired: true}, reprint(holder), outcome.CardExpired, "", noRows},
		{"revocation", active, revoke(ownTEAM), outcome.Applied, rules.Revoked, nil},
		{"revocation irreversible", seedSpec{state: rules.Revoked}, revoke(ownTEAM), outcome.CardRevoked, "", nil},
		{"revocation bad team", active, revoke(func(fixture) string { return badTEAM }), outcome.InvalidTEAM, "", nil},
		{"revocation unknown team", active, revoke(func(fixture) string { return otherTEAM }), outcome.CardNotFound, "", nil},
		{"reader paid", active, reader(paid), outcome.Applied, "", nil},
		{"reader unpaid", active, reader(nil), outcome.PaymentMissing, "", nil},
		{"reader underpaid", active, reader(&wire.Payment{Method: wire.PayReceipt, AmountCents: 400, Ref: "R1"}), outcome.PaymentMissing, "", nil},
		{"registry data wrong", notActive, func(e *env, f fixture) (wire.Type, any) {
			return wire.OpRegistryDataWrong, wire.RegistryDataWrong{Common: common(e), Card: f.ref(), Fields: []string{"surname"}}
		}, outcome.RegistryDataWrong, "", map[string]int{"registry_cases": 1, "notifications": 0}},
		{"abandoned", notActive, func(e *env, f fixture) (wire.Type, any) {
			r := f.ref()
			return wire.OpAbandoned, wire.Abandoned{Common: common(e), Procedure: wire.OpActivation, Step: "ID1", Card: &r, Reason: "id1_failed"}
		}, outcome.Abandoned, "", noRows},
	}
}
