package cns_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"cnskiosk.dev/hw/apdu"
	"cnskiosk.dev/hw/cns"
)

// checkGolden compares got with hw/testdata/name (go test -update rewrites it).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("..", "testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("transcript differs from %s (run go test -update to see the diff in git):\n%s", golden, got)
	}
}

func TestUnblockWithPUK(t *testing.T) {
	c, p := newCard(t, "adult")
	for range 3 {
		_ = cns.VerifyPIN(t.Context(), c, "00000000")
	}
	if err := cns.VerifyPIN(t.Context(), c, p.PIN); !errors.Is(err, cns.ErrPINBlocked) {
		t.Fatalf("PIN after 3 wrong tries: %v, want ErrPINBlocked", err)
	}
	err := cns.Unblock(t.Context(), c, "00000000", "24680")
	if pe, ok := errors.AsType[*cns.PUKError](err); !ok || pe.TriesLeft != p.PUKMaxTries-1 || !errors.Is(err, cns.ErrWrongPUK) {
		t.Fatalf("Unblock with a wrong PUK = %v, want PUKError with %d tries", err, p.PUKMaxTries-1)
	}
	if err := cns.Unblock(t.Context(), c, p.PUK, "24680"); err != nil {
		t.Fatalf("Unblock: %v", err)
	}
	if err := cns.VerifyPIN(t.Context(), c, "24680"); err != nil {
		t.Errorf("new PIN: %v", err)
	}
	if n, err := cns.PINTriesLeft(t.Context(), c); n != -1 || err != nil {
		t.Errorf("PINTriesLeft after verify = %d, %v; want -1 (verified)", n, err)
	}
	if err := cns.Unblock(t.Context(), c, "123", "24680"); !errors.Is(err, cns.ErrBadPINFormat) {
		t.Errorf("short PUK: %v, want ErrBadPINFormat", err)
	}
}

func TestPUKBlocks(t *testing.T) {
	c, p := newCard(t, "adult")
	var err error
	for range p.PUKMaxTries {
		err = cns.VerifyPUK(t.Context(), c, "00000000")
	}
	if !errors.Is(err, cns.ErrPUKBlocked) {
		t.Fatalf("last wrong PUK = %v, want ErrPUKBlocked", err)
	}
	if err := cns.Unblock(t.Context(), c, p.PUK, "24680"); !errors.Is(err, cns.ErrPUKBlocked) {
		t.Errorf("right PUK once blocked = %v, want ErrPUKBlocked", err)
	}
}

// TestVerifyTranscript: VERIFY wrong, wrong, blocked, then the right PIN
// refused, RESET RETRY COUNTER and VERIFY; PIN and PUK bytes are elided.
func TestVerifyTranscript(t *testing.T) {
	c, p := newCard(t, "adult")
	rec := &apdu.Recorder{T: c}
	for range 3 {
		_ = cns.VerifyPIN(t.Context(), rec, "00000000")
	}
	_ = cns.VerifyPIN(t.Context(), rec, p.PIN)
	_, _ = cns.PINTriesLeft(t.Context(), rec)
	if err := cns.Unblock(t.Context(), rec, p.PUK, "24680"); err != nil {
		t.Fatal(err)
	}
	if err := cns.VerifyPIN(t.Context(), rec, "24680"); err != nil {
		t.Fatal(err)
	}
	got := apdu.Transcript(rec.Steps(), func(int, apdu.Step) string { return "" })
	for _, secret := range []string{p.PIN, p.PUK, "24680"} {
		if bytes.Contains([]byte(got), []byte(secret)) {
			t.Fatalf("transcript shows a secret")
		}
	}
	head := "# VERIFY: three wrong PINs block it, the PUK unblocks it (cns.VerifyPIN, cns.Unblock, \"adult\" profile).\n" +
		"# PIN and PUK bytes are elided.\n\n"
	checkGolden(t, "verify.transcript", []byte(head+got))
}
