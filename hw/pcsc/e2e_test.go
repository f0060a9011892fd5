package pcsc_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"cnskiosk.dev/hw/apdu"
	"cnskiosk.dev/hw/cns"
	"cnskiosk.dev/hw/pcsc"
	"cnskiosk.dev/hw/pcsc/pcsctest"
	"cnskiosk.dev/hw/vcard"
	"cnskiosk.dev/hw/vcard/vcardtest"
)

// The tests in this file share pcscd's two vpcd slots: never t.Parallel.

func checkCard(t *testing.T, got cns.Card, p *vcard.Profile) {
	t.Helper()
	want := p.Personal
	want.Region = want.IssuerCode[len(want.IssuerCode)-3:]
	if got.Personal != want || got.TEAM != p.TEAM {
		t.Errorf("read %+v TEAM %s,\nwant %+v TEAM %s", got.Personal, got.TEAM, want, p.TEAM)
	}
}

func TestInsertReadRemoveReinsert(t *testing.T) {
	r := pcsctest.New(t)
	vc, p := vcardtest.Card(t, "adult")
	for cycle := range 2 {
		ev := r.Insert(0, vc)
		if !bytes.Equal(ev.ATR, vc.ATR()) || !cns.IsCNS(ev.ATR) {
			t.Errorf("cycle %d: event ATR % X, want % X", cycle, ev.ATR, vc.ATR())
		}
		c, err := r.PC.Connect(t.Context(), r.Readers[0])
		if err != nil {
			t.Fatal(err)
		}
		got, err := cns.ReadCard(t.Context(), c)
		if err != nil {
			t.Fatalf("cycle %d: %v", cycle, err)
		}
		checkCard(t, got, p)
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		r.Remove(0)
	}
}

// removing is a Transmitter that pulls the card out before its n-th command.
type removing struct {
	c    *pcsc.Card
	slot *vcard.Slot
	n    int
}

func (m *removing) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	if m.n--; m.n == 0 {
		if err := m.slot.Remove(); err != nil {
			return nil, err
		}
	}
	return m.c.Transmit(ctx, cmd)
}

func TestRemoveMidRead(t *testing.T) {
	r := pcsctest.New(t)
	vc, _ := vcardtest.Card(t, "adult")
	r.Insert(0, vc)
	c := r.Connect(0)
	_, err := cns.ReadCard(t.Context(), &removing{c: c, slot: r.Slots[0], n: 4})
	if !errors.Is(err, pcsc.ErrCardRemoved) {
		t.Fatalf("ReadCard with the card pulled out: err = %v, want pcsc.ErrCardRemoved", err)
	}
	r.WaitEvent(0, pcsc.Removed)
	if _, err := c.Transmit(t.Context(), []byte{0, 0xA4, 0, 0x0C, 2, 0x3F, 0}); !errors.Is(err, pcsc.ErrCardRemoved) {
		t.Errorf("Transmit after removal: err = %v, want pcsc.ErrCardRemoved", err)
	}
}

func TestTwoSlots(t *testing.T) {
	r := pcsctest.New(t)
	citizen, cp := vcardtest.Card(t, "minor")
	operator, op := vcardtest.Card(t, "operator")
	r.Insert(0, citizen)
	r.Insert(1, operator)
	for i, p := range []*vcard.Profile{cp, op} {
		got, err := cns.ReadCard(t.Context(), r.Connect(i))
		if err != nil {
			t.Fatalf("slot %d: %v", i, err)
		}
		checkCard(t, got, p)
	}
}

func TestWrongPINBlocks(t *testing.T) {
	r := pcsctest.New(t)
	vc, p := vcardtest.Card(t, "expired")
	r.Insert(0, vc)
	c := r.Connect(0)
	steps := []struct {
		pin  string
		want uint16
	}{{"00000000", 0x63C2}, {"00000000", 0x63C1}, {"00000000", 0x6983}, {p.PIN, 0x6983}}
	for _, s := range steps {
		rec := &apdu.Recorder{T: c}
		err := cns.VerifyPIN(t.Context(), rec, s.pin)
		st := rec.Steps()
		if len(st) != 1 {
			t.Fatalf("%d exchanges", len(st))
		}
		rs, _ := apdu.ParseResponse(st[0].Response)
		if rs.SW != s.want || err == nil {
			t.Errorf("VERIFY -> %04X, %v; want %04X", rs.SW, err, s.want)
		}
	}
	if err := cns.VerifyPIN(t.Context(), c, p.PIN); !errors.Is(err, cns.ErrPINBlocked) {
		t.Errorf("err = %v, want ErrPINBlocked", err)
	}
}

func TestOperatorSignature(t *testing.T) {
	r := pcsctest.New(t)
	vc, p := vcardtest.Card(t, "operator")
	r.Insert(1, vc)
	c := r.Connect(1)
	got, err := cns.ReadCard(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(vcardtest.OperatorCA(t).Cert)
	opts := x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if _, err := got.Certificate.Parsed.Verify(opts); err != nil {
		t.Errorf("operator certificate does not chain to the operator CA: %v", err)
	}
	if err := cns.VerifyPIN(t.Context(), c, p.PIN); err != nil {
		t.Fatal(err)
	}
	nonce := []byte("cloud nonce 0123456789")
	pub := got.Certificate.Parsed.PublicKey.(*rsa.PublicKey)
	sig, err := cns.Sign(t.Context(), c, pub, nonce)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(nonce)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("signature does not verify with the certificate: %v", err)
	}
}

