package fleet

import (
	"context"
	"slices"
	"testing"

	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/wire"
)

func TestListFilters(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			f, _, _ := newFleet(t, d)
			for _, dev := range []Device{{ID: "fi-01", Name: "Careggi Ingresso"}, {ID: "fi-02", Name: "Careggi 100% CUP"},
				{ID: "po-01", Name: "Prato_centro"}, {ID: "careggi-x", Name: "Magazzino"}} {
				if err := f.Register(ctx, dev); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.Disable(ctx, "fi-02"); err != nil {
				t.Fatal(err)
			}
			if _, err := f.SetConfig(ctx, "po-01", wire.Config{Languages: []string{"it"}}); err != nil {
				t.Fatal(err)
			}
			off, on := false, true
			tests := []struct {
				name string
				flt  Filter
				want []string
			}{
				{"id prefix", Filter{Search: "fi-"}, []string{"fi-01", "fi-02"}},
				{"name part, case aside, or id prefix", Filter{Search: "CAREGGI"}, []string{"careggi-x", "fi-01", "fi-02"}},
				{"percent is a character", Filter{Search: "100%"}, []string{"fi-02"}},
				{"underscore is a character", Filter{Search: "o_c"}, []string{"po-01"}},
				{"a lone percent", Filter{Search: "%"}, []string{"fi-02"}},
				{"disabled", Filter{Enabled: &off}, []string{"fi-02"}},
				{"enabled and searched", Filter{Enabled: &on, Search: "careggi"}, []string{"careggi-x", "fi-01"}},
				{"out of sync", Filter{OutOfSync: true}, []string{"po-01"}},
			}
			for _, tt := range tests {
				devs, err := f.List(ctx, tt.flt)
				var got []string
				for _, dv := range devs {
					got = append(got, dv.ID)
				}
				if err != nil || !slices.Equal(got, tt.want) {
					t.Errorf("%s: %v, %v; want %v", tt.name, got, err, tt.want)
				}
			}
		})
	}
}
