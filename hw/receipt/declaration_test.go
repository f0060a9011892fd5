package receipt

import (
	"errors"
	"testing"
	"time"

	"cnskiosk.dev/shared/wire"
)

// TestDeclarationMinorOnly: a parent declares authority only over a holder
// under 18 on the day of the declaration; tutor and curator at any age.
func TestDeclarationMinorOnly(t *testing.T) {
	base := layouts()["declaration"].(Declaration)
	at := fakeAt // 2025-03-14
	tests := []struct {
		name  string
		role  wire.Role
		birth wire.Date
		want  error
	}{
		{"parent, child", wire.RoleParent, wire.NewDate(2015, 1, 1), nil},
		{"parent, 18 tomorrow", wire.RoleParent, wire.NewDate(2007, 3, 15), nil},
		{"parent, 18 today", wire.RoleParent, wire.NewDate(2007, 3, 14), ErrNotMinor},
		{"parent, adult", wire.RoleParent, wire.NewDate(1970, 1, 1), ErrNotMinor},
		{"parent, no birth date", wire.RoleParent, wire.Date{}, ErrMissing},
		{"tutor, adult", wire.RoleTutor, wire.NewDate(1970, 1, 1), nil},
		{"curator, adult", wire.RoleCurator, wire.NewDate(1950, 1, 1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base
			d.Header.At = at
			d.Role, d.Holder.BirthDate = tt.role, tt.birth
			_, err := d.Render(Paper80)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("Render = %v, want %v", err, tt.want)
			}
		})
	}
	if got := age(wire.NewDate(2000, 2, 29), time.Date(2018, 2, 28, 0, 0, 0, 0, time.UTC)); got != 17 {
		t.Errorf("age(29 Feb 2000, 28 Feb 2018) = %d, want 17", got)
	}
}
