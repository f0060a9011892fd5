package ingest

import (
	"context"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// spyDevices answers Enabled with enabled (or err) and counts what the
// other dependencies were asked.
type spyDevices struct {
	nopDeps
	enabled bool
	err     error
	mu      sync.Mutex
	calls   []string
}

func (s *spyDevices) note(c string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
}

func (s *spyDevices) Enabled(context.Context, string) (bool, error) { return s.enabled, s.err }
func (s *spyDevices) ObserveState(context.Context, string, time.Time, wire.State) error {
	s.note("state")
	return nil
}
func (s *spyDevices) CommandResult(context.Context, string, wire.CommandResult) error {
	s.note("cmd_result")
	return nil
}
func (s *spyDevices) PinHalves(context.Context, string, wire.PinHalvesParams) (wire.PinHalvesResult, outcome.Code, error) {
	s.note("pin_halves")
	return wire.PinHalvesResult{}, outcome.Applied, nil
}

// rawRecorder keeps every published payload by topic.
type rawRecorder struct {
	mu  sync.Mutex
	out map[string][][]byte
}

func (r *rawRecorder) Publish(_ context.Context, topic string, b []byte, _ bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out[topic] = append(r.out[topic], b)
	return nil
}

// TestDisabledDeviceChecks: a disabled (stolen) kiosk gets device_unknown
// to its requests, without the method being called, and its state and
// command results are not recorded; a registry that cannot be read
// leaves the message unanswered and unacknowledged.
func TestDisabledDeviceChecks(t *testing.T) {
	req, _ := wire.New("k1", 0, wire.TypeRPCReq, time.Now(), wire.RPCRequest{Method: wire.MethodPinHalves,
		Deadline: time.Now().Add(time.Hour), Params: []byte(`{}`)})
	st, _ := wire.New("k1", 0, wire.TypeState, time.Now(), wire.State{Online: true})
	res, _ := wire.New("k1", 0, wire.TypeCmdResult, time.Now(), wire.CommandResult{CmdID: "c1", Status: "done"})
	msgs := map[wire.Channel]wire.Envelope{wire.ChanRPCReq: req, wire.ChanState: st, wire.ChanCmdRes: res}
	tests := []struct {
		name      string
		dev       *spyDevices
		wantAck   bool
		wantCalls bool
	}{
		{"enabled", &spyDevices{enabled: true}, true, true},
		{"disabled", &spyDevices{enabled: false}, true, false},
		{"registry down", &spyDevices{err: context.DeadlineExceeded}, false, false},
	}
	for _, tt := range tests {
		for ch, env := range msgs {
			t.Run(tt.name+"/"+string(ch), func(t *testing.T) {
				var d nopDeps
				in, err := New(Options{}, Deps{Engine: d, Cards: tt.dev, Operators: d, Devices: tt.dev},
					metrics.NewRegistry(), storetest.Logger(t))
				if err != nil {
					t.Fatal(err)
				}
				rec := &rawRecorder{out: map[string][][]byte{}}
				in.out = rec
				tt.dev.calls = nil
				b, _ := env.Encode()
				if got := in.Process(context.Background(), wire.Topic("k1", ch), b); got != tt.wantAck {
					t.Errorf("acknowledged = %v, want %v", got, tt.wantAck)
				}
				if got := len(tt.dev.calls) > 0; got != tt.wantCalls {
					t.Errorf("calls = %v, want calls %v", tt.dev.calls, tt.wantCalls)
				}
				if ch == wire.ChanRPCReq {
					checkResponse(t, rec, tt.name)
				}
			})
		}
	}
}

func checkResponse(t *testing.T, rec *rawRecorder, name string) {
	t.Helper()
	out := rec.out[wire.Topic("k1", wire.ChanRPCRes)]
	if name == "registry down" {
		if len(out) != 0 {
			t.Errorf("responses = %d, want none", len(out))
		}
		return
	}
	if len(out) != 1 {
		t.Fatalf("responses = %d, want 1", len(out))
	}
	env, err := wire.Decode("k1", out[0])
	if err != nil {
		t.Fatal(err)
	}
	r, err := wire.DecodeBody[wire.RPCResponse](env)
	if err != nil {
		t.Fatal(err)
	}
	want := string(outcome.Applied)
	if name == "disabled" {
		want = string(outcome.DeviceUnknown)
	}
	if r.Outcome != want || (name == "disabled" && len(r.Result) != 0) {
		t.Errorf("response = %+v, want outcome %s", r, want)
	}
}
