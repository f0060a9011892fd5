package vcardtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/hw/profiles"
	"cnskiosk.dev/hw/vcard"
)

// KeyBits is the RSA size of test keys: small, so tests stay fast.
const KeyBits = 1024

var (
	caOnce          sync.Once
	citizenCA, opCA *vcard.DevCA
	caErr           error
)

func cas(t testing.TB) {
	t.Helper()
	caOnce.Do(func() {
		if citizenCA, caErr = vcard.NewDevCA("Test CNS CA", KeyBits); caErr == nil {
			opCA, caErr = vcard.NewDevCA("Test Operator CA", KeyBits)
		}
	})
	if caErr != nil {
		t.Fatal(caErr)
	}
}

// CitizenCA returns the test CA of citizen cards (one per test binary).
func CitizenCA(t testing.TB) *vcard.DevCA { cas(t); return citizenCA }

// OperatorCA returns the test CA of operator cards (one per test binary).
func OperatorCA(t testing.TB) *vcard.DevCA { cas(t); return opCA }

// Profile returns the profile hw/profiles/NAME.json with a fresh key and a
// certificate from OperatorCA for "operator", CitizenCA otherwise.
func Profile(t testing.TB, name string) *vcard.Profile {
	t.Helper()
	b, err := profiles.FS.ReadFile(name + ".json")
	if err != nil {
		t.Fatalf("vcardtest: profile %q: %v", name, err)
	}
	p, err := vcard.ParseProfile(b)
	if err != nil {
		t.Fatalf("vcardtest: profile %q: %v", name, err)
	}
	ca := CitizenCA(t)
	if name == "operator" {
		ca = OperatorCA(t)
	}
	if err := ca.Issue(p, KeyBits); err != nil {
		t.Fatal(err)
	}
	return p
}

// Card returns the virtual card of profile name and the profile.
func Card(t testing.TB, name string) (*vcard.Card, *vcard.Profile) {
	t.Helper()
	p := Profile(t, name)
	return New(t, p), p
}

// New builds the card of p.
func New(t testing.TB, p *vcard.Profile) *vcard.Card {
	t.Helper()
	c, err := vcard.New(p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// LockWait bounds the wait for the slot lock: another test binary may hold
// it for as long as its pcscd tests run.
const LockWait = 5 * time.Minute

// LockSlots takes the machine-wide vpcd slot lock for the rest of the test
// (released in t.Cleanup). Take it before anything else that registers a
// cleanup using the slots, so that it is released last.
func LockSlots(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), LockWait)
	defer cancel()
	unlock, err := vcard.LockSlots(ctx)
	if err != nil {
		t.Fatalf("vcardtest: %v", err)
	}
	t.Cleanup(func() {
		if err := unlock(); err != nil {
			t.Errorf("vcardtest: unlock slots: %v", err)
		}
	})
}
