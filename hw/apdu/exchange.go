package apdu

import (
	"context"
	"fmt"
)

// Transmitter sends one command APDU and returns the raw response APDU.
// pcsc.Card and the virtual card's in-process link implement it.
type Transmitter interface {
	Transmit(ctx context.Context, cmd []byte) ([]byte, error)
}

// maxRounds bounds GET RESPONSE chains and 6Cxx resends, so a card that
// keeps answering 61xx cannot keep the host busy.
const maxRounds = 16

// Exchange sends c and returns the response, after following 61xx with GET
// RESPONSE and resending once with the right Le on 6Cxx. It returns the
// response whatever its status word; a transport error is returned as is.
// Use [Response.Err] to turn the status word into an error.
func Exchange(ctx context.Context, t Transmitter, c Command) (Response, error) {
	var data []byte
	for round := 0; round < maxRounds; round++ {
		raw, err := c.Encode()
		if err != nil {
			return Response{}, err
		}
		out, err := t.Transmit(ctx, raw)
		if err != nil {
			return Response{}, err
		}
		r, err := ParseResponse(out)
		if err != nil {
			return Response{}, err
		}
		switch r.SW1() {
		case 0x61: // more data: GET RESPONSE with Le = SW2 (00 = 256)
			data = append(data, r.Data...)
			c = Command{CLA: c.CLA &^ 0x0C, INS: 0xC0, Le: leOf(r.SW2())}
			continue
		case 0x6C: // wrong Le: resend with Le = SW2
			c.Le = leOf(r.SW2())
			continue
		}
		if data != nil {
			r.Data = append(data, r.Data...)
		}
		return r, nil
	}
	return Response{}, fmt.Errorf("%w: %s", ErrTooManyChains, c)
}

// Run is [Exchange] followed by [Response.Err]: it returns the data of a
// 9000 answer, or the status as an error.
func Run(ctx context.Context, t Transmitter, c Command) ([]byte, error) {
	r, err := Exchange(ctx, t, c)
	if err != nil {
		return nil, err
	}
	if err := r.Err(); err != nil {
		return r.Data, fmt.Errorf("%s: %w", c, err)
	}
	return r.Data, nil
}
