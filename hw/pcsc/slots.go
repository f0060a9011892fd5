package pcsc

import (
	"fmt"
	"strings"
)

// Slots configures which reader takes which card: a distinctive substring
// of each reader's name (pcsc_scan -r lists them), e.g. "00 00" and "00 01"
// for vpcd or "ACS ACR39U" and "Bit4id miniLector" for two USB readers.
//
// Single-reader mode: when Operator is empty, equals Citizen, or both match
// the same reader, the kiosk has one reader. The operator's card goes in
// first (the operator signs in and the kiosk remembers the session), is
// taken out, and then the citizen's card goes in; see [Assignment.RoleOf].
type Slots struct {
	Citizen  string `json:"citizen"`
	Operator string `json:"operator"`
}

// Role says whose card a reader holds.
type Role int

// Roles.
const (
	RoleCitizen Role = iota + 1
	RoleOperator
)

func (r Role) String() string {
	switch r {
	case RoleCitizen:
		return "citizen"
	case RoleOperator:
		return "operator"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// Assignment is Slots resolved to full reader names. In single-reader mode
// both names are the same.
type Assignment struct {
	Citizen  string `json:"citizen"`
	Operator string `json:"operator"`
}

// Single reports single-reader mode.
func (a Assignment) Single() bool { return a.Citizen == a.Operator }

// Readers returns the distinct reader names, citizen first: what a
// [Monitor] should watch.
func (a Assignment) Readers() []string {
	if a.Single() {
		return []string{a.Citizen}
	}
	return []string{a.Citizen, a.Operator}
}

// RoleOf says whose card was inserted in reader. With two readers it
// follows the reader; with one, the card is the operator's until an
// operator has signed in, then the citizen's. ok is false for a reader
// outside the assignment.
func (a Assignment) RoleOf(reader string, operatorSignedIn bool) (role Role, ok bool) {
	switch {
	case reader != a.Citizen && reader != a.Operator:
		return 0, false
	case a.Single() && operatorSignedIn, !a.Single() && reader == a.Citizen:
		return RoleCitizen, true
	}
	return RoleOperator, true
}

// Resolve finds the readers of s among readers (as listed by pcscd). An
// empty Citizen matches a lone reader only; an empty Operator means
// single-reader mode. A substring that matches no reader, or an empty one
// with several readers, is ErrNoReader naming the readers found.
func (s Slots) Resolve(readers []string) (Assignment, error) {
	cit, err := pick(s.Citizen, readers)
	if err != nil {
		return Assignment{}, fmt.Errorf("citizen reader: %w", err)
	}
	if s.Operator == "" || s.Operator == s.Citizen {
		return Assignment{Citizen: cit, Operator: cit}, nil
	}
	op, err := pick(s.Operator, readers)
	if err != nil {
		return Assignment{}, fmt.Errorf("operator reader: %w", err)
	}
	return Assignment{Citizen: cit, Operator: op}, nil
}

func pick(substr string, readers []string) (string, error) {
	if substr == "" {
		if len(readers) == 1 {
			return readers[0], nil
		}
		return "", fmt.Errorf("%w: no reader configured and %d found %q", ErrNoReader, len(readers), readers)
	}
	for _, r := range readers {
		if strings.Contains(r, substr) {
			return r, nil
		}
	}
	return "", fmt.Errorf("%w: %q among %q", ErrNoReader, substr, readers)
}
