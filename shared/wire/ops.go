package wire

import (
	"errors"
	"fmt"
)

// Structural checks only: a body that passes Validate is well formed. Whether
// its codice fiscale is valid, its card exists or the rule allows it is for
// the cloud's rules to say, with an outcome code (invalid_cf, card_not_found,
// ...), not a malformed message.

// Field size limits for text that comes from people.
const (
	MaxName    = 80
	MaxText    = 500
	MaxAddress = 254
)

// CardRef names a card as the operator entered it (or the kiosk read it
// from the chip): codice fiscale, Codice TEAM and expiry date.
type CardRef struct {
	CF     string `json:"cf"`
	TEAM   string `json:"team"`
	Expiry Date   `json:"expiry"`
}

// Person is someone other than the holder: a delegate, parent, guardian or curator.
type Person struct {
	Surname string `json:"surname"`
	Name    string `json:"name"`
	CF      string `json:"cf"`
}

// Document is the identity document of the person present (DOC step).
type Document struct {
	Kind    string `json:"kind"` // "carta_identita", "passaporto", "patente", "permesso_soggiorno"
	Number  string `json:"number"`
	Issuer  string `json:"issuer"`
	Issued  Date   `json:"issued"`
	Expires Date   `json:"expires"`
}

// Operator is the supervising operator who ran the procedure, as
// authenticated by the cloud (OPAUTH): the session id the cloud granted.
type Operator struct {
	CF      string `json:"cf"`      // the operator's own codice fiscale, from their card
	Session string `json:"session"` // operator session granted by rpc operator_auth
}

// Role says who asks for an operation.
type Role string

// Requester roles.
const (
	RoleHolder   Role = "holder"   // the card holder, "diretta"
	RoleDelegate Role = "delegate" // "su delega"
	RoleParent   Role = "parent"   // parental authority over a minor holder
	RoleTutor    Role = "tutor"    // tutore of a holder under guardianship
	RoleCurator  Role = "curator"  // curatore
)

// Requester is who asks; Person is required for every role but holder.
type Requester struct {
	Role   Role    `json:"role"`
	Person *Person `json:"person,omitempty"`
}

// Channel of delivery of the second halves of PIN and PUK.
type DeliveryChannel string

// Delivery channels.
const (
	DeliveryEmail DeliveryChannel = "email"
	DeliverySMS   DeliveryChannel = "sms"
)

// Delivery says where the second halves go.
type Delivery struct {
	Channel DeliveryChannel `json:"channel"`
	Address string          `json:"address"` // e-mail address or phone number (E.164 or Italian mobile)
}

// PaymentMethod is how a reader was paid.
type PaymentMethod string

// Payment methods.
const (
	PayCoin    PaymentMethod = "coin"    // coin acceptor on the kiosk's GPIO
	PayPOS     PaymentMethod = "pos"     // POS terminal "approved" relay on GPIO
	PayReceipt PaymentMethod = "receipt" // the operator checked a receipt of a pay station
)

// Payment is the confirmation of the EUR 4.20 reader payment.
type Payment struct {
	Method      PaymentMethod `json:"method"`
	AmountCents int           `json:"amount_cents"`
	Ref         string        `json:"ref,omitempty"` // receipt number or payment session id
}

// Consents are the FSE consents given, under one policy version.
type Consents struct {
	Policy string   `json:"policy"` // consent policy version, e.g. "fse-2015"
	Given  []string `json:"given"`  // consent codes of that policy
}

// Common is embedded in every operation body.
type Common struct {
	Operator Operator `json:"operator"`
	Counter  string   `json:"counter,omitempty"` // counter (sportello) id; defaults to the device id
}

// Activation is procedures 1 (standard, direct or delegated) and 2
// (parent, tutor or curator). ID2 has matched: a mismatch is sent as
// RegistryDataWrong instead.
type Activation struct {
	Common
	Card        CardRef   `json:"card"`
	Requester   Requester `json:"requester"`
	Document    Document  `json:"document"`
	Delivery    Delivery  `json:"delivery"`
	Declaration bool      `json:"declaration,omitempty"` // parent/tutor/curator self-declaration printed and signed
	Reader      *Payment  `json:"reader,omitempty"`      // a reader was bought; nil if not
	FSE         *Consents `json:"fse,omitempty"`         // FSE requested with these consents; nil if not
}

