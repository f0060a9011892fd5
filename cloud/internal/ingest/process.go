package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// replyTimeout bounds the publication of one ack or response.
const replyTimeout = 10 * time.Second

// Process handles one message received on topic and waits for the
// broker to take its reply. It reports false when the message must stay
// unacknowledged at the MQTT level (processing was cancelled or the reply
// could not be published), true otherwise.
func (in *Ingest) Process(ctx context.Context, topic string, payload []byte) bool {
	return in.settle(ctx, in.process(ctx, topic, payload), nil)
}

// process handles one message; the verdict says when to acknowledge it.
func (in *Ingest) process(ctx context.Context, topic string, payload []byte) verdict {
	dev, ch, err := wire.ParseTopic(topic)
	if err != nil {
		in.reject(dev, err)
		return ackNow
	}
	env, err := wire.Decode(dev, payload)
	if err == nil {
		err = checkChannel(ch, env.Type)
	}
	if err != nil {
		in.reject(dev, err)
		if ch == wire.ChanOps {
			return in.rejectOp(ctx, dev, payload, statusFor(err), err)
		}
		return ackNow
	}
	switch ch {
	case wire.ChanOps:
		return in.op(ctx, dev, env)
	case wire.ChanRPCReq:
		return in.rpc(ctx, dev, env)
	}
	ok, v := in.checkDevice(ctx, dev, string(ch))
	switch {
	case v != nil:
		return *v
	case !ok:
		// A disabled (stolen) or unknown kiosk: nothing is recorded.
		in.m.rejected.With(string(outcome.DeviceUnknown)).Inc()
		in.log.Warn("message of a disabled or unknown device dropped", "dev", dev, "channel", ch)
	case ch == wire.ChanState:
		in.state(ctx, dev, env)
	case ch == wire.ChanCmdRes:
		in.cmdResult(ctx, dev, env)
	}
	return ackIf(ctx.Err() == nil)
}

func checkChannel(ch wire.Channel, t wire.Type) error {
	ok := false
	switch ch {
	case wire.ChanOps:
		ok = t.IsOp()
	case wire.ChanRPCReq:
		ok = t == wire.TypeRPCReq
	case wire.ChanState:
		ok = t == wire.TypeState
	case wire.ChanCmdRes:
		ok = t == wire.TypeCmdResult
	}
	if !ok {
		return ErrWrongChannel
	}
	return nil
}

func (in *Ingest) reject(dev string, err error) {
	reason := Reason(err)
	in.m.rejected.With(reason).Inc()
	in.log.Warn("message rejected", "dev", dev, "reason", reason, "err", err)
}

// statusFor is the ack status of an operation that could not be decoded:
// an envelope version this cloud does not speak may be spoken by a later
// release, so the kiosk keeps it (retry); anything else is final.
func statusFor(err error) wire.Status {
	if errors.Is(err, wire.ErrVersion) {
		return wire.StatusRetry
	}
	return wire.StatusRejected
}

// rejectOp answers an operation that could not be processed, if its id can
// be read: rejected makes the kiosk drop it, retry keep it.
func (in *Ingest) rejectOp(ctx context.Context, dev string, payload []byte, st wire.Status, cause error) verdict {
	var head struct {
		ID  string `json:"id"`
		Seq uint64 `json:"seq"`
	}
	if len(payload) > wire.MaxMessageSize || json.Unmarshal(payload, &head) != nil || head.ID == "" || len(head.ID) > 64 {
		return ackNow
	}
	code := outcome.Malformed
	ack := wire.Ack{OpID: head.ID, OpSeq: head.Seq, Status: st, Outcome: string(code), Message: code.Message()}
	if st == wire.StatusRetry {
		// wire.Ack has no detail field: the cause goes after the message.
		ack.Message = truncate(code.Message()+" ("+cause.Error()+")", wire.MaxText)
	}
	return in.sendAck(ctx, dev, ack, time.Time{})
}

func (in *Ingest) op(ctx context.Context, dev string, env wire.Envelope) verdict {
	start := in.now()
	code, ok, err := in.deviceOK(ctx, dev)
	if err != nil {
		// The registry could not be read: no verdict. The message stays
		// unacknowledged and the kiosk keeps the operation.
		in.m.rejected.With("device_check_failed").Inc()
		in.log.Error("device check failed", "dev", dev, "op", env.ID, "err", err)
		return noAck
	}
	if !ok {
		if ctx.Err() != nil {
			return noAck
		}
		in.m.rejected.With(string(code)).Inc()
		ack := wire.Ack{OpID: env.ID, OpSeq: env.Seq, Status: wire.StatusRejected, Outcome: string(code), Message: code.Message()}
		return in.sendAck(ctx, dev, ack, time.Time{})
	}
	ack, err := in.deps.Engine.Apply(ctx, env)
	if err != nil {
		in.m.rejected.With("apply_failed").Inc()
		in.log.Error("operation not applied", "dev", dev, "op", env.ID, "seq", env.Seq, "err", err)
		return ackIf(ctx.Err() == nil) // no ack: the kiosk sends it again
	}
	return in.sendAck(ctx, dev, ack, start)
}

// deviceOK checks that dev is registered and enabled. An error means the
// registry could not be read: that is no verdict on the device.
func (in *Ingest) deviceOK(ctx context.Context, dev string) (outcome.Code, bool, error) {
	ok, err := in.deps.Devices.Enabled(ctx, dev)
	switch {
	case errors.Is(err, fleet.ErrUnknownDevice):
		return outcome.DeviceUnknown, false, nil
	case err != nil:
		return "", false, err
	case !ok:
		return outcome.DeviceUnknown, false, nil
	}
	return "", true, nil
}

// sendAck publishes ack; once the broker has it, the ack is counted and,
// when start is set, the time since start observed.
func (in *Ingest) sendAck(ctx context.Context, dev string, ack wire.Ack, start time.Time) verdict {
	b, err := encodeAck(dev, in.now(), ack)
	if err != nil {
		in.log.Error("ack not built", "dev", dev, "op", ack.OpID, "err", err)
		return ackNow
	}
	v := in.publish(ctx, dev, wire.ChanAck, b)
	v.status, v.start = ack.Status, start
	return v
}

func (in *Ingest) state(ctx context.Context, dev string, env wire.Envelope) {
	s, err := wire.DecodeBody[wire.State](env)
	if err == nil {
		err = in.deps.Devices.ObserveState(ctx, dev, env.At, s)
	}
	if err != nil {
		in.m.rejected.With("state").Inc()
		in.log.Warn("state not recorded", "dev", dev, "err", err)
	}
}

func (in *Ingest) cmdResult(ctx context.Context, dev string, env wire.Envelope) {
	r, err := wire.DecodeBody[wire.CommandResult](env)
	if err == nil {
		err = in.deps.Devices.CommandResult(ctx, dev, r)
	}
	if err != nil {
		in.m.rejected.With("cmd_result").Inc()
		in.log.Warn("command result not recorded", "dev", dev, "err", err)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
