package ingest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/wire"
)

// flakyDevices fails every registry read, as a database blip would.
type flakyDevices struct{ nopDeps }

func (flakyDevices) Enabled(context.Context, string) (bool, error) {
	return false, errors.New("connection reset by peer")
}

// recorder keeps what ingest publishes.
type recorder struct {
	mu   sync.Mutex
	acks []wire.Ack
}

func (r *recorder) Publish(_ context.Context, _ string, b []byte, _ bool) error {
	env, err := wire.Decode("k1", b)
	if err != nil {
		return err
	}
	a, err := wire.DecodeBody[wire.Ack](env)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.acks = append(r.acks, a)
	return nil
}

func newTestIngest(t *testing.T, dev Devices) (*Ingest, *recorder) {
	t.Helper()
	var d nopDeps
	in, err := New(Options{}, Deps{Engine: d, Cards: d, Operators: d, Devices: dev}, metrics.NewRegistry(), storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{}
	in.out = r
	return in, r
}

// TestRegistryFailureLeavesOpUnacked: an infrastructure error is no
// verdict; the operation must not be rejected (the kiosk would drop it).
func TestRegistryFailureLeavesOpUnacked(t *testing.T) {
	in, r := newTestIngest(t, flakyDevices{})
	env, _ := wire.New("k1", 1, wire.OpAbandoned, time.Now(), wire.Abandoned{
		Common: wire.Common{Operator: wire.Operator{CF: "X"}}, Procedure: wire.OpActivation, Step: "ID1"})
	b, _ := env.Encode()
	if got := in.Process(context.Background(), wire.Topic("k1", wire.ChanOps), b); got {
		t.Error("Process acknowledged the message; want it left for redelivery")
	}
	if len(r.acks) != 0 {
		t.Errorf("acks published = %+v, want none", r.acks)
	}
}

// TestOpAckStatus: the ack status of operations that cannot be applied.
func TestOpAckStatus(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    wire.Status
	}{
		{"unknown version", `{"v":2,"id":"01J0000000000000000000000","seq":3,"dev":"k1","type":"op.abandoned","at":"2026-01-01T00:00:00Z","body":{}}`, wire.StatusRetry},
		{"malformed body", `{"v":1,"id":"01J0000000000000000000000","seq":3,"dev":"k1","type":"op.abandoned"}`, wire.StatusRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, r := newTestIngest(t, nopDeps{})
			if !in.Process(context.Background(), wire.Topic("k1", wire.ChanOps), []byte(tt.payload)) {
				t.Fatal("message not acknowledged")
			}
			if len(r.acks) != 1 {
				t.Fatalf("acks = %+v, want one", r.acks)
			}
			if got := r.acks[0]; got.Status != tt.want || got.Outcome != "malformed" {
				t.Errorf("ack = %+v, want status %s outcome malformed", got, tt.want)
			}
		})
	}
}
