package opauth

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// lockedBuf is a log destination tests read while handlers write.
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuf) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func (ca testCA) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

func sample(reg *metrics.Registry, name string) string {
	var b bytes.Buffer
	reg.Write(&b)
	for line := range strings.Lines(b.String()) {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// TestStaleCRLWarns: a CRL past its NextUpdate is still applied, and is
// reported: gauge cms_opauth_crl_stale, and one WARN per CRL.
func TestStaleCRLWarns(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ca := newCA(t, now)
	card, _ := ca.card(t, opCF, now)              // serial 2
	crl := ca.crl(t, now.Add(-31*time.Minute), 2) // NextUpdate now + 29 min
	clk := now
	var logs lockedBuf
	reg := metrics.NewRegistry()
	a := New(nil, nil, Options{Roots: ca.pool(), CRLs: []*x509.RevocationList{crl}, Now: func() time.Time { return clk }, Metrics: reg},
		slog.New(slog.NewTextHandler(&logs, nil)))
	if got := sample(reg, "cms_opauth_crl_stale"); got != "0" {
		t.Errorf("fresh CRL: cms_opauth_crl_stale = %q, want 0", got)
	}
	clk = now.Add(59 * time.Minute) // the card is still valid (1 h), the CRL stale
	for range 2 {
		if _, err := a.verifyCert(card); !errors.Is(err, ErrRevoked) {
			t.Errorf("stale CRL: verifyCert = %v, want ErrRevoked (still applied)", err)
		}
	}
	if got := sample(reg, "cms_opauth_crl_stale"); got != "1" {
		t.Errorf("stale CRL: cms_opauth_crl_stale = %q, want 1", got)
	}
	if n := strings.Count(logs.String(), "operator CRL is past its next update"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, logs.String())
	}
}

// TestChallengeCap: a device holds at most MaxChallenges unused,
// unexpired challenges; using one or letting it expire frees a place;
// other devices are not affected. Both databases.
func TestChallengeCap(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ca := newCA(t, now)
	cert, key := ca.card(t, opCF, now)
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			clk := now
			reg := operator.NewRegistry(db, func() time.Time { return clk })
			if err := reg.Upsert(ctx, operator.Operator{CF: opCF, Name: "Mario Rossi", Enabled: true,
				Menus: []string{operator.All}, Counters: []string{operator.All}}); err != nil {
				t.Fatal(err)
			}
			m := metrics.NewRegistry()
			a := New(db, reg, Options{Roots: ca.pool(), MaxChallenges: 3, Now: func() time.Time { return clk }, Metrics: m},
				storetest.Logger(t))
			challenge := func(dev string) ([]byte, outcome.Code) {
				t.Helper()
				r, code, err := a.Challenge(ctx, dev, wire.OperatorChallengeParams{CF: opCF})
				if err != nil {
					t.Fatal(err)
				}
				return r.Nonce, code
			}
			var nonces [][]byte
			for i := range 3 {
				n, code := challenge("kiosk-01")
				if code != outcome.Applied {
					t.Fatalf("challenge %d: %v, want applied", i+1, code)
				}
				nonces = append(nonces, n)
			}
			if _, code := challenge("kiosk-01"); code != outcome.OperatorNotAuthorised {
				t.Errorf("4th challenge: %v, want operator_not_authorised", code)
			}
			if _, code := challenge("kiosk-02"); code != outcome.Applied {
				t.Errorf("another device: %v, want applied", code)
			}
			p := wire.OperatorAuthParams{CF: opCF, Certificate: cert, Nonce: nonces[0], Signature: sign(t, key, nonces[0])}
			if _, code, err := a.Auth(ctx, "kiosk-01", p); err != nil || code != outcome.Applied {
				t.Fatalf("Auth = %v, %v", code, err)
			}
			if _, code := challenge("kiosk-01"); code != outcome.Applied {
				t.Errorf("after one was used: %v, want applied", code)
			}
			if _, code := challenge("kiosk-01"); code != outcome.OperatorNotAuthorised {
				t.Errorf("full again: %v, want operator_not_authorised", code)
			}
			clk = clk.Add(3 * time.Minute) // past ChallengeTTL
			if _, code := challenge("kiosk-01"); code != outcome.Applied {
				t.Errorf("after they expired: %v, want applied", code)
			}
			if got := sample(m, "cms_opauth_challenges_capped_total"); got != "2" {
				t.Errorf("cms_opauth_challenges_capped_total = %q, want 2", got)
			}
		})
	}
}
