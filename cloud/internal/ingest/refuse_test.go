package ingest_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/ingest"
	"cnskiosk.dev/cloud/internal/ingest/ingesttest"
	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// forgedCF is the codice fiscale of the forged operation, looked for in
// the log.
const forgedCF = "VRDGPP80A01H501U"

// TestRefusals: another device's topic, unknown, disabled and expired
// certificates, and operator challenges answered unsigned or wrongly
// signed.
func TestRefusals(t *testing.T) {
	for _, sc := range stacks {
		t.Run(sc.kind+"-"+string(sc.db), func(t *testing.T) {
			s := newStack(t, sc.kind, sc.db)
			s.cmsd("cmsd-test-1", nil, nil)
			ctx := context.Background()
			victim := s.kiosk("kiosk-01", nil)
			lost := make(chan error, 1)
			intruder := s.kiosk("kiosk-02", func(err error) { lost <- err })

			// kiosk-02 publishes an operation on kiosk-01's topic, at QoS 1:
			// mochi logs the packet it refuses, which must reach the log
			// without its payload.
			body := suspension()
			body.Card.CF, body.Card.TEAM = forgedCF, "80380000900000077777"
			forged, _ := wire.New("kiosk-01", 99, wire.OpSuspension, time.Now(), body)
			b, _ := forged.Encode()
			_ = intruder.PublishRaw(ctx, wire.Topic("kiosk-01", wire.ChanOps), b)
			select {
			case <-lost: // the embedded broker drops the connection
			case <-markerAcked(t, intruder):
			}
			waitAck(t, victim, send(t, victim).ID)
			if n := s.opsRecorded([]string{forged.ID}); n != 0 {
				t.Errorf("forged operation recorded %d times", n)
			}
			logs := s.logs.String()
			for _, secret := range []string{forged.ID, forgedCF, body.Card.TEAM} {
				if leaked(logs, secret) {
					t.Errorf("the log holds %q of the forged payload", secret)
				}
			}
			if sc.kind == "embedded" && !strings.Contains(logs, `msg="error processing packet"`) {
				t.Error("mochi did not log the refused packet: the check above proved nothing")
			}

			// Unknown device: certificate of the fleet CA, never registered.
			is, _ := s.ca.IssueClient("kiosk-77", time.Now(), time.Hour)
			s.expectRefused(t, "kiosk-77", is)
			// Disabled device.
			dis, _ := s.fleet.Provision(ctx, s.ca, fleetDevice("kiosk-03"), time.Hour)
			if err := s.fleet.Disable(ctx, "kiosk-03"); err != nil {
				t.Fatal(err)
			}
			s.expectRefused(t, "kiosk-03", dis)
			// Expired certificate, and one of another CA: refused by TLS on
			// both brokers, counted by the embedded one.
			old, _ := s.ca.IssueClient("kiosk-04", time.Now().Add(-2*time.Hour), time.Hour)
			if k, err := ingesttest.Dial(ctx, s.url, "kiosk-04", s.clientTLS(old), nil, s.logger()); err == nil {
				k.Close()
				t.Error("expired certificate connected")
			}
			otherCA, _ := pki.NewCA("another fleet CA", time.Now(), time.Hour)
			alien, _ := otherCA.IssueClient("kiosk-05", time.Now(), time.Hour)
			acfg := s.clientTLS(alien) // sent even though the server names only its CA
			acfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &acfg.Certificates[0], nil }
			if k, err := ingesttest.Dial(ctx, s.url, "kiosk-05", acfg, nil, s.logger()); err == nil {
				k.Close()
				t.Error("certificate of another CA connected")
			}
			if s.kind == "embedded" {
				s.waitLog(t, `reason=cert_invalid cn=kiosk-04`, "certificate has expired")
				s.waitLog(t, `reason=cert_invalid cn=kiosk-05`, "unknown authority")
			}
			s.refusedCounted(t, map[string]bool{"unknown_device": true, "disabled": true, "cert_invalid": true})

			s.operatorAuth(t, victim)
		})
	}
}

// refusedCounted checks, on the embedded broker, which reasons of
// cms_mqtt_connections_refused_total have counted something.
func (s *stack) refusedCounted(t *testing.T, want map[string]bool) {
	t.Helper()
	if s.kind != "embedded" {
		return // Mosquitto refuses; cmsd counts in cms_ingest_rejected_total
	}
	// The broker counts a TLS refusal after sending its alert: wait for it.
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		var wrong []string
		for _, r := range []string{"unknown_device", "disabled", "revoked", "cert_invalid", "tls_handshake", "no_certificate", "not_admitted", "client_id_mismatch"} {
			if got := s.refused(t, r) > 0; got != want[r] {
				wrong = append(wrong, fmt.Sprintf("%s counted %v, want %v", r, got, want[r]))
			}
		}
		if len(wrong) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("connections refused: %s", strings.Join(wrong, "; "))
			return
		}
		<-tick.C
	}
}

