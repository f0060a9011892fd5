package mqttlite

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Packet types (MQTT 3.1.1, 2.2.1), the high nibble of the first byte.
const (
	typeConnect    = 1
	typeConnack    = 2
	typePublish    = 3
	typePuback     = 4
	typePubrec     = 5
	typePubrel     = 6
	typePubcomp    = 7
	typeSubscribe  = 8
	typeSuback     = 9
	typeUnsubscr   = 10
	typeUnsuback   = 11
	typePingreq    = 12
	typePingresp   = 13
	typeDisconnect = 14
)

var typeNames = [16]string{"reserved", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
	"SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "reserved"}

// DefaultMaxPacket bounds every packet read or written, header included:
// the payload limit of the wire contract (64 KiB) plus 4 KiB for the
// header and topic, as cmsd's embedded broker and the shipped Mosquitto
// configuration (max_packet_size) do.
const DefaultMaxPacket = 64<<10 + 4<<10

// packet is one decoded packet from the broker. topic and payload alias
// the buffer it was read into.
type packet struct {
	kind    byte
	id      uint16 // PUBLISH (QoS > 0), PUBACK, SUBACK
	qos     byte   // PUBLISH
	dup     bool   // PUBLISH
	retain  bool   // PUBLISH
	topic   []byte // PUBLISH
	payload []byte // PUBLISH
	session bool   // CONNACK: session present
	code    byte   // CONNACK: return code
	granted []byte // SUBACK: one return code per filter
}

// readPacket reads one packet from r: its first byte and its body (the
// remaining length bytes), read into buf, which it grows when needed and
// returns for the next call. At a packet boundary a closed stream gives
// io.EOF; inside a packet, io.ErrUnexpectedEOF.
func readPacket(r *bufio.Reader, buf []byte, limit int) (byte, []byte, []byte, error) {
	h, err := r.ReadByte()
	if err != nil {
		return 0, nil, buf, err
	}
	n, lenBytes := 0, 0
	for shift := 0; ; shift += 7 {
		b, err := r.ReadByte()
		if err != nil {
			return h, nil, buf, truncated("remaining length", err)
		}
		lenBytes++
		n |= int(b&0x7f) << shift
		if b&0x80 == 0 {
			break
		}
		if lenBytes == 4 {
			return h, nil, buf, fmt.Errorf("%w: remaining length longer than 4 bytes", ErrMalformed)
		}
	}
	if total := 1 + lenBytes + n; total > limit {
		return h, nil, buf, fmt.Errorf("%w: %s of %d bytes > %d", ErrOversize, typeNames[h>>4], total, limit)
	}
	if cap(buf) < n {
		buf = make([]byte, n, max(n, min(512, limit)))
	}
	body := buf[:n]
	if _, err := io.ReadFull(r, body); err != nil {
		return h, nil, buf, truncated(typeNames[h>>4], err)
	}
	return h, body, buf, nil
}

// truncated names where the stream ended inside a packet.
func truncated(what string, err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("mqttlite: truncated packet (%s): %w", what, err)
}

// decode checks and decodes a packet a broker may send a client: CONNACK,
// PUBLISH (QoS 0 or 1), PUBACK, SUBACK, PINGRESP. Any other well-formed
// type is ErrProtocol: this client never asks for it.
func decode(h byte, body []byte) (packet, error) {
	p := packet{kind: h >> 4}
	flags := h & 0x0f
	name := typeNames[p.kind]
	if p.kind != typePublish && flags != fixedFlags(p.kind) {
		return p, fmt.Errorf("%w: %s with flags %#x", ErrMalformed, name, flags)
	}
	switch p.kind {
	case typeConnack:
		if len(body) != 2 {
			return p, fmt.Errorf("%w: CONNACK of %d bytes, want 2", ErrMalformed, len(body))
		}
		if body[0]&^1 != 0 {
			return p, fmt.Errorf("%w: CONNACK reserved flags %#x", ErrMalformed, body[0])
		}
		p.session, p.code = body[0] == 1, body[1]
		if p.session && p.code != 0 {
			return p, fmt.Errorf("%w: CONNACK refusal %d with session present", ErrMalformed, p.code)
		}
	case typePublish:
		return decodePublish(p, flags, body)
	case typePuback:
		if len(body) != 2 {
			return p, fmt.Errorf("%w: PUBACK of %d bytes, want 2", ErrMalformed, len(body))
		}
		if p.id = binary.BigEndian.Uint16(body); p.id == 0 {
			return p, fmt.Errorf("%w: PUBACK with packet id 0", ErrMalformed)
		}
	case typeSuback:
		if len(body) < 3 {
			return p, fmt.Errorf("%w: SUBACK of %d bytes, want at least 3", ErrMalformed, len(body))
		}
		if p.id = binary.BigEndian.Uint16(body); p.id == 0 {
			return p, fmt.Errorf("%w: SUBACK with packet id 0", ErrMalformed)
		}
		p.granted = body[2:]
		for _, c := range p.granted {
			if c > 2 && c != 0x80 {
				return p, fmt.Errorf("%w: SUBACK return code %#x", ErrMalformed, c)
			}
		}
	case typePingresp:
		if len(body) != 0 {
			return p, fmt.Errorf("%w: PINGRESP of %d bytes, want 0", ErrMalformed, len(body))
		}
	case 0, 15:
		return p, fmt.Errorf("%w: reserved packet type %d", ErrMalformed, p.kind)
	default:
		return p, fmt.Errorf("%w: %s from the broker", ErrProtocol, name)
	}
	return p, nil
}

// fixedFlags are the flags the first byte of a packet other than PUBLISH
// must carry (2.2.2).
func fixedFlags(kind byte) byte {
	switch kind {
	case typePubrel, typeSubscribe, typeUnsubscr:
		return 2
	}
	return 0
}

func decodePublish(p packet, flags byte, body []byte) (packet, error) {
	p.dup, p.qos, p.retain = flags&8 != 0, flags>>1&3, flags&1 != 0
	if p.qos == 3 {
		return p, fmt.Errorf("%w: PUBLISH with QoS 3", ErrMalformed)
	}
	if p.qos == 0 && p.dup {
		return p, fmt.Errorf("%w: PUBLISH QoS 0 with DUP", ErrMalformed)
	}
	if len(body) < 2 {
		return p, fmt.Errorf("%w: PUBLISH of %d bytes has no topic length", ErrMalformed, len(body))
	}
	tl := int(binary.BigEndian.Uint16(body))
	rest := body[2:]
	if tl > len(rest) {
		return p, fmt.Errorf("%w: PUBLISH topic of %d bytes in %d", ErrMalformed, tl, len(rest))
	}
	p.topic, rest = rest[:tl], rest[tl:]
	if err := checkTopicName(p.topic); err == nil && !utf8.Valid(p.topic) {
		return p, fmt.Errorf("%w: PUBLISH topic not UTF-8", ErrMalformed)
	} else if err != nil {
		return p, fmt.Errorf("%w: PUBLISH %v", ErrMalformed, err)
	}
	if p.qos > 0 {
		if len(rest) < 2 {
			return p, fmt.Errorf("%w: PUBLISH QoS %d without packet id", ErrMalformed, p.qos)
		}
		if p.id = binary.BigEndian.Uint16(rest); p.id == 0 {
			return p, fmt.Errorf("%w: PUBLISH with packet id 0", ErrMalformed)
		}
		rest = rest[2:]
	}
	if p.qos == 2 {
		return p, fmt.Errorf("%w: PUBLISH at QoS 2, never subscribed", ErrProtocol)
	}
	p.payload = rest
	return p, nil
}

// checkTopicName checks a topic name of a PUBLISH (4.7, 1.5.3): not
// empty, no NUL, no wildcard. UTF-8 is checked by the caller (utf8.Valid
// or utf8.ValidString, without a conversion).
func checkTopicName[T string | []byte](t T) error {
	if len(t) == 0 {
		return errors.New("empty topic")
	}
	if len(t) > 0xffff {
		return fmt.Errorf("topic of %d bytes", len(t))
	}
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case 0, '+', '#':
			return fmt.Errorf("topic with %q", t[i])
		}
	}
	return nil
}

