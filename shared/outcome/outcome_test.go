package outcome

import (
	"regexp"
	"testing"
)

// declared lists every constant of outcome.go; a code added there must be
// added here (and gets a message, or TestMessages fails).
var declared = []Code{
	Applied, Duplicate, Malformed, InvalidCF, InvalidTEAM, InvalidExpiry, InvalidDocument,
	InvalidContact, CardNotFound, CardDataMismatch, CardExpired, CardRevoked,
	CardAlreadyActive, CardNotActive, RegistryDataWrong, SuspensionNotAllowed,
	ReactivationNotAllowed, CounterNotEnabled, RequesterNotAllowed, HolderNotMinor,
	PaymentMissing, ConsentsIncomplete, OperatorNotAuthorised, Abandoned,
	CardReplaced, DeclarationMissing, DeviceUnknown, CounterMismatch, DeadlineExceeded, Internal,
}

var snake = regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)

func TestMessages(t *testing.T) {
	seen := map[string]Code{}
	for _, c := range declared {
		if !c.Known() {
			t.Errorf("%s: not Known", c)
		}
		if !snake.MatchString(string(c)) {
			t.Errorf("%s: not snake_case", c)
		}
		m := c.Message()
		if m == "" || m == "Esito sconosciuto: "+string(c) {
			t.Errorf("%s: no Italian message", c)
		}
		if other, dup := seen[m]; dup {
			t.Errorf("%s and %s share the message %q", c, other, m)
		}
		seen[m] = c
	}
}

func TestAll(t *testing.T) {
	all := All()
	if got, want := len(all), len(declared); got != want {
		t.Fatalf("len(All()) = %d, want %d", got, want)
	}
	in := map[Code]bool{}
	for _, c := range all {
		in[c] = true
	}
	for _, c := range declared {
		if !in[c] {
			t.Errorf("All() lacks %s", c)
		}
	}
}

func TestProceduresCodes(t *testing.T) {
	// The codes procedures.md defines are part of the contract: their
	// spelling must never change.
	tests := []struct {
		c    Code
		want string
	}{
		{Applied, "applied"}, {Duplicate, "duplicate"}, {Malformed, "malformed"},
		{InvalidCF, "invalid_cf"}, {InvalidTEAM, "invalid_team"}, {InvalidExpiry, "invalid_expiry"},
		{InvalidDocument, "invalid_document"}, {InvalidContact, "invalid_contact"},
		{CardNotFound, "card_not_found"}, {CardDataMismatch, "card_data_mismatch"},
		{CardExpired, "card_expired"}, {CardRevoked, "card_revoked"},
		{CardAlreadyActive, "card_already_active"}, {CardNotActive, "card_not_active"},
		{RegistryDataWrong, "registry_data_wrong"}, {SuspensionNotAllowed, "suspension_not_allowed"},
		{ReactivationNotAllowed, "reactivation_not_allowed"}, {CounterNotEnabled, "counter_not_enabled"},
		{RequesterNotAllowed, "requester_not_allowed"}, {HolderNotMinor, "holder_not_minor"},
		{PaymentMissing, "payment_missing"}, {ConsentsIncomplete, "consents_incomplete"},
		{OperatorNotAuthorised, "operator_not_authorised"}, {Abandoned, "abandoned"},
	}
	for _, tt := range tests {
		if string(tt.c) != tt.want {
			t.Errorf("code %q, want %q", tt.c, tt.want)
		}
	}
}

func TestUnknown(t *testing.T) {
	c := Code("no_such_code")
	if c.Known() {
		t.Error("no_such_code is Known")
	}
	if got, want := c.Message(), "Esito sconosciuto: no_such_code"; got != want {
		t.Errorf("Message() = %q, want %q", got, want)
	}
}