// waitLog waits up to 5 s for a log line holding every part.
func (s *stack) waitLog(t *testing.T, parts ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		for line := range strings.Lines(s.logs.String()) {
			if !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(line, p) }) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Errorf("no log line with %q", parts)
			return
		}
		<-tick.C
	}
}

// refused reads cms_mqtt_connections_refused_total{reason} of the
// embedded broker (0 if never counted).
func (s *stack) refused(t *testing.T, reason string) float64 {
	t.Helper()
	if s.breg == nil {
		return 0
	}
	var b bytes.Buffer
	s.breg.Write(&b)
	prefix := `cms_mqtt_connections_refused_total{reason="` + reason + `"} `
	for line := range strings.Lines(b.String()) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	return 0
}

// leaked reports whether logs hold secret as text or as bytes in a form
// a log handler prints them: %v (decimal list), hex or base64.
func leaked(logs, secret string) bool {
	dec := strings.Trim(fmt.Sprint([]byte(secret)), "[]")
	return strings.Contains(logs, secret) || strings.Contains(logs, dec) ||
		strings.Contains(logs, hex.EncodeToString([]byte(secret))) ||
		strings.Contains(logs, strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(secret)), "="))
}

// markerAcked sends one operation of k's own and returns a channel closed
// when it is acked: the broker handled everything k sent before it.
func markerAcked(t *testing.T, k *ingesttest.Kiosk) <-chan struct{} {
	done := make(chan struct{})
	env, err := k.Op(wire.OpSuspension, suspension())
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		if k.Send(context.Background(), wire.ChanOps, env) == nil {
			for a := range k.Acks() {
				if a.OpID == env.ID {
					break
				}
			}
		}
		close(done)
	}()
	return done
}

// expectRefused checks that device id with certificate is refused: by the
// embedded broker at CONNECT, or by cmsd (rejected ack device_unknown)
// behind a Mosquitto that only checks the CA.
func (s *stack) expectRefused(t *testing.T, id string, is pki.Issued) {
	t.Helper()
	k, err := ingesttest.Dial(context.Background(), s.url, id, s.clientTLS(is), nil, s.logger())
	if s.kind == "embedded" {
		if err == nil {
			k.Close()
			t.Errorf("%s connected to the embedded broker", id)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	defer k.Close()
	if a := waitAck(t, k, send(t, k).ID); a.Status != wire.StatusRejected || a.Outcome != string(outcome.DeviceUnknown) {
		t.Errorf("%s: ack %+v, want rejected device_unknown", id, a)
	}
}

// TestTwoInstancesOneKilled: two cmsd share the operations; one dies after
// committing an operation but before acking it. Kiosks resend what is not
// acked; every operation is applied exactly once.
func TestTwoInstancesOneKilled(t *testing.T) {
	for _, sc := range stacks {
		t.Run(sc.kind+"-"+string(sc.db), func(t *testing.T) {
			s := newStack(t, sc.kind, sc.db)
			var a *ingest.Ingest
			a, _, _ = s.cmsd("cmsd-test-a", func(next ingest.Applier) ingest.Applier {
				return &crashAfter{next: next, at: 20, crash: func() { go a.Abort() }}
			}, nil)
			s.cmsd("cmsd-test-b", nil, nil)
			const kiosks, ops = 3, 60
			errs := make(chan error, kiosks)
			var all []string
			for i := range kiosks {
				k := s.kiosk(fmt.Sprintf("kiosk-%02d", i+1), nil)
				var envs []wire.Envelope
				for range ops {
					env, _ := k.Op(wire.OpSuspension, suspension())
					envs = append(envs, env)
					all = append(all, env.ID)
				}
				go func() {
					tick := time.NewTicker(300 * time.Millisecond)
					defer tick.Stop()
					ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
					defer cancel()
					_, err := k.Deliver(ctx, envs, tick.C)
					errs <- err
				}()
			}
			for range kiosks {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			if got, want := s.opsRecorded(all), kiosks*ops; got != want {
				t.Errorf("operations recorded %d, want %d (each once)", got, want)
			}
		})
	}
}

// crashAfter commits through next, and on the at-th operation "crashes"
// after the commit, before the ack.
type crashAfter struct {
	next  ingest.Applier
	n     atomic.Int64
	at    int64
	crash func()
}

func (c *crashAfter) Apply(ctx context.Context, env wire.Envelope) (wire.Ack, error) {
	ack, err := c.next.Apply(ctx, env)
	if c.n.Add(1) == c.at {
		c.crash()
		return wire.Ack{}, context.Canceled
	}
	return ack, err
}
