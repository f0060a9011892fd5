package rules_test

import (
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

var (
	now     = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	adultCF = "RSSMRA70A01F205V"
	minorCF = completeCF("BNCLRA15D50H501")
	team    = "80380000900090510553"
	expiry  = wire.NewDate(2030, 1, 31)
	doc     = wire.Document{Kind: "carta_identita", Number: "CA12345AA", Expires: wire.NewDate(2030, 1, 1)}
	mail    = wire.Delivery{Channel: wire.DeliveryEmail, Address: "mario@example.it"}
	parent  = &wire.Person{Surname: "BIANCHI", Name: "LAURA", CF: "MRNLCU00A01H501J"}
)

func card(cf string, s rules.State) *rules.Card {
	return &rules.Card{TEAM: team, CF: cf, Expiry: expiry, State: s}
}

func ref(cf string) wire.CardRef { return wire.CardRef{CF: cf, TEAM: team, Expiry: expiry} }

func activation(mut func(*wire.Activation)) wire.Activation {
	a := wire.Activation{Card: ref(adultCF), Requester: wire.Requester{Role: wire.RoleHolder},
		Document: doc, Delivery: mail}
	if mut != nil {
		mut(&a)
	}
	return a
}

func input(body any, c *rules.Card) rules.Input {
	return rules.Input{Now: now, Body: body, Card: c, Operator: outcome.Applied,
		Counter: rules.Counter{ID: "k1"}, Policy: rules.DefaultPolicy()}
}

func TestDecideActivation(t *testing.T) {
	fse := &wire.Consents{Policy: "fse-2015", Given: []string{"alimentazione", "pregressi", "consultazione"}}
	for _, tc := range []struct {
		name string
		in   rules.Input
		want outcome.Code
	}{
		{"direct", input(activation(nil), card(adultCF, rules.NotActive)), outcome.Applied},
		{"operator refused", func() rules.Input {
			in := input(activation(nil), card(adultCF, rules.NotActive))
			in.Operator = outcome.OperatorNotAuthorised
			return in
		}(), outcome.OperatorNotAuthorised},
		{"bad cf", input(activation(func(a *wire.Activation) { a.Card.CF = "RSSMRA70A01F205X" }), nil), outcome.InvalidCF},
		{"bad team", input(activation(func(a *wire.Activation) { a.Card.TEAM = "80380000900090510554" }), nil), outcome.InvalidTEAM},
		{"bad expiry", input(activation(func(a *wire.Activation) { a.Card.Expiry = wire.NewDate(1990, 1, 1) }), nil), outcome.InvalidExpiry},
		{"expiry far ahead", input(activation(func(a *wire.Activation) { a.Card.Expiry = wire.NewDate(2099, 6, 22) }), nil), outcome.InvalidExpiry},
		{"expiry past the validity", input(activation(func(a *wire.Activation) { a.Card.Expiry = wire.NewDate(2032, 3, 11) }), nil), outcome.InvalidExpiry},
		{"expiry at the validity", input(activation(func(a *wire.Activation) { a.Card.Expiry = wire.NewDate(2032, 3, 10) }), nil), outcome.CardNotFound},
		{"expiry before 2000", input(activation(func(a *wire.Activation) { a.Card.Expiry = wire.NewDate(1999, 5, 7) }), nil), outcome.InvalidExpiry},
		{"expired, unknown card", input(activation(func(a *wire.Activation) { a.Card.Expiry = wire.NewDate(2026, 3, 9) }), nil), outcome.CardNotFound},
		{"not found", input(activation(nil), nil), outcome.CardNotFound},
		{"cf of another card", func() rules.Input { in := input(activation(nil), nil); in.CFKnown = true; return in }(), outcome.CardDataMismatch},
		{"cf differs", input(activation(nil), card("MRNLCU00A01H501J", rules.NotActive)), outcome.CardDataMismatch},
		{"expiry differs", input(activation(func(a *wire.Activation) { a.Card.Expiry = wire.NewDate(2030, 2, 1) }), card(adultCF, rules.NotActive)), outcome.CardDataMismatch},
		{"active", input(activation(nil), card(adultCF, rules.Active)), outcome.CardAlreadyActive},
		{"revoked", input(activation(nil), card(adultCF, rules.Revoked)), outcome.CardRevoked},
		{"replaced", input(activation(nil), card(adultCF, rules.Replaced)), outcome.CardReplaced},
		{"expired", func() rules.Input {
			a := activation(func(a *wire.Activation) { a.Card.Expiry = wire.NewDate(2026, 3, 9) })
			c := card(adultCF, rules.NotActive)
			c.Expiry = a.Card.Expiry
			return input(a, c)
		}(), outcome.CardExpired},
		{"delegate", input(activation(func(a *wire.Activation) {
			a.Requester = wire.Requester{Role: wire.RoleDelegate, Person: parent}
		}), card(adultCF, rules.NotActive)), outcome.Applied},
		{"delegate bad cf", input(activation(func(a *wire.Activation) {
			a.Requester = wire.Requester{Role: wire.RoleDelegate, Person: &wire.Person{Surname: "X", Name: "Y", CF: "XXXXXX00A01H501J"}}
		}), card(adultCF, rules.NotActive)), outcome.InvalidCF},
		{"parent of minor", input(activation(func(a *wire.Activation) {
			a.Card.CF, a.Declaration = minorCF, true
			a.Requester = wire.Requester{Role: wire.RoleParent, Person: parent}
		}), card(minorCF, rules.NotActive)), outcome.Applied},
		{"parent of adult", input(activation(func(a *wire.Activation) {
			a.Declaration = true
			a.Requester = wire.Requester{Role: wire.RoleParent, Person: parent}
		}), card(adultCF, rules.NotActive)), outcome.HolderNotMinor},
		{"parent without declaration", input(activation(func(a *wire.Activation) {
			a.Card.CF = minorCF
			a.Requester = wire.Requester{Role: wire.RoleParent, Person: parent}
		}), card(minorCF, rules.NotActive)), outcome.DeclarationMissing},
		{"tutor of adult", input(activation(func(a *wire.Activation) {
			a.Declaration = true
			a.Requester = wire.Requester{Role: wire.RoleTutor, Person: parent}
		}), card(adultCF, rules.NotActive)), outcome.Applied},
		{"curator without declaration", input(activation(func(a *wire.Activation) {
			a.Requester = wire.Requester{Role: wire.RoleCurator, Person: parent}
		}), card(adultCF, rules.NotActive)), outcome.DeclarationMissing},
		{"document expired", input(activation(func(a *wire.Activation) { a.Document.Expires = wire.NewDate(2026, 3, 9) }), card(adultCF, rules.NotActive)), outcome.InvalidDocument},
		{"document without expiry", input(activation(func(a *wire.Activation) { a.Document.Expires = wire.Date{} }), card(adultCF, rules.NotActive)), outcome.InvalidDocument},
		{"bad contact", input(activation(func(a *wire.Activation) { a.Delivery.Address = "mario@" }), card(adultCF, rules.NotActive)), outcome.InvalidContact},
		{"reader paid", input(activation(func(a *wire.Activation) { a.Reader = &wire.Payment{Method: wire.PayCoin, AmountCents: 420} }), card(adultCF, rules.NotActive)), outcome.Applied},
		{"reader underpaid", input(activation(func(a *wire.Activation) { a.Reader = &wire.Payment{Method: wire.PayCoin, AmountCents: 400} }), card(adultCF, rules.NotActive)), outcome.PaymentMissing},
		{"fse", input(activation(func(a *wire.Activation) { a.FSE = fse }), card(adultCF, rules.NotActive)), outcome.Applied},
		{"fse old policy", input(activation(func(a *wire.Activation) {
			a.FSE = &wire.Consents{Policy: "fse-2020", Given: []string{"consultazione"}}
		}), card(adultCF, rules.NotActive)), outcome.ConsentsIncomplete},
		{"fse missing consent", input(activation(func(a *wire.Activation) {
			a.FSE = &wire.Consents{Policy: "fse-2015", Given: []string{"alimentazione", "consultazione"}}
		}), card(adultCF, rules.NotActive)), outcome.ConsentsIncomplete},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := rules.Decide(tc.in)
			if got.Code != tc.want {
				t.Errorf("Decide = %s (%s), want %s", got.Code, got.Detail, tc.want)
			}
			if got.Code != outcome.Applied && (got.Effects != rules.Effects{}) {
				t.Errorf("refusal with effects %+v", got.Effects)
			}
		})
	}
}

func TestActivationEffects(t *testing.T) {
	a := activation(func(a *wire.Activation) {
		a.Reader = &wire.Payment{Method: wire.PayPOS, AmountCents: 420}
		a.FSE = &wire.Consents{Policy: "fse-2015", Given: []string{"consultazione", "pregressi", "alimentazione"}}
	})
	got := rules.Decide(input(a, card(adultCF, rules.NotActive))).Effects
	if got.State != rules.Active || got.AddReaders != 1 || !got.FSERequest || got.Consents == nil ||
		!got.ReplaceOld || got.Notify == nil || got.Notify.Kind != rules.NotifySecondHalves {
		t.Errorf("effects = %+v", got)
	}
}

func TestMinorOnBirthday(t *testing.T) {
	c := rules.Card{CF: adultCF, BirthDate: wire.NewDate(2008, 3, 10)}
	for _, tc := range []struct {
		day  wire.Date
		want bool
	}{
		{wire.NewDate(2026, 3, 9), true},
		{wire.NewDate(2026, 3, 10), false},
	} {
		if got := c.MinorOn(tc.day); got != tc.want {
			t.Errorf("MinorOn(%s) = %v, want %v", tc.day, got, tc.want)
		}
	}
}
