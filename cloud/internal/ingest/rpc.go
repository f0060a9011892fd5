package ingest

import (
	"context"
	"encoding/json"

	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// rpc answers one request on the device's rpc/res topic. A request past
// its deadline is dropped: the kiosk has stopped waiting.
// A device that is unknown or disabled (a stolen kiosk) is answered
// device_unknown without calling the method.
func (in *Ingest) rpc(ctx context.Context, dev string, env wire.Envelope) verdict {
	req, err := wire.DecodeBody[wire.RPCRequest](env)
	if err != nil {
		in.reject(dev, err)
		return ackNow
	}
	if !in.now().Before(req.Deadline) {
		in.m.rejected.With("deadline").Inc()
		in.log.Info("request past its deadline dropped", "dev", dev, "method", req.Method, "req", env.ID)
		return ackNow
	}
	known, v := in.checkDevice(ctx, dev, "request "+env.ID)
	if v != nil {
		return *v
	}
	rctx, cancel := context.WithDeadline(ctx, req.Deadline)
	defer cancel()
	res := wire.RPCResponse{ReqID: env.ID}
	code, result := outcome.DeviceUnknown, json.RawMessage(nil)
	if known {
		code, result = in.call(rctx, dev, req)
	} else {
		in.m.rejected.With(string(code)).Inc()
	}
	if ctx.Err() != nil {
		return noAck
	}
	if rctx.Err() != nil {
		in.m.rejected.With("deadline").Inc()
		return ackNow
	}
	res.Outcome, res.Message, res.Result = string(code), code.Message(), result
	in.m.rpc.With(string(req.Method), string(code)).Inc()
	out, err := wire.New(dev, 0, wire.TypeRPCRes, in.now(), res)
	if err != nil {
		in.log.Error("response not built", "dev", dev, "method", req.Method, "err", err)
		return ackNow
	}
	return in.send(ctx, dev, wire.ChanRPCRes, out)
}

// checkDevice checks dev before a request, a state or a command result.
// A registry that cannot be read is no verdict: the returned verdict
// (noAck) leaves the message unanswered, as for operations.
func (in *Ingest) checkDevice(ctx context.Context, dev, what string) (bool, *verdict) {
	_, ok, err := in.deviceOK(ctx, dev)
	if err != nil {
		in.m.rejected.With("device_check_failed").Inc()
		in.log.Error("device check failed", "dev", dev, "msg", what, "err", err)
		return false, &noAck
	}
	if !ok && ctx.Err() != nil {
		return false, &noAck
	}
	return ok, nil
}

// call runs the method. Results are never logged: pin_halves carries secrets.
func (in *Ingest) call(ctx context.Context, dev string, req wire.RPCRequest) (outcome.Code, json.RawMessage) {
	var res any
	var code outcome.Code
	var err error
	switch req.Method {
	case wire.MethodCardLookup:
		res, code, err = callWith(ctx, dev, req.Params, in.deps.Cards.LookupCard)
	case wire.MethodPinHalves:
		res, code, err = callWith(ctx, dev, req.Params, in.deps.Cards.PinHalves)
	case wire.MethodOperatorChallenge:
		res, code, err = callWith(ctx, dev, req.Params, in.deps.Operators.Challenge)
	case wire.MethodOperatorAuth:
		res, code, err = callWith(ctx, dev, req.Params, in.deps.Operators.Auth)
	default:
		return outcome.Malformed, nil
	}
	if err != nil {
		in.log.Error("request failed", "dev", dev, "method", req.Method, "err", err)
		return outcome.Internal, nil
	}
	if code != outcome.Applied {
		return code, nil
	}
	b, err := json.Marshal(res)
	if err != nil {
		return outcome.Internal, nil
	}
	return code, b
}

func callWith[P, R any](ctx context.Context, dev string, raw json.RawMessage,
	f func(context.Context, string, P) (R, outcome.Code, error)) (any, outcome.Code, error) {
	p, err := wire.DecodeBody[P](wire.Envelope{Body: raw})
	if err != nil {
		return nil, outcome.Malformed, nil
	}
	if v, ok := any(p).(interface{ Validate() error }); ok && v.Validate() != nil {
		return nil, outcome.Malformed, nil
	}
	r, code, err := f(ctx, dev, p)
	return r, code, err
}
