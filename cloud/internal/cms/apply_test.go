package cms_test

import (
	"context"
	"testing"

	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

var (
	doc       = wire.Document{Kind: "carta_identita", Number: "CA12345AA", Issuer: "Comune di Firenze", Expires: wire.NewDate(2030, 1, 1)}
	email     = wire.Delivery{Channel: wire.DeliveryEmail, Address: "maria.rossi@example.it"}
	sms       = wire.Delivery{Channel: wire.DeliverySMS, Address: "+39 333 123 4567"}
	holder    = wire.Requester{Role: wire.RoleHolder}
	other     = &wire.Person{Surname: "BIANCHI", Name: "LAURA", CF: "RSSMRA80A01H501U"}
	delegate  = wire.Requester{Role: wire.RoleDelegate, Person: other}
	parent    = wire.Requester{Role: wire.RoleParent, Person: other}
	tutor     = wire.Requester{Role: wire.RoleTutor, Person: other}
	curator   = wire.Requester{Role: wire.RoleCurator, Person: other}
	paid      = &wire.Payment{Method: wire.PayCoin, AmountCents: 420}
	consents  = wire.Consents{Policy: "fse-2015", Given: []string{"alimentazione", "pregressi", "consultazione"}}
	badTEAM   = "80380000900090510554"
	otherTEAM = completeTEAM("8038000090999999999")
)

// seedSpec says which card a case starts with.
type seedSpec struct {
	state          rules.State // "" = no card
	minor, expired bool
}

type applyCase struct {
	name      string
	seed      seedSpec
	op        func(e *env, f fixture) (wire.Type, any)
	want      outcome.Code
	wantState rules.State    // card state after; "" = as seeded
	wantRows  map[string]int // rows written with the operation's id
}

func act(mut func(*wire.Activation)) func(e *env, f fixture) (wire.Type, any) {
	return func(e *env, f fixture) (wire.Type, any) {
		a := wire.Activation{Common: wire.Common{Operator: e.operator()}, Card: f.ref(), Requester: holder,
			Document: doc, Delivery: email}
		if mut != nil {
			mut(&a)
		}
		return wire.OpActivation, a
	}
}

var (
	notActive = seedSpec{state: rules.NotActive}
	active    = seedSpec{state: rules.Active}
	noRows    = map[string]int{"notifications": 0, "fse_requests": 0, "consents": 0, "reissue_requests": 0, "registry_cases": 0}
)

func activationCases() []applyCase {
	return []applyCase{
		{"activation direct", notActive, act(nil), outcome.Applied, rules.Active,
			map[string]int{"notifications": 1, "fse_requests": 0}},
		{"activation delegated", notActive, act(func(a *wire.Activation) { a.Requester = delegate }), outcome.Applied, rules.Active, nil},
		{"activation by sms", notActive, act(func(a *wire.Activation) { a.Delivery = sms }), outcome.Applied, rules.Active, nil},
		{"activation with reader and fse", notActive, act(func(a *wire.Activation) { a.Reader, a.FSE = paid, &consents }),
			outcome.Applied, rules.Active, map[string]int{"notifications": 1, "fse_requests": 1, "consents": 1}},
		{"activation parent of minor", seedSpec{state: rules.NotActive, minor: true},
			act(func(a *wire.Activation) { a.Requester, a.Declaration = parent, true }), outcome.Applied, rules.Active, nil},
		{"activation tutor", notActive, act(func(a *wire.Activation) { a.Requester, a.Declaration = tutor, true }), outcome.Applied, rules.Active, nil},
		{"activation curator", notActive, act(func(a *wire.Activation) { a.Requester, a.Declaration = curator, true }), outcome.Applied, rules.Active, nil},
		{"activation parent of adult", notActive, act(func(a *wire.Activation) { a.Requester, a.Declaration = parent, true }), outcome.HolderNotMinor, "", noRows},
		{"activation without declaration", seedSpec{state: rules.NotActive, minor: true},
			act(func(a *wire.Activation) { a.Requester = parent }), outcome.DeclarationMissing, "", noRows},
		{"activation twice", active, act(nil), outcome.CardAlreadyActive, "", noRows},
		{"activation revoked", seedSpec{state: rules.Revoked}, act(nil), outcome.CardRevoked, "", noRows},
		{"activation replaced", seedSpec{state: rules.Replaced}, act(nil), outcome.CardReplaced, "", noRows},
		{"activation expired", seedSpec{state: rules.NotActive, expired: true}, act(nil), outcome.CardExpired, "", noRows},
		{"activation invalid cf", notActive, act(func(a *wire.Activation) { a.Card.CF = "RSSMRA70A01F205X" }), outcome.InvalidCF, "", noRows},
		{"activation invalid team", notActive, act(func(a *wire.Activation) { a.Card.TEAM = badTEAM }), outcome.InvalidTEAM, "", noRows},
		{"activation invalid expiry", notActive, act(func(a *wire.Activation) { a.Card.Expiry = wire.NewDate(1999, 1, 1) }), outcome.InvalidExpiry, "", noRows},
		{"activation unknown card", seedSpec{}, act(func(a *wire.Activation) {
			a.Card = wire.CardRef{TEAM: otherTEAM, CF: "RSSMRA80A01H501U", Expiry: validExp}
		}), outcome.CardNotFound, "", noRows},
		{"activation team of another cf", notActive, act(func(a *wire.Activation) { a.Card.CF = "RSSMRA80A01H501U" }), outcome.CardDataMismatch, "", noRows},
		{"activation cf of another team", notActive, act(func(a *wire.Activation) { a.Card.TEAM = otherTEAM }), outcome.CardDataMismatch, "", noRows},
		{"activation wrong expiry", notActive, act(func(a *wire.Activation) { a.Card.Expiry = wire.NewDate(2030, 2, 28) }), outcome.CardDataMismatch, "", noRows},
		{"activation delegate invalid cf", notActive, act(func(a *wire.Activation) {
			a.Requester = wire.Requester{Role: wire.RoleDelegate, Person: &wire.Person{Surname: "X", Name: "Y", CF: "XXXXXX00A01H501A"}}
		}), outcome.InvalidCF, "", noRows},
		{"activation document expired", notActive, act(func(a *wire.Activation) { a.Document.Expires = wire.NewDate(2026, 3, 9) }), outcome.InvalidDocument, "", noRows},
		{"activation bad email", notActive, act(func(a *wire.Activation) { a.Delivery.Address = "maria.rossi@" }), outcome.InvalidContact, "", noRows},
		{"activation bad phone", notActive, act(func(a *wire.Activation) { a.Delivery = wire.Delivery{Channel: wire.DeliverySMS, Address: "055 123456"} }), outcome.InvalidContact, "", noRows},
		{"activation reader unpaid", notActive, act(func(a *wire.Activation) { a.Reader = &wire.Payment{Method: wire.PayPOS, AmountCents: 0} }), outcome.PaymentMissing, "", noRows},
		{"activation consents incomplete", notActive, act(func(a *wire.Activation) {
			a.FSE = &wire.Consents{Policy: "fse-2015", Given: []string{"consultazione"}}
		}), outcome.ConsentsIncomplete, "", noRows},
		{"activation operator unknown", notActive, act(func(a *wire.Activation) { a.Operator.CF = "RSSMRA80A01H501U" }), outcome.OperatorNotAuthorised, "", noRows},
		{"activation operator no session", notActive, act(func(a *wire.Activation) { a.Operator.Session = "" }), outcome.OperatorNotAuthorised, "", noRows},
	}
}

func TestApplyEveryRule(t *testing.T) {
	cases := append(activationCases(), otherCases()...)
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) { runApplyCase(t, e, tc) })
			}
		})
	}
}

