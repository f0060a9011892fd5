package opauth

import (
	"bytes"
	"context"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/opauth/opauthtest"
	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// FuzzAuth feeds Auth what a kiosk controls (card certificate, signature,
// nonce, CF) against a SQLite database whose operator CA, card and
// operator are real. The nonce is registered as a challenge of the
// device for the CF, so the fuzzer gets past the nonce check to the
// certificate and signature parsers. Auth must never panic, never fail
// with an error (every bad input is a refusal), and grant a session only
// for the seed's certificate with the card's own signature of the nonce
// (PKCS#1 v1.5 signatures are deterministic, so that is one byte string)
// and the seed's CF; the valid seed itself must be granted.
func FuzzAuth(f *testing.F) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ca, err := opauthtest.NewCA("fuzz operator CA", now)
	if err != nil {
		f.Fatal(err)
	}
	card, err := ca.Card(opCF, 2, now)
	if err != nil {
		f.Fatal(err)
	}
	other, err := ca.Card(opCF, 3, now)
	if err != nil {
		f.Fatal(err)
	}
	foreignCA, err := opauthtest.NewCA("another operator CA", now)
	if err != nil {
		f.Fatal(err)
	}
	foreign, err := foreignCA.Card(opCF, 2, now)
	if err != nil {
		f.Fatal(err)
	}
	db := storetest.Open(f, store.SQLite)
	// One connection without fsync: the fuzzer runs one input at a time
	// and durability is not under test here; a commit per fsync would
	// make it crawl.
	db.SQL().SetMaxOpenConns(1)
	if _, err := db.SQL().ExecContext(ctx, `PRAGMA synchronous = OFF`); err != nil {
		f.Fatal(err)
	}
	clock := func() time.Time { return now }
	reg := operator.NewRegistry(db, clock)
	if err := reg.Upsert(ctx, operator.Operator{CF: opCF, Name: "Mario Rossi", Role: "operator", Enabled: true,
		Menus: []string{operator.All}, Counters: []string{operator.All}}); err != nil {
		f.Fatal(err)
	}
	a := New(db, reg, Options{Roots: ca.Pool(), Now: clock}, slog.New(slog.DiscardHandler))

	sign := func(c opauthtest.Card, b []byte) []byte {
		s, err := c.Sign(b)
		if err != nil {
			f.Fatal(err)
		}
		return s
	}
	nonce := bytes.Repeat([]byte{0x5a}, 32)
	good := sign(card, nonce)
	f.Add(card.DER, good, nonce, opCF)                                 // valid
	f.Add(card.DER, []byte(nil), nonce, opCF)                          // unsigned
	f.Add(card.DER, sign(other, nonce), nonce, opCF)                   // another key
	f.Add(card.DER, sign(card, append(nonce, 0)), nonce, opCF)         // other bytes
	f.Add(foreign.DER, sign(foreign, nonce), nonce, opCF)              // another CA
	f.Add(card.DER[:len(card.DER)/2], good, nonce, opCF)               // truncated certificate
	f.Add([]byte{0x30, 0x82, 0xff, 0xff}, good, nonce, opCF)           // DER claiming 64 KiB
	f.Add(card.DER, good[:len(good)-1], nonce, opCF)                   // short signature
	f.Add(card.DER, good, nonce[:31], opCF)                            // short nonce
	f.Add(card.DER, good, nonce, "VRDGPP70B02F205X")                   // another CF
	f.Add(card.DER, good, nonce, " "+strings.ToLower(opCF)+"' OR 1=1") // CF with SQL

	f.Fuzz(func(t *testing.T, cert, sig, nonce []byte, cf string) {
		norm := strings.ToUpper(strings.TrimSpace(cf))
		h := hex.EncodeToString(nonce)
		if _, err := db.SQL().ExecContext(ctx, `DELETE FROM opauth_challenges WHERE nonce = $1`, h); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO opauth_challenges (nonce, dev, cf, expires_at) VALUES ($1, $2, $3, $4)`,
			h, "kiosk-01", norm, now.Add(time.Minute).UnixMicro()); err != nil {
			t.Fatal(err)
		}
		res, code, err := a.Auth(ctx, "kiosk-01", wire.OperatorAuthParams{CF: cf, Certificate: cert, Nonce: nonce, Signature: sig})
		if err != nil {
			t.Fatalf("Auth error %v: bad input must be a refusal", err)
		}
		valid := bytes.Equal(cert, card.DER) && norm == opCF && len(nonce) == 32 && bytes.Equal(sig, cardSig(t, card, nonce))
		switch {
		case code == outcome.Applied && !valid:
			t.Fatalf("session %q granted for cert %x sig %x nonce %x cf %q", res.Session, cert, sig, nonce, cf)
		case code == outcome.Applied && res.Session == "":
			t.Fatal("granted without a session")
		case code != outcome.Applied && valid:
			t.Fatalf("valid answer refused: %v", code)
		case code != outcome.Applied && code != outcome.OperatorNotAuthorised:
			t.Fatalf("outcome %v, want operator_not_authorised", code)
		}
	})
}

// cardSig returns card's signature of nonce.
func cardSig(t *testing.T, card opauthtest.Card, nonce []byte) []byte {
	s, err := card.Sign(nonce)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
