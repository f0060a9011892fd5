package ingesttest

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"cnskiosk.dev/cloud/internal/ingest"
	"cnskiosk.dev/shared/wire"
)

// Kiosk is a simulated kiosk connected to a broker.
type Kiosk struct {
	ID  string
	c   *ingest.Client
	seq atomic.Uint64
	ack chan wire.Ack
	res chan wire.RPCResponse
	bad atomic.Int64
}

// Dial connects kiosk id to broker (tls://host:port) with cfg, subscribed
// to its ack and rpc/res topics. lost, if not nil, is told when the
// connection drops.
func Dial(ctx context.Context, broker, id string, cfg *tls.Config, lost func(error), log *slog.Logger) (*Kiosk, error) {
	k := &Kiosk{ID: id, ack: make(chan wire.Ack, 4096), res: make(chan wire.RPCResponse, 64)}
	subs := map[string]ingest.Handler{
		wire.Topic(id, wire.ChanAck):    k.onAck,
		wire.Topic(id, wire.ChanRPCRes): k.onRes,
	}
	will, _ := wire.New(id, 0, wire.TypeState, time.Now(), wire.State{Online: false})
	wb, _ := will.Encode()
	c, err := ingest.Dial(ctx, ingest.Config{Broker: broker, ClientID: id, TLS: cfg, CleanSession: false, Subs: subs,
		Will: &ingest.Will{Topic: wire.Topic(id, wire.ChanState), Payload: wb, Retain: true}, OnLost: lost}, log)
	if err != nil {
		return nil, err
	}
	k.c = c
	return k, nil
}

// Close disconnects the kiosk.
func (k *Kiosk) Close() { k.c.Close(100 * time.Millisecond) }

// Acks delivers the acks the kiosk receives.
func (k *Kiosk) Acks() <-chan wire.Ack { return k.ack }

// Responses delivers the rpc responses the kiosk receives.
func (k *Kiosk) Responses() <-chan wire.RPCResponse { return k.res }

// Invalid counts messages received that did not decode.
func (k *Kiosk) Invalid() int64 { return k.bad.Load() }

func (k *Kiosk) onAck(m ingest.Message) {
	env, err := wire.Decode(k.ID, m.Payload())
	a, berr := wire.DecodeBody[wire.Ack](env)
	if err != nil || berr != nil {
		k.bad.Add(1)
		return
	}
	k.ack <- a
}

func (k *Kiosk) onRes(m ingest.Message) {
	env, err := wire.Decode(k.ID, m.Payload())
	r, berr := wire.DecodeBody[wire.RPCResponse](env)
	if err != nil || berr != nil {
		k.bad.Add(1)
		return
	}
	k.res <- r
}

// Op builds the kiosk's next operation.
func (k *Kiosk) Op(t wire.Type, body any) (wire.Envelope, error) {
	return wire.New(k.ID, k.seq.Add(1), t, time.Now(), body)
}

// Send publishes env on the topic of its channel.
func (k *Kiosk) Send(ctx context.Context, ch wire.Channel, env wire.Envelope) error {
	b, err := env.Encode()
	if err != nil {
		return err
	}
	return k.c.Publish(ctx, wire.Topic(k.ID, ch), b, false)
}

// PublishRaw publishes payload on any topic (to test the ACL and the checks).
func (k *Kiosk) PublishRaw(ctx context.Context, topic string, payload []byte) error {
	return k.c.Publish(ctx, topic, payload, false)
}

// Request sends an rpc request and waits for its response.
func (k *Kiosk) Request(ctx context.Context, m wire.Method, params any, timeout time.Duration) (wire.RPCResponse, error) {
	raw, err := json.Marshal(params)
	if err != nil {
		return wire.RPCResponse{}, err
	}
	env, err := wire.New(k.ID, 0, wire.TypeRPCReq, time.Now(), wire.RPCRequest{Method: m, Deadline: time.Now().Add(timeout), Params: raw})
	if err != nil {
		return wire.RPCResponse{}, err
	}
	if err := k.Send(ctx, wire.ChanRPCReq, env); err != nil {
		return wire.RPCResponse{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		select {
		case r := <-k.res:
			if r.ReqID == env.ID {
				return r, nil
			}
		case <-ctx.Done():
			return wire.RPCResponse{}, fmt.Errorf("ingesttest: %s: no response: %w", m, ctx.Err())
		}
	}
}

// Deliver publishes envs as a kiosk outbox does: every one, then again
// those not acked at each tick of resend, until each has an ack or ctx
// ends. It returns the acks by operation id.
func (k *Kiosk) Deliver(ctx context.Context, envs []wire.Envelope, resend <-chan time.Time) (map[string]wire.Ack, error) {
	got := map[string]wire.Ack{}
	send := func() error {
		for _, e := range envs {
			if _, ok := got[e.ID]; !ok {
				if err := k.Send(ctx, wire.ChanOps, e); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := send(); err != nil {
		return got, err
	}
	for len(got) < len(envs) {
		select {
		case a := <-k.ack:
			got[a.OpID] = a
		case <-resend:
			if err := send(); err != nil {
				return got, err
			}
		case <-ctx.Done():
			return got, fmt.Errorf("ingesttest: %d of %d acked: %w", len(got), len(envs), ctx.Err())
		}
	}
	return got, nil
}
