package rules

import (
	"time"

	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// CheckCardRef applies the code checks and the card lookup rules of a card
// reference (invalid_cf, invalid_team, invalid_expiry, card_not_found,
// card_data_mismatch) with in.Card and in.CFKnown as found by the CMS.
func CheckCardRef(in Input, ref wire.CardRef) outcome.Code {
	if d, bad := firstFail(cardCodes(in, ref), found(in, ref)); bad {
		return d.Code
	}
	return outcome.Applied
}

// CheckState says whether card c, at time now, may be used by a procedure
// that needs it in state want and not expired.
func CheckState(c Card, want State, now time.Time) outcome.Code {
	in := Input{Now: now, Card: &c}
	if d, bad := firstFail(inState(in, want), notExpired(in)); bad {
		return d.Code
	}
	return outcome.Applied
}
