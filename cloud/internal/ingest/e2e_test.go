package ingest_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/ingest/ingesttest"
	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

var stacks = []struct {
	kind string
	db   store.Dialect
}{{"embedded", store.SQLite}, {"mosquitto", store.Postgres}}

func waitAck(t *testing.T, k *ingesttest.Kiosk, opID string) wire.Ack {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case a := <-k.Acks():
			if a.OpID == opID {
				return a
			}
		case <-timeout:
			t.Fatalf("%s: no ack for %s", k.ID, opID)
		}
	}
}

func send(t *testing.T, k *ingesttest.Kiosk) wire.Envelope {
	t.Helper()
	env, err := k.Op(wire.OpSuspension, suspension())
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Send(context.Background(), wire.ChanOps, env); err != nil {
		t.Fatal(err)
	}
	return env
}

func counted(reg *metrics.Registry, sample string) bool {
	var b bytes.Buffer
	reg.Write(&b)
	return strings.Contains(b.String(), sample)
}

func TestEndToEnd(t *testing.T) {
	for _, sc := range stacks {
		t.Run(sc.kind+"-"+string(sc.db), func(t *testing.T) {
			s := newStack(t, sc.kind, sc.db)
			_, reg, _ := s.cmsd("cmsd-test-1", nil, nil)
			k := s.kiosk("kiosk-01", nil)
			ctx := context.Background()

			// A replayed operation has one effect; the replay is acked as a duplicate.
			env := send(t, k)
			if a := waitAck(t, k, env.ID); a.Status != wire.StatusApplied || a.Outcome != string(outcome.SuspensionNotAllowed) {
				t.Errorf("first ack %+v", a)
			}
			if err := k.Send(ctx, wire.ChanOps, env); err != nil {
				t.Fatal(err)
			}
			if a := waitAck(t, k, env.ID); a.Status != wire.StatusDuplicate {
				t.Errorf("replay ack status %q, want duplicate", a.Status)
			}
			if got := s.opsRecorded([]string{env.ID}); got != 1 {
				t.Errorf("operation recorded %d times, want 1", got)
			}

			// Malformed, wrong version, oversize and mismatched payloads are
			// rejected and counted; the next good operation still goes through.
			bad := map[string][]byte{
				"malformed": []byte(`{"v":1,"id":`),
				"version":   bytes.Replace(mustEncode(t, k), []byte(`"v":1`), []byte(`"v":9`), 1),
				"oversize":  bytes.Repeat([]byte("x"), wire.MaxMessageSize+1),
			}
			other, _ := wire.New("kiosk-02", 1, wire.OpSuspension, time.Now(), suspension())
			bad["device_mismatch"], _ = other.Encode()
			for _, p := range bad {
				if err := k.PublishRaw(ctx, wire.Topic(k.ID, wire.ChanOps), p); err != nil {
					t.Fatal(err)
				}
			}
			if a := waitAck(t, k, other.ID); a.Status != wire.StatusRejected || a.Outcome != string(outcome.Malformed) {
				t.Errorf("mismatched payload ack %+v, want rejected malformed", a)
			}
			waitAck(t, k, send(t, k).ID)
			for reason := range bad {
				if !counted(reg, `cms_ingest_rejected_total{reason="`+reason+`"} 1`) {
					t.Errorf("reason %s not counted once", reason)
				}
			}
			if s.opsRecorded([]string{other.ID}) != 0 {
				t.Error("mismatched operation recorded")
			}
		})
	}
}

func mustEncode(t *testing.T, k *ingesttest.Kiosk) []byte {
	env, err := k.Op(wire.OpSuspension, suspension())
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
