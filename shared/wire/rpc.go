package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Method names a request on the rpc topics.
type Method string

// RPC methods.
const (
	MethodCardLookup        Method = "card_lookup"        // ID2: holder data of a card
	MethodOperatorChallenge Method = "operator_challenge" // OPAUTH step 1: get a nonce
	MethodOperatorAuth      Method = "operator_auth"      // OPAUTH step 2: nonce signed by the operator's card
	MethodPinHalves         Method = "pin_halves"         // first halves of PIN and PUK, to print
)

// RPCRequest is a request; the envelope id is the correlation id.
type RPCRequest struct {
	Method   Method          `json:"method"`
	Deadline time.Time       `json:"deadline"` // the cloud drops a request past its deadline
	Params   json.RawMessage `json:"params"`
}

// Validate checks the structure of r.
func (r RPCRequest) Validate() error {
	switch r.Method {
	case MethodCardLookup, MethodOperatorChallenge, MethodOperatorAuth, MethodPinHalves:
	default:
		return fmt.Errorf("method %q unknown", r.Method)
	}
	return errors.Join(need(!r.Deadline.IsZero(), "deadline"), need(len(r.Params) > 0 && r.Params[0] == '{', "params"))
}

// RPCResponse answers the request whose envelope id is ReqID. Outcome is
// "applied" on success or a code of package outcome.
type RPCResponse struct {
	ReqID   string          `json:"req_id"`
	Outcome string          `json:"outcome"`
	Message string          `json:"message,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
}

// Validate checks the structure of r.
func (r RPCResponse) Validate() error {
	return errors.Join(need(r.ReqID != "", "req_id"), need(r.Outcome != "", "outcome"))
}

// CardLookupParams asks for the holder data of a card (ID2).
type CardLookupParams struct {
	Operator Operator `json:"operator"`
	Card     CardRef  `json:"card"`
}

// CardLookupResult is what the CMS shows the operator for ID2.
type CardLookupResult struct {
	Surname    string `json:"surname"`
	Name       string `json:"name"`
	BirthDate  Date   `json:"birth_date"`
	Sex        string `json:"sex"`
	BirthPlace string `json:"birth_place"` // comune or foreign state name
	State      string `json:"state"`       // card lifecycle state
	Minor      bool   `json:"minor"`
	Expiry     Date   `json:"expiry"`
	Readers    int    `json:"readers"`
}

// OperatorChallengeParams asks for a nonce.
type OperatorChallengeParams struct {
	CF string `json:"cf"` // from the operator's card
}

// OperatorChallengeResult is a nonce to be signed by the operator's card.
type OperatorChallengeResult struct {
	Nonce   []byte    `json:"nonce"`
	Expires time.Time `json:"expires"`
}

// OperatorAuthParams carries the card certificate and the signature of the nonce.
type OperatorAuthParams struct {
	CF          string `json:"cf"`
	Certificate []byte `json:"certificate"` // X.509 DER from EF.C_Carta
	Nonce       []byte `json:"nonce"`
	Signature   []byte `json:"signature"` // PKCS#1 v1.5 signature over SHA-256(nonce)
	Menu        string `json:"menu"`      // procedure the operator opens, e.g. "op.activation"
}

// OperatorAuthResult grants a short operator session bound to the device.
type OperatorAuthResult struct {
	Session string    `json:"session"`
	Name    string    `json:"name"`
	Role    string    `json:"role"`
	Menus   []string  `json:"menus"`
	Expires time.Time `json:"expires"`
}

// PinHalvesParams asks for the first halves of a card's PIN and PUK.
type PinHalvesParams struct {
	Operator Operator `json:"operator"`
	Card     CardRef  `json:"card"`
	Purpose  Type     `json:"purpose"` // OpActivation or OpPinReprint
}

// PinHalvesResult carries secrets: it is never logged, stored or audited.
type PinHalvesResult struct {
	PinFirst string `json:"pin_first"`
	PukFirst string `json:"puk_first"`
}

// String hides the secrets from any log or %v.
func (PinHalvesResult) String() string { return "PinHalvesResult{<redacted>}" }

// LogValue hides the secrets from log/slog (it implements slog.LogValuer).
func (p PinHalvesResult) LogValue() slog.Value { return slog.StringValue(p.String()) }
