package rules_test

import (
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/shared/wire"
)

// FuzzCodes checks that the code and contact checks never panic on
// outside text and that an accepted CF has a birth date.
func FuzzCodes(f *testing.F) {
	for _, s := range []string{"RSSMRA70A01F205V", "RSSMRAVLA01F205", "80380000900090510553", "+393331234567", "a@b.it", "", "\xff\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if rules.CheckCF(s) == nil {
			if _, err := rules.CFBirthDate(s, time.Now()); err != nil {
				t.Errorf("CheckCF accepted %q but CFBirthDate: %v", s, err)
			}
		}
		_ = rules.CheckTEAM(s)
		_ = rules.CheckContact(wire.Delivery{Channel: wire.DeliveryEmail, Address: s})
		_ = rules.CheckContact(wire.Delivery{Channel: wire.DeliverySMS, Address: s})
	})
}
