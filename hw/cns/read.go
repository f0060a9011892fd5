package cns

import (
	"context"
	"errors"
	"fmt"

	"cnskiosk.dev/hw/apdu"
)

// Transmitter sends one command APDU and returns the raw response APDU.
type Transmitter interface {
	Transmit(ctx context.Context, cmd []byte) ([]byte, error)
}

// Paths of the TS-CNS files, as file identifiers below the MF (3F00).
var (
	PathIDCarta  = []uint16{0x1000, 0x1003}
	PathCCarta   = []uint16{0x1100, 0x1101}
	PathPersonal = []uint16{0x1100, 0x1102}
)

// chunk is the largest READ BINARY a short APDU asks for in one go.
const chunk = 0xFF

// SelectFile selects the EF at path (below the MF) by path (00 A4 08 0C),
// or, when the card refuses path selection, step by step from the MF.
func SelectFile(ctx context.Context, t Transmitter, path []uint16) error {
	data := make([]byte, 0, 2*len(path))
	for _, fid := range path {
		data = append(data, byte(fid>>8), byte(fid))
	}
	_, err := apdu.Run(ctx, t, apdu.Command{INS: 0xA4, P1: 0x08, P2: 0x0C, Data: data})
	if err == nil || !refusesPathSelect(err) {
		return err
	}
	for _, fid := range append([]uint16{0x3F00}, path...) {
		c := apdu.Command{INS: 0xA4, P2: 0x0C, Data: []byte{byte(fid >> 8), byte(fid)}}
		if _, err := apdu.Run(ctx, t, c); err != nil {
			return fmt.Errorf("select %04X: %w", fid, err)
		}
	}
	return nil
}

func refusesPathSelect(err error) bool {
	return errors.Is(err, apdu.ErrWrongParameters) || errors.Is(err, apdu.ErrINSNotSupported) ||
		errors.Is(err, apdu.ErrWrongLength)
}

// ReadBinary reads the selected EF from offset 0 until its end (6282, 6B00
// or a short answer), until want bytes when want > 0, and never past max:
// bytes a card sends beyond what a READ BINARY asked for are dropped.
func ReadBinary(ctx context.Context, t Transmitter, want, max int) ([]byte, error) {
	return readFrom(ctx, t, nil, want, max)
}

// readFrom goes on reading the selected EF after the len(out) bytes already read.
func readFrom(ctx context.Context, t Transmitter, out []byte, want, max int) ([]byte, error) {
	for {
		limit := max
		if want > 0 {
			limit = min(want, max)
		}
		if len(out) >= limit {
			return out, nil
		}
		le := min(chunk, limit-len(out))
		if len(out) > 0x7FFF {
			return out, fmt.Errorf("%w: offset %d", ErrTooLarge, len(out))
		}
		r, err := apdu.Exchange(ctx, t, apdu.Command{INS: 0xB0, P1: byte(len(out) >> 8), P2: byte(len(out)), Le: le})
		if err != nil {
			return out, err
		}
		data := r.Data[:min(len(r.Data), le)] // a card that sends more than Le asked is trimmed
		switch r.SW {
		case apdu.SWOK:
			out = append(out, data...)
			if len(data) < le {
				return out, nil
			}
		case apdu.SWEndOfFile:
			return append(out, data...), nil
		case apdu.SWWrongOffset:
			return out, nil
		default:
			return out, fmt.Errorf("read binary at %d: %w", len(out), r.Err())
		}
	}
}

// ReadFile selects the EF at path and reads it whole, up to max bytes.
func ReadFile(ctx context.Context, t Transmitter, path []uint16, max int) ([]byte, error) {
	if err := SelectFile(ctx, t, path); err != nil {
		return nil, err
	}
	return ReadBinary(ctx, t, 0, max)
}
