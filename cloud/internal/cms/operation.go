package cms

import (
	"fmt"

	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/shared/wire"
)

// operation is a decoded operation envelope and what the engine needs to
// find its card, operator and counter.
type operation struct {
	env     wire.Envelope
	body    any // a wire operation body, by value
	common  wire.Common
	team    string // card named by the operation; "" if none
	cf      string // holder CF named by the operation; "" if none
	counter string // the device's registered counter (see counterOf)
	// badCounter, when set, says why the counter named by the body is
	// refused: the operation is decided counter_mismatch.
	badCounter string
}

// subject names the card in the audit record: TEAM, else CF.
func (op operation) subject() string {
	if op.team != "" {
		return op.team
	}
	return op.cf
}

func decode(env wire.Envelope) (operation, error) {
	if env.ID == "" || env.Dev == "" || !env.Type.IsOp() {
		return operation{}, fmt.Errorf("%w: envelope without id, device or operation type", wire.ErrMalformed)
	}
	op := operation{env: env}
	var err error
	switch env.Type {
	case wire.OpActivation:
		err = decodeAs[wire.Activation](&op, func(b wire.Activation) (wire.Common, *wire.CardRef) { return b.Common, &b.Card })
	case wire.OpFSEConsent:
		err = decodeAs[wire.FSEConsent](&op, func(b wire.FSEConsent) (wire.Common, *wire.CardRef) { return b.Common, &b.Card })
	case wire.OpSuspension:
		err = decodeAs[wire.Suspension](&op, func(b wire.Suspension) (wire.Common, *wire.CardRef) { return b.Common, &b.Card })
	case wire.OpReactivation:
		err = decodeAs[wire.Reactivation](&op, func(b wire.Reactivation) (wire.Common, *wire.CardRef) { return b.Common, &b.Card })
	case wire.OpReissue:
		err = decodeAs[wire.Reissue](&op, func(b wire.Reissue) (wire.Common, *wire.CardRef) { return b.Common, &b.Card })
	case wire.OpPinReprint:
		err = decodeAs[wire.PinReprint](&op, func(b wire.PinReprint) (wire.Common, *wire.CardRef) { return b.Common, &b.Card })
	case wire.OpRevocation:
		err = decodeAs[wire.Revocation](&op, func(b wire.Revocation) (wire.Common, *wire.CardRef) {
			return b.Common, &wire.CardRef{TEAM: b.TEAM}
		})
	case wire.OpReaderRequest:
		err = decodeAs[wire.ReaderRequest](&op, func(b wire.ReaderRequest) (wire.Common, *wire.CardRef) { return b.Common, &b.Card })
	case wire.OpRegistryDataWrong:
		err = decodeAs[wire.RegistryDataWrong](&op, func(b wire.RegistryDataWrong) (wire.Common, *wire.CardRef) { return b.Common, &b.Card })
	case wire.OpAbandoned:
		err = decodeAs[wire.Abandoned](&op, func(b wire.Abandoned) (wire.Common, *wire.CardRef) { return b.Common, b.Card })
	default:
		err = fmt.Errorf("%w: operation type %q", wire.ErrType, env.Type)
	}
	return op, err
}

type validator interface{ Validate() error }

func decodeAs[T validator](op *operation, parts func(T) (wire.Common, *wire.CardRef)) error {
	b, err := wire.DecodeValid[T](op.env)
	if err != nil {
		return err
	}
	op.body = b
	c, ref := parts(b)
	op.common = c
	op.counter = op.env.Dev // until resolveCounter
	if ref != nil {
		op.team, op.cf = ref.TEAM, rules.NormCF(ref.CF)
	}
	return nil
}
