package ingest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

type nopDeps struct{}

func (nopDeps) Apply(_ context.Context, e wire.Envelope) (wire.Ack, error) {
	return wire.Ack{OpID: e.ID, Status: wire.StatusApplied, Outcome: "applied"}, nil
}
func (nopDeps) LookupCard(context.Context, string, wire.CardLookupParams) (wire.CardLookupResult, outcome.Code, error) {
	return wire.CardLookupResult{}, outcome.CardNotFound, nil
}
func (nopDeps) PinHalves(context.Context, string, wire.PinHalvesParams) (wire.PinHalvesResult, outcome.Code, error) {
	return wire.PinHalvesResult{}, outcome.CardNotFound, nil
}
func (nopDeps) Challenge(context.Context, string, wire.OperatorChallengeParams) (wire.OperatorChallengeResult, outcome.Code, error) {
	return wire.OperatorChallengeResult{}, outcome.Applied, nil
}
func (nopDeps) Auth(context.Context, string, wire.OperatorAuthParams) (wire.OperatorAuthResult, outcome.Code, error) {
	return wire.OperatorAuthResult{}, outcome.OperatorNotAuthorised, nil
}
func (nopDeps) Enabled(context.Context, string) (bool, error)                     { return true, nil }
func (nopDeps) ObserveState(context.Context, string, time.Time, wire.State) error { return nil }
func (nopDeps) CommandResult(context.Context, string, wire.CommandResult) error   { return nil }
func (nopDeps) Publish(context.Context, string, []byte, bool) error               { return nil }

// FuzzProcess feeds arbitrary payloads on every device channel: Process
// must never panic, whatever the bytes.
func FuzzProcess(f *testing.F) {
	good, _ := wire.New("k1", 1, wire.OpAbandoned, time.Now(), wire.Abandoned{
		Common: wire.Common{Operator: wire.Operator{CF: "X"}}, Procedure: wire.OpActivation, Step: "ID1"})
	gb, _ := good.Encode()
	f.Add(uint8(0), gb)
	f.Add(uint8(1), []byte(`{"v":1,"id":"01J0000000000000000000000","dev":"k1","type":"rpc.req","at":"2026-01-01T00:00:00Z","body":{"method":"card_lookup","deadline":"2099-01-01T00:00:00Z","params":{}}}`))
	f.Add(uint8(2), []byte(`{"v":1,"id":"x","dev":"k1","type":"state","at":"2026-01-01T00:00:00Z","body":{"online":true}}`))
	f.Add(uint8(3), []byte(`{"v":2}`))
	f.Add(uint8(0), []byte(`{"id":"01J0000000000000000000000","seq":3}`))
	f.Add(uint8(0), []byte{0xff, 0x00})
	chans := []wire.Channel{wire.ChanOps, wire.ChanRPCReq, wire.ChanState, wire.ChanCmdRes}
	var d nopDeps
	in, err := New(Options{}, Deps{Engine: d, Cards: d, Operators: d, Devices: d}, metrics.NewRegistry(), slog.New(slog.DiscardHandler))
	if err != nil {
		f.Fatal(err)
	}
	in.out = d
	f.Fuzz(func(t *testing.T, ch uint8, payload []byte) {
		in.Process(context.Background(), wire.Topic("k1", chans[int(ch)%len(chans)]), payload)
	})
}
