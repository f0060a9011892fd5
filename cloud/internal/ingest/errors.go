package ingest

import "errors"

// Errors returned by this package.
var (
	ErrConnect   = errors.New("ingest: mqtt connect failed")
	ErrSubscribe = errors.New("ingest: mqtt subscribe refused")
	ErrPublish   = errors.New("ingest: mqtt publish failed")
)

// ErrWrongChannel is a well-formed message of a type that does not belong
// on the topic it came from (an ack on ops, say).
var ErrWrongChannel = errors.New("ingest: message type does not belong on this topic")
