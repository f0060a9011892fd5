package ingest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"cnskiosk.dev/shared/wire"
)

// encodeAck returns the envelope of ack for device dev, as
// wire.New(dev, 0, wire.TypeAck, at, ack) followed by Encode would, without
// parsing back the body just built (wire.New validates what it builds by
// decoding it; on the hot path that was as costly as the encoding), and
// written straight into the one buffer it returns: no json.Marshal of the
// body and copy of it. ack.Validate and the device id check still run;
// TestEncodeAckMatchesWire and FuzzEncodeAckMatchesWire keep the bytes
// identical to the wire package's.
func encodeAck(dev string, at time.Time, ack wire.Ack) ([]byte, error) {
	if err := wire.ValidateDeviceID(dev); err != nil {
		return nil, err
	}
	if err := ack.Validate(); err != nil {
		return nil, fmt.Errorf("%w: ack body: %v", wire.ErrMalformed, err)
	}
	at = at.UTC().Truncate(time.Millisecond)
	// Escapes make a string at most 6 times longer; plain text, as the
	// Italian messages are, is not longer at all.
	n := 220 + len(dev) + len(ack.OpID) + len(ack.Status) + len(ack.Outcome) + len(ack.Message) + len(ack.Result)
	b := make([]byte, 0, n+n/8)
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, wire.Version, 10)
	b = append(b, `,"id":"`...)
	b = wire.AppendID(b, at) // a ULID: Crockford base32, nothing to escape
	b = append(b, `","dev":"`...)
	b = append(b, dev...) // checked above: [a-z0-9._-]
	b = append(b, `","seq":0,"type":"`...)
	b = append(b, wire.TypeAck...)
	b = append(b, `","at":"`...)
	b = at.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","body":{"op_id":`...)
	b = appendString(b, ack.OpID)
	b = append(b, `,"op_seq":`...)
	b = strconv.AppendUint(b, ack.OpSeq, 10)
	b = append(b, `,"status":`...)
	b = appendString(b, string(ack.Status))
	b = append(b, `,"outcome":`...)
	b = appendString(b, ack.Outcome)
	b = append(b, `,"message":`...)
	b = appendString(b, ack.Message)
	if len(ack.Result) > 0 {
		b = append(b, `,"result":`...)
		var err error
		if b, err = appendRaw(b, ack.Result); err != nil {
			return nil, fmt.Errorf("wire: encode ack body: %w", err)
		}
	}
	b = append(b, "}}"...)
	if len(b) > wire.MaxMessageSize {
		return nil, fmt.Errorf("%w: %d bytes", wire.ErrOversize, len(b))
	}
	return b, nil
}

// appendString appends s as a JSON string exactly as encoding/json writes
// it (HTML-safe: <, > and & escaped; invalid UTF-8 as U+FFFD; U+2028 and
// U+2029 escaped).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendRaw appends the raw JSON value v as encoding/json writes a
// json.RawMessage: checked, compact and HTML-safe. A value that already is
// (the engine's results are json.Marshal output) is copied as it is.
func appendRaw(b []byte, v json.RawMessage) ([]byte, error) {
	for _, c := range v {
		switch c {
		case ' ', '\t', '\n', '\r', '<', '>', '&', 0xE2: // 0xE2: U+2028 and U+2029 begin with it
			m, err := json.Marshal(v)
			return append(b, m...), err
		}
	}
	if !json.Valid(v) {
		_, err := json.Marshal(v) // its error, for the log
		return b, err
	}
	return append(b, v...), nil
}