// FSEConsent is procedure 3: consents and FSE creation after activation.
type FSEConsent struct {
	Common
	Card      CardRef   `json:"card"`
	Requester Requester `json:"requester"`
	Consents  Consents  `json:"consents"`
}

// Suspension is procedure 4. It is always refused.
type Suspension struct {
	Common
	Card CardRef `json:"card"`
}

// Reactivation is procedure 5. It is always refused.
type Reactivation struct {
	Common
	Card CardRef `json:"card"`
}

// ReissueReason is why a new card is asked for.
type ReissueReason string

// Reissue reasons.
const (
	ReasonTheft       ReissueReason = "theft"
	ReasonLoss        ReissueReason = "loss"
	ReasonMalfunction ReissueReason = "malfunction"
)

// Reissue is procedure 6.
type Reissue struct {
	Common
	Card      CardRef       `json:"card"`
	Requester Requester     `json:"requester"`
	Document  Document      `json:"document"`
	Reason    ReissueReason `json:"reason"`
	Notify    *Delivery     `json:"notify,omitempty"` // where to tell the holder the request was made
}

// PinReprint is procedure 7.
type PinReprint struct {
	Common
	Card      CardRef   `json:"card"`
	Requester Requester `json:"requester"`
	Document  Document  `json:"document"`
	Delivery  Delivery  `json:"delivery"`
}

// Revocation is procedure 8; the card is named by its Codice TEAM.
type Revocation struct {
	Common
	TEAM      string    `json:"team"`
	Requester Requester `json:"requester"`
	Document  Document  `json:"document"`
}

// ReaderRequest is procedure 9.
type ReaderRequest struct {
	Common
	Card      CardRef   `json:"card"`
	Requester Requester `json:"requester"`
	Payment   *Payment  `json:"payment"`
}

// RegistryDataWrong is procedure 10: ID2 failed, the citizen is sent to
// the Scelta e Revoca counter and the case goes out on the outbound interface.
type RegistryDataWrong struct {
	Common
	Card   CardRef  `json:"card"`
	Fields []string `json:"fields"` // which holder data differ: "surname", "name", "birth_date", ...
	Note   string   `json:"note,omitempty"`
}

// Abandoned records a procedure left before its confirm. Audit only.
type Abandoned struct {
	Common
	Procedure Type     `json:"procedure"` // the operation type that was not confirmed
	Step      string   `json:"step"`      // last step reached, e.g. "ID1", "print"
	Card      *CardRef `json:"card,omitempty"`
	Reason    string   `json:"reason,omitempty"` // "timeout", "operator_cancel", "card_removed", "id1_failed"...
}

var errMissing = errors.New("missing field")

func need(ok bool, field string) error {
	if !ok {
		return fmt.Errorf("%w: %s", errMissing, field)
	}
	return nil
}

func maxLen(s string, n int, field string) error {
	if len(s) > n {
		return fmt.Errorf("%s longer than %d", field, n)
	}
	return nil
}

// Validate checks the structure of c.
func (c Common) Validate() error {
	return errors.Join(need(c.Operator.CF != "", "operator.cf"),
		maxLen(c.Operator.CF, 16, "operator.cf"), maxLen(c.Operator.Session, 128, "operator.session"),
		maxLen(c.Counter, 64, "counter"))
}

// Validate checks the structure of r.
func (r CardRef) Validate() error {
	return errors.Join(need(r.CF != "", "card.cf"), need(r.TEAM != "", "card.team"),
		need(!r.Expiry.IsZero(), "card.expiry"), maxLen(r.CF, 32, "card.cf"), maxLen(r.TEAM, 32, "card.team"))
}

// Validate checks the structure of p.
func (p *Person) Validate() error {
	if p == nil {
		return nil
	}
	return errors.Join(need(p.Surname != "", "person.surname"), need(p.Name != "", "person.name"),
		need(p.CF != "", "person.cf"), maxLen(p.Surname, MaxName, "person.surname"),
		maxLen(p.Name, MaxName, "person.name"), maxLen(p.CF, 32, "person.cf"))
}

// Validate checks the structure of r.
func (r Requester) Validate() error {
	switch r.Role {
	case RoleHolder:
		return nil
	case RoleDelegate, RoleParent, RoleTutor, RoleCurator:
		if r.Person == nil {
			return fmt.Errorf("%w: requester.person for role %s", errMissing, r.Role)
		}
		return r.Person.Validate()
	default:
		return fmt.Errorf("requester.role %q unknown", r.Role)
	}
}

