package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// Policy is the configuration the rules depend on.
type Policy struct {
	ReaderPriceCents int                 // price of a smart card reader; 420 by default
	ConsentPolicies  map[string][]string // consent codes by policy version (the known policies)
	ConsentVersion   string              // the version in force, offered to new consents
	// AcceptedConsentVersions are the known versions a consent may still be
	// given under (e.g. during a transition); nil: only ConsentVersion.
	AcceptedConsentVersions []string
}

// ConsentPolicy is one consent policy and whether it is accepted.
type ConsentPolicy struct {
	Version  string
	Consents []string // the consent codes it asks for
	InForce  bool     // the version offered to new consents
	Accepted bool     // a consent given under it is recorded
}

// accepted returns the versions accepted under p.
func (p Policy) accepted() []string {
	if p.AcceptedConsentVersions == nil {
		return []string{p.ConsentVersion}
	}
	return p.AcceptedConsentVersions
}

// Policies lists the known consent policies of p, by version, with
// which is in force and which are accepted (for the console).
func (p Policy) Policies() []ConsentPolicy {
	out := make([]ConsentPolicy, 0, len(p.ConsentPolicies))
	for v, cs := range p.ConsentPolicies {
		out = append(out, ConsentPolicy{Version: v, Consents: slices.Clone(cs), InForce: v == p.ConsentVersion,
			Accepted: slices.Contains(p.accepted(), v)})
	}
	slices.SortFunc(out, func(a, b ConsentPolicy) int { return strings.Compare(a.Version, b.Version) })
	return out
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
		ConsentVersion:          ConsentsFSE2015,
		AcceptedConsentVersions: []string{ConsentsFSE2015},
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
// force or of another accepted policy, and only consents of it.
func (p Policy) CheckConsents(c wire.Consents) (ok bool, detail string) {
	want := p.ConsentPolicies[c.Policy]
	if len(want) == 0 {
		return false, fmt.Sprintf("policy %q unknown, in force %q", c.Policy, p.ConsentVersion)
	}
	if !slices.Contains(p.accepted(), c.Policy) {
		return false, fmt.Sprintf("policy %q not accepted, in force %q", c.Policy, p.ConsentVersion)
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
