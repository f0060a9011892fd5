package ingest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"cnskiosk.dev/shared/wire"
)

// encodeAck returns the envelope of ack for device dev, as
// wire.New(dev, 0, wire.TypeAck, at, ack) followed by Encode would, without
// parsing back the body just built (wire.New validates what it builds by
// decoding it; on the hot path that was as costly as the encoding).
// ack.Validate and the device id check still run; TestEncodeAckMatchesWire
// keeps the bytes identical to the wire package's.
func encodeAck(dev string, at time.Time, ack wire.Ack) ([]byte, error) {
	if err := wire.ValidateDeviceID(dev); err != nil {
		return nil, err
	}
	if err := ack.Validate(); err != nil {
		return nil, fmt.Errorf("%w: ack body: %v", wire.ErrMalformed, err)
	}
	body, err := json.Marshal(ack)
	if err != nil {
		return nil, fmt.Errorf("wire: encode ack body: %w", err)
	}
	at = at.UTC().Truncate(time.Millisecond)
	b := make([]byte, 0, len(body)+len(dev)+128)
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, wire.Version, 10)
	b = append(b, `,"id":"`...)
	b = append(b, wire.NewID(at)...) // a ULID: Crockford base32, nothing to escape
	b = append(b, `","dev":"`...)
	b = append(b, dev...) // checked above: [a-z0-9._-]
	b = append(b, `","seq":0,"type":"`...)
	b = append(b, wire.TypeAck...)
	b = append(b, `","at":"`...)
	b = at.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","body":`...)
	b = append(b, body...)
	b = append(b, '}')
	if len(b) > wire.MaxMessageSize {
		return nil, fmt.Errorf("%w: %d bytes", wire.ErrOversize, len(b))
	}
	return b, nil
}
