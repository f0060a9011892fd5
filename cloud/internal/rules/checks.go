package rules

import (
	"errors"
	"slices"

	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/team"
	"cnskiosk.dev/shared/wire"
)

// check is one rule: it returns "" when it passes, or the refusal.
type check func() (outcome.Code, string)

// firstFail runs checks in order and returns the first refusal.
func firstFail(cs ...check) (Decision, bool) {
	for _, c := range cs {
		if code, detail := c(); code != "" {
			return Decision{Code: code, Detail: detail}, true
		}
	}
	return Decision{}, false
}

func operatorOK(in Input) check {
	return func() (outcome.Code, string) {
		if in.Operator != outcome.Applied {
			return outcome.OperatorNotAuthorised, "operator check: " + string(in.Operator)
		}
		return "", ""
	}
}

// cardCodes checks the codes of a card reference on their own.
func cardCodes(in Input, ref wire.CardRef) check {
	return func() (outcome.Code, string) {
		if err := checkCF(ref.CF, in.Now); err != nil {
			return outcome.InvalidCF, "card: " + err.Error()
		}
		if err := checkTEAM(ref.TEAM); err != nil {
			return outcome.InvalidTEAM, err.Error()
		}
		// An expired card passes here: notExpired refuses it as
		// card_expired once the card is found.
		if err := team.CheckExpiry(ref.Expiry.Time(), Today(in.Now).Time()); err != nil && !errors.Is(err, team.ErrExpired) {
			return outcome.InvalidExpiry, err.Error()
		}
		return "", ""
	}
}

// found checks that CF, TEAM and expiry name one card of the CMS.
func found(in Input, ref wire.CardRef) check {
	return func() (outcome.Code, string) {
		if in.Card == nil {
			if in.CFKnown {
				return outcome.CardDataMismatch, "no card with this TEAM; the CF belongs to another card"
			}
			return outcome.CardNotFound, "no card with this TEAM or CF"
		}
		if in.Card.CF != NormCF(ref.CF) {
			return outcome.CardDataMismatch, "CF differs from the card's"
		}
		if in.Card.Expiry != ref.Expiry {
			return outcome.CardDataMismatch, "expiry differs from the card's"
		}
		return "", ""
	}
}

// foundTEAM is found for procedures that name the card by TEAM only.
func foundTEAM(in Input, team string) check {
	return func() (outcome.Code, string) {
		if err := checkTEAM(team); err != nil {
			return outcome.InvalidTEAM, err.Error()
		}
		if in.Card == nil {
			return outcome.CardNotFound, "no card with this TEAM"
		}
		return "", ""
	}
}

// inState refuses a card whose state is not one of ok.
func inState(in Input, ok ...State) check {
	return func() (outcome.Code, string) {
		s := in.Card.State
		if slices.Contains(ok, s) {
			return "", ""
		}
		switch s {
		case Revoked:
			return outcome.CardRevoked, "card revoked"
		case Replaced:
			return outcome.CardReplaced, "card replaced"
		case Active:
			return outcome.CardAlreadyActive, "card already active"
		}
		return outcome.CardNotActive, "card state " + string(s)
	}
}

func notExpired(in Input) check {
	return func() (outcome.Code, string) {
		if in.Card.Expired(Today(in.Now)) {
			return outcome.CardExpired, "card expired on " + in.Card.Expiry.String()
		}
		return "", ""
	}
}

// requester checks who asks: an allowed role, a valid CF for anyone but
// the holder, a minor holder for a parent, and the signed self-declaration
// of a parent, tutor or curator where the procedure prints one.
func requester(in Input, r wire.Requester, declared *bool, roles ...wire.Role) check {
	return func() (outcome.Code, string) {
		if !slices.Contains(roles, r.Role) {
			return outcome.RequesterNotAllowed, "role " + string(r.Role) + " not allowed"
		}
		if r.Role == wire.RoleHolder {
			return "", ""
		}
		if err := checkCF(r.Person.CF, in.Now); err != nil {
			return outcome.InvalidCF, string(r.Role) + ": " + err.Error()
		}
		if r.Role == wire.RoleParent && !in.Card.MinorOn(Today(in.Now)) {
			return outcome.HolderNotMinor, "holder is 18 or older"
		}
		if declared != nil && r.Role != wire.RoleDelegate && !*declared {
			return outcome.DeclarationMissing, "no self-declaration for role " + string(r.Role)
		}
		return "", ""
	}
}

func document(in Input, d wire.Document) check {
	return func() (outcome.Code, string) {
		today := Today(in.Now)
		switch {
		case d.Kind == "" || d.Number == "":
			return outcome.InvalidDocument, "document missing"
		case d.Expires.IsZero():
			return outcome.InvalidDocument, "document without expiry"
		case d.Expires.Before(today):
			return outcome.InvalidDocument, "document expired"
		case d.Issued.After(today):
			return outcome.InvalidDocument, "document issued in the future"
		}
		return "", ""
	}
}

func contact(d *wire.Delivery) check {
	return func() (outcome.Code, string) {
		if d == nil {
			return "", ""
		}
		if err := CheckContact(*d); err != nil {
			return outcome.InvalidContact, err.Error()
		}
		return "", ""
	}
}

func payment(in Input, p *wire.Payment, required bool) check {
	return func() (outcome.Code, string) {
		if p == nil {
			if required {
				return outcome.PaymentMissing, "no payment"
			}
			return "", ""
		}
		if p.AmountCents < in.Policy.ReaderPriceCents {
			return outcome.PaymentMissing, "payment below the reader price"
		}
		return "", ""
	}
}

func consents(in Input, c *wire.Consents) check {
	return func() (outcome.Code, string) {
		if c == nil {
			return "", ""
		}
		if ok, detail := in.Policy.CheckConsents(*c); !ok {
			return outcome.ConsentsIncomplete, detail
		}
		return "", ""
	}
}
