package cns_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"cnskiosk.dev/hw/apdu"
	"cnskiosk.dev/hw/cns"
	"cnskiosk.dev/hw/vcard"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var (
	caOnce sync.Once
	ca     *vcard.DevCA
	caErr  error
)

// newCard builds the virtual card of a profile in hw/profiles with a fresh
// 1024-bit key signed by a test CA.
func newCard(t *testing.T, name string) (*vcard.Card, *vcard.Profile) {
	t.Helper()
	caOnce.Do(func() { ca, caErr = vcard.NewDevCA("Test CNS CA", 1024) })
	if caErr != nil {
		t.Fatal(caErr)
	}
	p, err := vcard.ReadProfile(filepath.Join("..", "profiles", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.Issue(p, 1024); err != nil {
		t.Fatal(err)
	}
	c, err := vcard.New(p)
	if err != nil {
		t.Fatal(err)
	}
	return c, p
}

func TestReadCard(t *testing.T) {
	for _, name := range []string{"adult", "minor", "expired", "not-active", "operator"} {
		c, p := newCard(t, name)
		got, err := cns.ReadCard(t.Context(), c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := p.Personal
		want.Region = "090"
		if got.Personal != want {
			t.Errorf("%s: Personal =\n%+v\nwant\n%+v", name, got.Personal, want)
		}
		if got.TEAM != p.TEAM {
			t.Errorf("%s: TEAM = %s, want %s", name, got.TEAM, p.TEAM)
		}
		if got.Certificate.Parsed == nil || got.Certificate.Issuer != ca.Cert.Subject.String() {
			t.Errorf("%s: certificate issuer = %q", name, got.Certificate.Issuer)
		}
	}
}

func TestVerifyPINAndSign(t *testing.T) {
	c, p := newCard(t, "operator")
	card, err := cns.ReadCard(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	pub := card.Certificate.Parsed.PublicKey.(*rsa.PublicKey)
	challenge := []byte("nonce from the cloud")
	if _, err := cns.Sign(t.Context(), c, pub, challenge); !errors.Is(err, apdu.ErrSecurity) {
		t.Errorf("Sign before VERIFY: err = %v, want ErrSecurity", err)
	}
	if err := cns.VerifyPIN(t.Context(), c, p.PIN); err != nil {
		t.Fatalf("VerifyPIN: %v", err)
	}
	sig, err := cns.Sign(t.Context(), c, pub, challenge)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(challenge)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("signature does not verify: %v", err)
	}
}

func TestSign2048Chained(t *testing.T) {
	p, err := vcard.ReadProfile(filepath.Join("..", "profiles", "operator.json"))
	if err != nil {
		t.Fatal(err)
	}
	ca2, err := vcard.NewDevCA("Test CA 2048", 2048)
	if err != nil {
		t.Fatal(err)
	}
	if err := ca2.Issue(p, 2048); err != nil {
		t.Fatal(err)
	}
	c, err := vcard.New(p)
	if err != nil {
		t.Fatal(err)
	}
	card, err := cns.ReadCard(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	pub := card.Certificate.Parsed.PublicKey.(*rsa.PublicKey)
	if err := cns.VerifyPIN(t.Context(), c, p.PIN); err != nil {
		t.Fatal(err)
	}
	rec := &apdu.Recorder{T: c}
	sig, err := cns.Sign(t.Context(), rec, pub, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("x"))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("2048-bit signature does not verify: %v", err)
	}
	head := "# cns.Sign with a 2048-bit key over SHA-256(\"x\"): MSE SET, then PSO COMPUTE DIGITAL\n" +
		"# SIGNATURE chained (CLA 10, then 00) since the 256-byte block exceeds a short APDU.\n\n"
	checkGolden(t, "sign-2048.transcript", []byte(head+apdu.Transcript(rec.Steps(), func(_ int, s apdu.Step) string {
		if len(s.Command) > 1 && s.Command[1] == 0x2A && len(s.Response) > 2 {
			return fmt.Sprintf("%d bytes of signature (differs per key)", len(s.Response)-2)
		}
		return ""
	})))
}

func TestWrongPINBlocks(t *testing.T) {
	c, p := newCard(t, "adult")
	for _, want := range []int{2, 1} {
		err := cns.VerifyPIN(t.Context(), c, "00000000")
		var pe *cns.PINError
		if !errors.As(err, &pe) || pe.TriesLeft != want || !errors.Is(err, cns.ErrWrongPIN) {
			t.Fatalf("wrong PIN: err = %v, want %d tries left", err, want)
		}
	}
	if err := cns.VerifyPIN(t.Context(), c, "00000000"); !errors.Is(err, cns.ErrPINBlocked) {
		t.Fatalf("third wrong PIN: err = %v, want ErrPINBlocked", err)
	}
	if err := cns.VerifyPIN(t.Context(), c, p.PIN); !errors.Is(err, cns.ErrPINBlocked) {
		t.Errorf("right PIN after block: err = %v, want ErrPINBlocked", err)
	}
	if n, err := cns.PINTriesLeft(t.Context(), c); n != 0 || err != nil {
		t.Errorf("PINTriesLeft = %d, %v; want 0", n, err)
	}
	if err := cns.VerifyPIN(t.Context(), c, "12a"); !errors.Is(err, cns.ErrBadPINFormat) {
		t.Errorf("malformed PIN: err = %v", err)
	}
}

// stepwise refuses path selection, as some masks do, so that SelectFile
// falls back to step-by-step selection.
type stepwise struct{ c *vcard.Card }

func (s stepwise) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	if len(cmd) > 2 && cmd[1] == 0xA4 && cmd[2] == 0x08 {
		return []byte{0x6A, 0x86}, nil
	}
	return s.c.Transmit(ctx, cmd)
}

func TestSelectStepByStep(t *testing.T) {
	c, p := newCard(t, "minor")
	got, err := cns.ReadPersonal(t.Context(), stepwise{c})
	if err != nil || got.CF != p.Personal.CF {
		t.Errorf("ReadPersonal step by step = %+v, %v", got, err)
	}
}

// TestTranscript checks the APDUs of a full card read against
// testdata/card-read.transcript (go test -update rewrites it).
func TestTranscript(t *testing.T) {
	c, _ := newCard(t, "adult")
	rec := &apdu.Recorder{T: c}
	if _, err := cns.ReadCard(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	got := []byte(cns.ReadTranscript(rec.Steps()))
	golden := filepath.Join("..", "testdata", "card-read.transcript")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("transcript differs from %s (run go test -update to see the diff in git):\n%s", golden, got)
	}
}

// generous answers every READ BINARY with 300 bytes and 9000, whatever Le.
type generous struct{}

func (generous) Transmit(_ context.Context, cmd []byte) ([]byte, error) {
	return append(bytes.Repeat([]byte{0x41}, 300), 0x90, 0x00), nil
}

func TestReadBinaryTrimsToMax(t *testing.T) {
	tests := []struct{ want, max, n int }{{0, 100, 100}, {10, 100, 10}, {0, 400, 400}, {300, 4096, 300}}
	for _, tt := range tests {
		got, err := cns.ReadBinary(t.Context(), generous{}, tt.want, tt.max)
		if err != nil || len(got) != tt.n {
			t.Errorf("ReadBinary(want %d, max %d) = %d bytes, %v; want %d", tt.want, tt.max, len(got), err, tt.n)
		}
	}
}
