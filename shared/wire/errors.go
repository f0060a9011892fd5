package wire

import "errors"

// Decoding errors. Every error returned by [Decode] wraps exactly one of them.
var (
	ErrMalformed      = errors.New("wire: malformed message")
	ErrOversize       = errors.New("wire: message too large")
	ErrVersion        = errors.New("wire: unsupported version")
	ErrType           = errors.New("wire: unknown message type")
	ErrDeviceMismatch = errors.New("wire: device in payload differs from topic")
	ErrTopic          = errors.New("wire: unknown topic")
)
