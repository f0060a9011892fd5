package mqttlite

import "errors"

var (
	// ErrMalformed: bytes from the broker that are not a well-formed MQTT
	// 3.1.1 packet (bad remaining length, a field beyond the packet, bad
	// flags or codes, a bad topic). The connection is dropped.
	ErrMalformed = errors.New("mqttlite: malformed packet")
	// ErrOversize: a packet larger than Config.MaxPacket, read or written.
	ErrOversize = errors.New("mqttlite: packet too large")
	// ErrProtocol: a well-formed packet the client never asked for (a
	// second CONNACK, PUBREC, QoS 2, ...), or CONNACK missing.
	ErrProtocol = errors.New("mqttlite: protocol violation")
	// ErrRefused: the broker refused the connection (CONNACK return code)
	// or a subscription (SUBACK 0x80).
	ErrRefused = errors.New("mqttlite: refused by the broker")
	// ErrNotConnected: Publish while the connection is down (the client
	// is reconnecting); the caller sends again later.
	ErrNotConnected = errors.New("mqttlite: not connected")
	// ErrClosed: the client was closed.
	ErrClosed = errors.New("mqttlite: client closed")
	// ErrTopic: Publish to a topic name MQTT does not allow (empty,
	// wildcard, NUL, not UTF-8).
	ErrTopic = errors.New("mqttlite: bad topic name")
)
