package rules_test

import (
	"testing"

	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// FuzzCodes checks that the code and contact checks never panic on
// outside text and always answer one of their outcome codes.
func FuzzCodes(f *testing.F) {
	for _, s := range []string{"RSSMRA70A01F205V", "RSSMRAVLA01F205", "80380000900090510553", "+393331234567", "a@b.it", "", "\xff\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := rules.Input{Now: now}
		for _, ref := range []wire.CardRef{{CF: s, TEAM: team, Expiry: expiry}, {CF: adultCF, TEAM: s, Expiry: expiry}} {
			switch got := rules.CheckCardRef(in, ref); got {
			case outcome.InvalidCF, outcome.InvalidTEAM, outcome.CardNotFound:
			default:
				t.Errorf("CheckCardRef(%+v) = %s", ref, got)
			}
		}
		_ = rules.CheckContact(wire.Delivery{Channel: wire.DeliveryEmail, Address: s})
		_ = rules.CheckContact(wire.Delivery{Channel: wire.DeliverySMS, Address: s})
	})
}
