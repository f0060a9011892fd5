package ingest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/ingest/ingesttest"
	"cnskiosk.dev/cloud/internal/opauth/opauthtest"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// operatorAuth answers operator challenges through the broker from k:
// with a valid card certificate of the operator CA cmsd trusts, but no
// signature, another key's signature or a signature over other bytes;
// with a certificate of another CA signed by its own key; all refused,
// each for its own reason (read in the log, so that a refusal for an
// earlier reason, such as no operator CA configured, cannot pass). Then
// one good answer is granted a session.
func (s *stack) operatorAuth(t *testing.T, k *ingesttest.Kiosk) {
	t.Helper()
	now := time.Now()
	card, err := s.opCA.Card(opCF, 2, now)
	must(t, err)
	otherKey, err := s.opCA.Card(opCF, 3, now)
	must(t, err)
	otherCA, err := opauthtest.NewCA("another operator CA", now)
	must(t, err)
	foreign, err := otherCA.Card(opCF, 2, now)
	must(t, err)
	sign := func(c opauthtest.Card, b []byte) []byte {
		sig, err := c.Sign(b)
		must(t, err)
		return sig
	}
	const badSig, badCert = `reason="opauth: bad signature: `, `reason="opauth: certificate invalid or not from the operator CA: x509: `
	tests := []struct {
		name   string
		cert   []byte
		sig    func(nonce []byte) []byte
		reason string // logged with the refusal; "" granted
	}{
		{"no signature", card.DER, func([]byte) []byte { return nil }, badSig},
		{"another key's signature", card.DER, func(n []byte) []byte { return sign(otherKey, n) }, badSig},
		{"signature over other bytes", card.DER, func(n []byte) []byte { return sign(card, append(n, 0)) }, badSig},
		{"certificate of another CA", foreign.DER, func(n []byte) []byte { return sign(foreign, n) }, badCert},
		{"good", card.DER, func(n []byte) []byte { return sign(card, n) }, ""},
	}
	ctx := context.Background()
	for _, tt := range tests {
		nonce := s.challenge(t, k)
		before := strings.Count(s.logs.String(), tt.reason)
		res, err := k.Request(ctx, wire.MethodOperatorAuth, wire.OperatorAuthParams{CF: opCF, Nonce: nonce,
			Certificate: tt.cert, Signature: tt.sig(nonce), Menu: "op.activation"}, 10*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if tt.reason != "" {
			if res.Outcome != string(outcome.OperatorNotAuthorised) || res.Result != nil {
				t.Errorf("%s: %+v, want operator_not_authorised", tt.name, res)
			}
			if after := strings.Count(s.logs.String(), tt.reason); after != before+1 {
				t.Errorf("%s: not refused for %s", tt.name, tt.reason)
			}
			continue
		}
		var got wire.OperatorAuthResult
		if res.Outcome != string(outcome.Applied) || jsonUnmarshal(res.Result, &got) != nil ||
			got.Session == "" || got.Name != "Luca Marini" {
			t.Errorf("%s: %+v (%s), want a session for Luca Marini", tt.name, res, res.Result)
		}
	}
}

// challenge asks cmsd for a nonce for opCF from k.
func (s *stack) challenge(t *testing.T, k *ingesttest.Kiosk) []byte {
	t.Helper()
	res, err := k.Request(context.Background(), wire.MethodOperatorChallenge, wire.OperatorChallengeParams{CF: opCF}, 10*time.Second)
	if err != nil || res.Outcome != string(outcome.Applied) {
		t.Fatalf("challenge = %+v, %v", res, err)
	}
	var ch wire.OperatorChallengeResult
	if err := jsonUnmarshal(res.Result, &ch); err != nil {
		t.Fatal(err)
	}
	return ch.Nonce
}