// Validate checks the structure of d (not whether it is expired: that is a rule).
func (d Document) Validate() error {
	return errors.Join(need(d.Kind != "", "document.kind"), need(d.Number != "", "document.number"),
		maxLen(d.Kind, 32, "document.kind"), maxLen(d.Number, 32, "document.number"),
		maxLen(d.Issuer, MaxName, "document.issuer"))
}

// Validate checks the structure of d.
func (d Delivery) Validate() error {
	if d.Channel != DeliveryEmail && d.Channel != DeliverySMS {
		return fmt.Errorf("delivery.channel %q unknown", d.Channel)
	}
	return maxLen(d.Address, MaxAddress, "delivery.address")
}

// Validate checks the structure of p.
func (p *Payment) Validate() error {
	if p == nil {
		return nil
	}
	switch p.Method {
	case PayCoin, PayPOS, PayReceipt:
	default:
		return fmt.Errorf("payment.method %q unknown", p.Method)
	}
	if p.AmountCents < 0 || p.AmountCents > 100000 {
		return fmt.Errorf("payment.amount_cents %d out of range", p.AmountCents)
	}
	return maxLen(p.Ref, 64, "payment.ref")
}

// Validate checks the structure of c.
func (c *Consents) Validate() error {
	if c == nil {
		return nil
	}
	if len(c.Given) > 16 {
		return fmt.Errorf("too many consents")
	}
	return errors.Join(need(c.Policy != "", "consents.policy"), maxLen(c.Policy, 32, "consents.policy"))
}

// Validate checks the structure of a.
func (a Activation) Validate() error {
	return errors.Join(a.Common.Validate(), a.Card.Validate(), a.Requester.Validate(),
		a.Document.Validate(), a.Delivery.Validate(), a.Reader.Validate(), a.FSE.Validate())
}

// Validate checks the structure of f.
func (f FSEConsent) Validate() error {
	return errors.Join(f.Common.Validate(), f.Card.Validate(), f.Requester.Validate(), f.Consents.Validate())
}

// Validate checks the structure of s.
func (s Suspension) Validate() error { return errors.Join(s.Common.Validate(), s.Card.Validate()) }

// Validate checks the structure of r.
func (r Reactivation) Validate() error { return errors.Join(r.Common.Validate(), r.Card.Validate()) }

// Validate checks the structure of r.
func (r Reissue) Validate() error {
	err := errors.Join(r.Common.Validate(), r.Card.Validate(), r.Requester.Validate(), r.Document.Validate())
	switch r.Reason {
	case ReasonTheft, ReasonLoss, ReasonMalfunction:
	default:
		err = errors.Join(err, fmt.Errorf("reason %q unknown", r.Reason))
	}
	if r.Notify != nil {
		err = errors.Join(err, r.Notify.Validate())
	}
	return err
}

// Validate checks the structure of p.
func (p PinReprint) Validate() error {
	return errors.Join(p.Common.Validate(), p.Card.Validate(), p.Requester.Validate(),
		p.Document.Validate(), p.Delivery.Validate())
}

// Validate checks the structure of r.
func (r Revocation) Validate() error {
	return errors.Join(r.Common.Validate(), need(r.TEAM != "", "team"), maxLen(r.TEAM, 32, "team"),
		r.Requester.Validate(), r.Document.Validate())
}

// Validate checks the structure of r.
func (r ReaderRequest) Validate() error {
	return errors.Join(r.Common.Validate(), r.Card.Validate(), r.Requester.Validate(), r.Payment.Validate())
}

// Validate checks the structure of r.
func (r RegistryDataWrong) Validate() error {
	err := errors.Join(r.Common.Validate(), r.Card.Validate(), maxLen(r.Note, MaxText, "note"))
	if len(r.Fields) > 16 {
		err = errors.Join(err, fmt.Errorf("too many fields"))
	}
	return err
}

// Validate checks the structure of a.
func (a Abandoned) Validate() error {
	err := errors.Join(a.Common.Validate(), need(a.Procedure.IsOp(), "procedure"),
		maxLen(a.Step, 32, "step"), maxLen(a.Reason, MaxText, "reason"))
	if a.Card != nil {
		err = errors.Join(err, a.Card.Validate())
	}
	return err
}
