package rules_test

import (
	"testing"

	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/shared/wire"
)

func TestCheckConsentsAccepted(t *testing.T) {
	both := rules.DefaultPolicy()
	both.AcceptedConsentVersions = []string{rules.ConsentsFSE2015, rules.ConsentsFSE2020}
	fse2020 := wire.Consents{Policy: rules.ConsentsFSE2020, Given: []string{"consultazione"}}
	for _, tc := range []struct {
		name   string
		p      rules.Policy
		c      wire.Consents
		ok     bool
		detail string
	}{
		{"known, not accepted", rules.DefaultPolicy(), fse2020, false, `policy "fse-2020" not accepted, in force "fse-2015"`},
		{"accepted in transition", both, fse2020, true, ""},
		{"unknown", both, wire.Consents{Policy: "fse-2030", Given: []string{"x"}}, false, `policy "fse-2030" unknown, in force "fse-2015"`},
		{"in force, one missing", both, wire.Consents{Policy: rules.ConsentsFSE2015, Given: []string{"consultazione"}}, false, `consent "alimentazione" missing`},
	} {
		ok, detail := tc.p.CheckConsents(tc.c)
		if ok != tc.ok || detail != tc.detail {
			t.Errorf("%s: got %v %q, want %v %q", tc.name, ok, detail, tc.ok, tc.detail)
		}
	}
}

func TestPolicies(t *testing.T) {
	got := rules.DefaultPolicy().Policies()
	if len(got) != 2 {
		t.Fatalf("policies = %+v", got)
	}
	if g := got[0]; g.Version != rules.ConsentsFSE2015 || !g.InForce || !g.Accepted || len(g.Consents) != 3 {
		t.Errorf("first = %+v", g)
	}
	if g := got[1]; g.Version != rules.ConsentsFSE2020 || g.InForce || g.Accepted {
		t.Errorf("second = %+v", g)
	}
}
