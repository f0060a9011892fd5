package rules_test

import (
	"testing"

	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/shared/cf"
	"cnskiosk.dev/shared/outcome"
	teamcode "cnskiosk.dev/shared/team"
	"cnskiosk.dev/shared/wire"
)

// completeCF appends the check character to the first 15 characters.
func completeCF(first15 string) string { return first15 + string(cf.CheckChar(first15)) }

// completeTEAM appends the Luhn check digit to the first 19 digits.
func completeTEAM(first19 string) string { return first19 + string(teamcode.Luhn(first19)) }

// TestCardCodes checks the codes of a card reference as the rules see them
// (shared/cf and shared/team, judged at the operation's time).
func TestCardCodes(t *testing.T) {
	good := "80380000900090510553"
	for _, tc := range []struct {
		cf, team string
		want     outcome.Code
	}{
		{"RSSMRA70A01F205V", good, outcome.CardNotFound},
		{"rssmra70a01f205v", good, outcome.CardNotFound}, // case ignored
		{"MRNLCU00A01H501J", good, outcome.CardNotFound},
		{completeCF("RSSMRAVLA01F205"), good, outcome.CardNotFound},       // omocodia in the year
		{"RSSMRA70A01F205X", good, outcome.InvalidCF},                     // check character
		{"RSSMRA70A01F205", good, outcome.InvalidCF},                      // length
		{"RSSMRA70Z01F205V", good, outcome.InvalidCF},                     // month letter
		{completeCF("RSSMRA70A32F205"), good, outcome.InvalidCF},          // day 32
		{completeCF("BNCLRA15D71H501"), good, outcome.InvalidCF},          // woman, day 71-40 = 31 April
		{"RSSMRA70A01F205V", "80380000900090510554", outcome.InvalidTEAM}, // Luhn
		{"RSSMRA70A01F205V", "8038000090009051055", outcome.InvalidTEAM},  // 19 digits
		{"RSSMRA70A01F205V", "8038000090009051055A", outcome.InvalidTEAM},
		{"RSSMRA70A01F205V", completeTEAM("7038000090009051055"), outcome.InvalidTEAM}, // not 80380
		{"RSSMRA70A01F205V", completeTEAM("8038000090000000001"), outcome.CardNotFound},
	} {
		in := rules.Input{Now: now}
		got := rules.CheckCardRef(in, wire.CardRef{CF: tc.cf, TEAM: tc.team, Expiry: expiry})
		if got != tc.want {
			t.Errorf("CheckCardRef(%q, %q) = %s, want %s", tc.cf, tc.team, got, tc.want)
		}
	}
}

// TestMinorFromCF checks that a card without a birth date takes it from
// the codice fiscale, century chosen by the day of the check.
func TestMinorFromCF(t *testing.T) {
	today := wire.NewDate(2026, 3, 1)
	for _, tc := range []struct {
		cf    string
		minor bool
	}{
		{"RSSMRA70A01F205V", false},
		{"MRNLCU00A01H501J", false},
		{completeCF("BNCLRA15D50H501"), true},  // 2015-04-10
		{completeCF("BNCLRA08C50H501"), true},  // 2008-03-10: 18 on 2026-03-10
		{completeCF("BNCLRA08B50H501"), false}, // 2008-02-10
		{completeCF("BNCLRA27D50H501"), false}, // 1927, not 2027
		{"not a cf", false},
	} {
		c := rules.Card{CF: tc.cf}
		if got := c.MinorOn(today); got != tc.minor {
			t.Errorf("MinorOn(%s) for %q = %v, want %v", today, tc.cf, got, tc.minor)
		}
	}
}

func TestCheckContact(t *testing.T) {
	for _, tc := range []struct {
		ch   wire.DeliveryChannel
		addr string
		ok   bool
	}{
		{wire.DeliveryEmail, "mario.rossi@example.it", true},
		{wire.DeliveryEmail, "mario.rossi@localhost", false},
		{wire.DeliveryEmail, "Mario <mario@example.it>", false},
		{wire.DeliveryEmail, "mario@@example.it", false},
		{wire.DeliveryEmail, "", false},
		{wire.DeliverySMS, "3331234567", true},
		{wire.DeliverySMS, "+39 333 123 4567", true},
		{wire.DeliverySMS, "0039333-1234567", true},
		{wire.DeliverySMS, "+393331234567", true},
		{wire.DeliverySMS, "+390551234567", false}, // Italian landline cannot get an SMS
		{wire.DeliverySMS, "+4915112345678", true},
		{wire.DeliverySMS, "0551234567", false},
		{wire.DeliverySMS, "33312", false},
		{wire.DeliverySMS, "mario@example.it", false},
	} {
		err := rules.CheckContact(wire.Delivery{Channel: tc.ch, Address: tc.addr})
		if (err == nil) != tc.ok {
			t.Errorf("CheckContact(%s %q) = %v, want ok=%v", tc.ch, tc.addr, err, tc.ok)
		}
	}
}