// appendLength appends the remaining length n (2.2.3).
func appendLength(b []byte, n int) []byte {
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n > 0 {
			c |= 0x80
		}
		b = append(b, c)
		if n == 0 {
			return b
		}
	}
}

// lengthSize is how many bytes appendLength uses for n.
func lengthSize(n int) int {
	s := 1
	for n >= 0x80 {
		n >>= 7
		s++
	}
	return s
}

func appendString[T string | []byte](b []byte, s T) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// connectOptions are the fields of a CONNECT.
type connectOptions struct {
	clientID     string
	cleanSession bool
	keepAlive    uint16 // seconds
	will         *Will  // sent at QoS 1
}

// appendConnect appends a CONNECT (3.1): protocol MQTT level 4, no user
// name or password (the broker takes the identity from the certificate).
func appendConnect(b []byte, o connectOptions) []byte {
	var flags byte
	n := 10 + 2 + len(o.clientID)
	if o.cleanSession {
		flags |= 0x02
	}
	if w := o.will; w != nil {
		flags |= 0x04 | 1<<3 // will, will QoS 1
		if w.Retain {
			flags |= 0x20
		}
		n += 2 + len(w.Topic) + 2 + len(w.Payload)
	}
	b = append(b, typeConnect<<4)
	b = appendLength(b, n)
	b = appendString(b, "MQTT")
	b = append(b, 4, flags)
	b = binary.BigEndian.AppendUint16(b, o.keepAlive)
	b = appendString(b, o.clientID)
	if w := o.will; w != nil {
		b = appendString(b, w.Topic)
		b = appendString(b, w.Payload)
	}
	return b
}