// TestTranscriptThroughPCSCD checks that a read through pcscd exchanges
// exactly the APDUs of the golden transcript (the one package cns checks
// in-process).
func TestTranscriptThroughPCSCD(t *testing.T) {
	r := pcsctest.New(t)
	vc, _ := vcardtest.Card(t, "adult")
	r.Insert(0, vc)
	rec := &apdu.Recorder{T: r.Connect(0)}
	if _, err := cns.ReadCard(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "testdata", "card-read.transcript"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cns.ReadTranscript(rec.Steps()); got != string(want) {
		t.Errorf("transcript through pcscd differs from the golden file:\n%s", got)
	}
}

func TestErrors(t *testing.T) {
	r := pcsctest.New(t)
	if _, err := r.PC.FindReader("No Such Reader"); !errors.Is(err, pcsc.ErrNoReader) {
		t.Errorf("FindReader: err = %v, want pcsc.ErrNoReader", err)
	}
	if _, err := r.PC.Connect(t.Context(), r.Readers[0]); !errors.Is(err, pcsc.ErrNoCard) {
		t.Errorf("Connect to an empty reader: err = %v, want pcsc.ErrNoCard", err)
	}
	if _, err := pcsc.ReadInserted(t.Context(), pcsctest.Logger(t), "00 01"); !errors.Is(err, pcsc.ErrNoCard) {
		t.Errorf("ReadInserted on an empty reader: err = %v, want pcsc.ErrNoCard", err)
	}
}

func TestReadInserted(t *testing.T) {
	r := pcsctest.New(t)
	vc, p := vcardtest.Card(t, "not-active")
	r.Insert(0, vc)
	got, err := pcsc.ReadInserted(t.Context(), pcsctest.Logger(t), "Virtual PCD 00 00")
	if err != nil {
		t.Fatal(err)
	}
	checkCard(t, got, p)
	if got.ATR == "" {
		t.Error("ATR missing")
	}
}

// TestNotCNS inserts a card whose ATR does not say "CNS" (a bank card, say):
// reading it through pcscd fails with cns.ErrNotCNS before any file is read.
func TestNotCNS(t *testing.T) {
	r := pcsctest.New(t)
	p := vcardtest.Profile(t, "adult")
	p.Historical = "EMV-BANK"
	vc := vcardtest.New(t, p)
	ev := r.Insert(0, vc)
	if cns.IsCNS(ev.ATR) {
		t.Fatalf("ATR % X says CNS", ev.ATR)
	}
	_, err := pcsc.ReadInserted(t.Context(), pcsctest.Logger(t), "Virtual PCD 00 00")
	if !errors.Is(err, cns.ErrNotCNS) {
		t.Fatalf("ReadInserted of a non-CNS card: err = %v, want cns.ErrNotCNS", err)
	}
}

// TestCardResetByAnotherContext: a second application (its own pcscd
// context) resets the card; the first one's next command reconnects and
// succeeds, and the reset shows: the PIN it verified is no longer verified.
func TestCardResetByAnotherContext(t *testing.T) {
	r := pcsctest.New(t)
	vc, p := vcardtest.Card(t, "adult")
	r.Insert(0, vc)
	c := r.Connect(0)
	if err := cns.VerifyPIN(t.Context(), c, p.PIN); err != nil {
		t.Fatal(err)
	}
	other, err := pcsc.Open(pcsctest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	c2, err := other.Connect(t.Context(), r.Readers[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := c2.Close(); err != nil { // disconnects with SCARD_RESET_CARD
		t.Fatal(err)
	}
	card, err := cns.ReadCard(t.Context(), c)
	if err != nil {
		t.Fatalf("read after another application reset the card: %v", err)
	}
	checkCard(t, card, p)
	// Empty VERIFY asks the PIN state: after the reset it is not verified.
	out, err := c.Transmit(t.Context(), []byte{0x00, 0x20, 0x00, cns.PINRef})
	if err != nil {
		t.Fatal(err)
	}
	if rs, _ := apdu.ParseResponse(out); rs.SW == 0x9000 {
		t.Errorf("PIN still verified after a reset (SW %04X)", rs.SW)
	}
}

// TestPUKUnblocks: through pcscd, 3 wrong PINs block the PIN, RESET RETRY
// COUNTER with the PUK sets a new one, and the new PIN verifies.
func TestPUKUnblocks(t *testing.T) {
	r := pcsctest.New(t)
	vc, p := vcardtest.Card(t, "adult")
	r.Insert(0, vc)
	c := r.Connect(0)
	for range 3 {
		_ = cns.VerifyPIN(t.Context(), c, "00000000")
	}
	if err := cns.VerifyPIN(t.Context(), c, p.PIN); !errors.Is(err, cns.ErrPINBlocked) {
		t.Fatalf("PIN after 3 wrong tries = %v, want ErrPINBlocked", err)
	}
	if err := cns.Unblock(t.Context(), c, p.PUK, "97531"); err != nil {
		t.Fatalf("Unblock: %v", err)
	}
	if err := cns.VerifyPIN(t.Context(), c, "97531"); err != nil {
		t.Errorf("new PIN after unblock: %v", err)
	}
}
