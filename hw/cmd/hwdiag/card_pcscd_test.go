package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"cnskiosk.dev/hw/cns"
	"cnskiosk.dev/hw/pcsc/pcsctest"
	"cnskiosk.dev/hw/vcard/vcardtest"
)

// runCard runs "hwdiag card ARGS..." through the real readCard (pcscd).
func runCard(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cfg, err := parse(append([]string{"card"}, args...), t.Output())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = run(t.Context(), cfg, &out, t.Output())
	return out.String(), err
}

// TestCardThroughPCSCD reads the adult virtual card through pcscd and vpcd,
// in the second slot so that the default (no -reader) must find the reader
// holding a card: the JSON matches the profile and carries no PIN or PUK.
func TestCardThroughPCSCD(t *testing.T) {
	r := pcsctest.New(t)
	vc, p := vcardtest.Card(t, "adult")
	ev := r.Insert(1, vc)
	for _, args := range [][]string{nil, {"-reader", "Virtual PCD 00 01"},
		{"-citizen", "00 00", "-operator", "00 01", "-slot", "operator"},
		{"-citizen", "00 01"}} {
		out, err := runCard(t, args...)
		if err != nil {
			t.Fatalf("hwdiag card %q: %v", args, err)
		}
		var got cns.Card
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("output is not a card: %v\n%s", err, out)
		}
		want := p.Personal
		want.Region = want.IssuerCode[len(want.IssuerCode)-3:]
		if got.Personal != want || got.TEAM != p.TEAM {
			t.Errorf("%q: card %+v TEAM %s,\nwant %+v TEAM %s", args, got.Personal, got.TEAM, want, p.TEAM)
		}
		if got.ATR != hex.EncodeToString(ev.ATR) {
			t.Errorf("%q: ATR %s, want % X", args, got.ATR, ev.ATR)
		}
		if got.Certificate.Subject == "" || !strings.Contains(got.Certificate.Subject, p.Personal.CF) {
			t.Errorf("%q: certificate subject %q, want the CF %s", args, got.Certificate.Subject, p.Personal.CF)
		}
		for _, secret := range []string{p.PIN, p.PUK, `"pin`, `"puk`} {
			if strings.Contains(out, secret) {
				t.Errorf("%q: output contains %q", args, secret)
			}
		}
	}
}

// TestCardNotCNSThroughPCSCD: a card whose ATR does not say "CNS" gives a
// clear error and prints nothing.
func TestCardNotCNSThroughPCSCD(t *testing.T) {
	r := pcsctest.New(t)
	p := vcardtest.Profile(t, "adult")
	p.Historical = "EMV-BANK"
	r.Insert(0, vcardtest.New(t, p))
	out, err := runCard(t)
	if err == nil || !strings.Contains(err.Error(), "not a CNS card") {
		t.Errorf("hwdiag card on a bank card: err = %v, want one saying it is not a CNS card", err)
	}
	if out != "" {
		t.Errorf("output %q, want none", out)
	}
}

// TestCardNoCardListsReaders: with no card in, the error names the
// readers found, and the empty citizen slot of a two-slot setup says so.
func TestCardNoCardListsReaders(t *testing.T) {
	r := pcsctest.New(t)
	for _, args := range [][]string{nil, {"-citizen", "00 00", "-operator", "00 01"}} {
		_, err := runCard(t, args...)
		if err == nil || !strings.Contains(err.Error(), r.Readers[0]) || !strings.Contains(err.Error(), r.Readers[1]) {
			t.Errorf("hwdiag card %q with no card: %v, want an error naming both readers", args, err)
		}
	}
}
