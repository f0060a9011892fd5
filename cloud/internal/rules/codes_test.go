package rules_test

import (
	"errors"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/shared/wire"
)

func TestCheckCF(t *testing.T) {
	for _, tc := range []struct {
		cf   string
		want error
	}{
		{"RSSMRA70A01F205V", nil},
		{"RSSMRA80A01H501U", nil},
		{"MRNLCU00A01H501J", nil},
		{"RSSMRA70A01F205X", rules.ErrCF},                  // check character
		{"RSSMRA70A01F205", rules.ErrCF},                   // length
		{"RSSMRA70Z01F205V", rules.ErrCF},                  // month letter
		{"rssmra70a01f205v", rules.ErrCF},                  // lower case: callers normalise
		{rules.CompleteCF("RSSMRAVLA01F205"), nil},         // omocodia in the year
		{rules.CompleteCF("RSSMRA70A32F205"), rules.ErrCF}, // day 32
		{rules.CompleteCF("BNCLRA15D71H501"), rules.ErrCF}, // woman, day 71-40 = 31 April
	} {
		err := rules.CheckCF(tc.cf)
		if !errors.Is(err, tc.want) && !(err == nil && tc.want == nil) {
			t.Errorf("CheckCF(%q) = %v, want %v", tc.cf, err, tc.want)
		}
	}
}

func TestCFBirthDate(t *testing.T) {
	asOf := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ cf, want string }{
		{"RSSMRA70A01F205V", "1970-01-01"},
		{"MRNLCU00A01H501J", "2000-01-01"},
		{rules.CompleteCF("BNCLRA15D50H501"), "2015-04-10"},
		{rules.CompleteCF("BNCLRA27D50H501"), "1927-04-10"},
	} {
		got, err := rules.CFBirthDate(tc.cf, asOf)
		if err != nil {
			t.Fatalf("CFBirthDate(%q): %v", tc.cf, err)
		}
		if got.Format(time.DateOnly) != tc.want {
			t.Errorf("CFBirthDate(%q) = %s, want %s", tc.cf, got.Format(time.DateOnly), tc.want)
		}
	}
}

func TestCheckTEAM(t *testing.T) {
	for _, tc := range []struct {
		team string
		ok   bool
	}{
		{"80380000900090510553", true},
		{"80380000900090510554", false}, // Luhn
		{"8038000090009051055", false},  // 19 digits
		{"8038000090009051055A", false},
		{rules.CompleteTEAM("7038000090009051055"), false}, // not 80380
		{rules.CompleteTEAM("8038000090000000001"), true},
	} {
		if err := rules.CheckTEAM(tc.team); (err == nil) != tc.ok {
			t.Errorf("CheckTEAM(%q) = %v, want ok=%v", tc.team, err, tc.ok)
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