func runApplyCase(t *testing.T, e *env, tc applyCase) {
	ctx := context.Background()
	var f fixture
	if tc.seed.state != "" {
		f = e.seed(tc.seed.state, tc.seed.minor, tc.seed.expired)
	}
	typ, body := tc.op(e, f)
	en := e.envelope(typ, body)
	ack, err := e.eng.Apply(ctx, en)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if got := outcome.Code(ack.Outcome); got != tc.want {
		t.Fatalf("outcome = %s, want %s", got, tc.want)
	}
	if ack.Status != wire.StatusApplied || ack.Message != tc.want.Message() || ack.OpID != en.ID {
		t.Errorf("ack = %+v", ack)
	}
	if tc.seed.state != "" {
		want := tc.wantState
		if want == "" {
			want = tc.seed.state
		}
		if got := e.state(f.team); got != want {
			t.Errorf("card state = %s, want %s", got, want)
		}
	}
	for table, want := range tc.wantRows {
		if got := e.count(table, "op_id = $1", en.ID); got != want {
			t.Errorf("%s rows = %d, want %d", table, got, want)
		}
	}
	if got := e.count("audit_log", "op_id = $1 AND outcome = $2", en.ID, ack.Outcome); got != 1 {
		t.Errorf("audit records = %d, want 1", got)
	}
	if got := e.count("operations", "op_id = $1 AND outcome = $2", en.ID, ack.Outcome); got != 1 {
		t.Errorf("operations rows = %d, want 1", got)
	}
}
