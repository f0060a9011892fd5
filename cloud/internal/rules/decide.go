package rules

import (
	"fmt"
	"slices"
	"time"

	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// Policy is the configuration the rules depend on.
type Policy struct {
	ReaderPriceCents int                 // price of a smart card reader; 420 by default
	ConsentPolicies  map[string][]string // consent codes by policy version
	ConsentVersion   string              // the version in force; only it is accepted
}

// Consent policy versions.
const (
	ConsentsFSE2015 = "fse-2015" // the seed's three consents (national model before DL 34/2020)
	ConsentsFSE2020 = "fse-2020" // after DL 34/2020: consultation only
)

// DefaultPolicy is EUR 4.20 for a reader and the seed's three consents.
func DefaultPolicy() Policy {
	return Policy{
		ReaderPriceCents: 420,
		ConsentPolicies: map[string][]string{
			ConsentsFSE2015: {"alimentazione", "pregressi", "consultazione"},
			ConsentsFSE2020: {"consultazione"},
		},
		ConsentVersion: ConsentsFSE2015,
	}
}

// Input is what the engine found for one operation.
type Input struct {
	Now      time.Time
	Body     any          // a decoded operation body, e.g. wire.Activation
	Card     *Card        // the card with the TEAM named by the operation; nil if none
	CFKnown  bool         // some card holds the codice fiscale named by the operation
	Counter  Counter      // the counter the operation was made at
	Operator outcome.Code // result of the operator check: Applied when allowed
	Policy   Policy
}

// Decision is the outcome of one operation and the effects to apply.
type Decision struct {
	Code    outcome.Code
	Detail  string // for the log and the audit record; never a secret
	Effects Effects
}

// Effects are what the engine writes when the decision is taken. A
// refusal has none, except a registry case (procedure 10).
type Effects struct {
	State        State          // new card state; "" = unchanged
	AddReaders   int            // reader counter increment
	Consents     *wire.Consents // consents to record
	FSERequest   bool           // request the creation of the FSE
	Notify       *Notification  // message to send after commit
	Reissue      *wire.Reissue  // reissue request to record
	RegistryCase *wire.RegistryDataWrong
	// ReplaceOld: on activation, cards of the same holder with an open
	// malfunction reissue request become replaced by this one.
	ReplaceOld bool
}

// Notification kinds.
const (
	NotifySecondHalves  = "second_halves"
	NotifyReissueNotice = "reissue_notice"
)

// Notification is a message the notifier sends; it names no secret.
type Notification struct {
	Kind     string
	Delivery wire.Delivery
}

func refuse(c outcome.Code, format string, a ...any) Decision {
	return Decision{Code: c, Detail: fmt.Sprintf(format, a...)}
}

func apply(detail string, e Effects) Decision {
	return Decision{Code: outcome.Applied, Detail: detail, Effects: e}
}

// Decide applies the rules of one procedure.
func Decide(in Input) Decision {
	switch b := in.Body.(type) {
	case wire.Activation:
		return decideActivation(in, b)
	case wire.FSEConsent:
		return decideFSE(in, b)
	case wire.Suspension:
		return refuse(outcome.SuspensionNotAllowed, "suspension requested")
	case wire.Reactivation:
		return refuse(outcome.ReactivationNotAllowed, "reactivation requested")
	case wire.Reissue:
		return decideReissue(in, b)
	case wire.PinReprint:
		return decideReprint(in, b)
	case wire.Revocation:
		return decideRevocation(in, b)
	case wire.ReaderRequest:
		return decideReader(in, b)
	case wire.RegistryDataWrong:
		return decideRegistry(in, b)
	case wire.Abandoned:
		return refuse(outcome.Abandoned, "procedure %s left at step %q: %s", b.Procedure, b.Step, b.Reason)
	}
	return refuse(outcome.Malformed, "body of type %T is not an operation", in.Body)
}

// CheckConsents reports whether c gives every consent of the policy in
// force, and only consents of it.
func (p Policy) CheckConsents(c wire.Consents) (ok bool, detail string) {
	if c.Policy != p.ConsentVersion {
		return false, fmt.Sprintf("policy %q, in force %q", c.Policy, p.ConsentVersion)
	}
	want := p.ConsentPolicies[p.ConsentVersion]
	if len(want) == 0 {
		return false, fmt.Sprintf("policy %q not configured", c.Policy)
	}
	for _, g := range c.Given {
		if !slices.Contains(want, g) {
			return false, fmt.Sprintf("consent %q not in policy %q", g, c.Policy)
		}
	}
	for _, w := range want {
		if !slices.Contains(c.Given, w) {
			return false, fmt.Sprintf("consent %q missing", w)
		}
	}
	return true, ""
}