// appendSubscribe appends a SUBSCRIBE of filters at QoS 1 (3.8).
func appendSubscribe(b []byte, id uint16, filters []string) []byte {
	n := 2
	for _, f := range filters {
		n += 2 + len(f) + 1
	}
	b = append(b, typeSubscribe<<4|2)
	b = appendLength(b, n)
	b = binary.BigEndian.AppendUint16(b, id)
	for _, f := range filters {
		b = appendString(b, f)
		b = append(b, 1)
	}
	return b
}

// publishSize is the size of the PUBLISH appendPublish appends.
func publishSize(topic string, payload []byte, qos byte) int {
	n := 2 + len(topic) + len(payload)
	if qos > 0 {
		n += 2
	}
	return 1 + lengthSize(n) + n
}

// appendPublish appends a PUBLISH (3.3); id is ignored at QoS 0.
func appendPublish(b []byte, id uint16, qos byte, dup, retain bool, topic string, payload []byte) []byte {
	h := byte(typePublish<<4) | qos<<1
	if dup {
		h |= 8
	}
	if retain {
		h |= 1
	}
	n := 2 + len(topic) + len(payload)
	if qos > 0 {
		n += 2
	}
	b = append(b, h)
	b = appendLength(b, n)
	b = appendString(b, topic)
	if qos > 0 {
		b = binary.BigEndian.AppendUint16(b, id)
	}
	return append(b, payload...)
}

// appendPuback appends a PUBACK for id (3.4).
func appendPuback(b []byte, id uint16) []byte {
	return append(b, typePuback<<4, 2, byte(id>>8), byte(id))
}

var (
	pingreq    = []byte{typePingreq << 4, 0}
	disconnect = []byte{typeDisconnect << 4, 0}
)

// connackReason explains a CONNACK return code (3.2.2.3).
func connackReason(code byte) string {
	switch code {
	case 1:
		return "unacceptable protocol version"
	case 2:
		return "client identifier rejected"
	case 3:
		return "server unavailable"
	case 4:
		return "bad user name or password"
	case 5:
		return "not authorized"
	}
	return fmt.Sprintf("return code %d", code)
}
