package pcsc

import (
	"errors"
	"testing"
)

var vpcd = []string{"Virtual PCD 00 00", "Virtual PCD 00 01"}

func TestSlotsResolve(t *testing.T) {
	tests := []struct {
		name    string
		slots   Slots
		readers []string
		want    Assignment
		single  bool
		err     error
	}{
		{"two readers", Slots{"00 00", "00 01"}, vpcd, Assignment{vpcd[0], vpcd[1]}, false, nil},
		{"swapped", Slots{"00 01", "00 00"}, vpcd, Assignment{vpcd[1], vpcd[0]}, false, nil},
		{"operator empty is single", Slots{"00 01", ""}, vpcd, Assignment{vpcd[1], vpcd[1]}, true, nil},
		{"same substring is single", Slots{"Virtual", "Virtual"}, vpcd, Assignment{vpcd[0], vpcd[0]}, true, nil},
		{"both match one reader", Slots{"PCD 00 00", "00 00"}, vpcd, Assignment{vpcd[0], vpcd[0]}, true, nil},
		{"lone reader, nothing configured", Slots{}, vpcd[:1], Assignment{vpcd[0], vpcd[0]}, true, nil},
		{"two readers, nothing configured", Slots{}, vpcd, Assignment{}, false, ErrNoReader},
		{"citizen missing", Slots{"ACR39U", "00 01"}, vpcd, Assignment{}, false, ErrNoReader},
		{"operator missing", Slots{"00 00", "ACR39U"}, vpcd, Assignment{}, false, ErrNoReader},
		{"no readers", Slots{"00 00", ""}, nil, Assignment{}, false, ErrNoReader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.slots.Resolve(tt.readers)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if got != tt.want || (err == nil && got.Single() != tt.single) {
				t.Errorf("got %+v single %v, want %+v single %v", got, got.Single(), tt.want, tt.single)
			}
		})
	}
}

func TestAssignmentRoleOf(t *testing.T) {
	two := Assignment{vpcd[0], vpcd[1]}
	one := Assignment{vpcd[0], vpcd[0]}
	tests := []struct {
		name     string
		a        Assignment
		reader   string
		signedIn bool
		want     Role
		ok       bool
	}{
		{"citizen slot", two, vpcd[0], false, RoleCitizen, true},
		{"operator slot", two, vpcd[1], false, RoleOperator, true},
		{"operator slot, signed in", two, vpcd[1], true, RoleOperator, true},
		{"single: operator first", one, vpcd[0], false, RoleOperator, true},
		{"single: then the citizen", one, vpcd[0], true, RoleCitizen, true},
		{"unknown reader", two, "Other", false, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.a.RoleOf(tt.reader, tt.signedIn)
			if got != tt.want || ok != tt.ok {
				t.Errorf("RoleOf = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
	if got := one.Readers(); len(got) != 1 {
		t.Errorf("single Readers() = %q", got)
	}
	if got := two.Readers(); len(got) != 2 || got[0] != vpcd[0] {
		t.Errorf("Readers() = %q", got)
	}
}
