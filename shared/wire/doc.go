// Package wire is the kiosk <-> cloud contract: the MQTT topic names, the
// versioned JSON envelope that every message travels in, the message types
// and the typed bodies of each one.
//
// # Envelope
//
// Every message is
//
//	{"v":1,"id":ULID,"dev":"kiosk-01","seq":7,"type":"op.activation","at":RFC3339,"body":{...}}
//
// [Decode] is strict: unknown versions, unknown types, unknown fields,
// oversize payloads, a malformed id or time, and a dev that differs from the
// device named by the topic are rejected with typed errors ([ErrVersion],
// [ErrType], [ErrOversize], [ErrDeviceMismatch], [ErrMalformed]). A decoder
// of outside bytes never panics; it has a fuzz target.
//
// # Topics
//
// See [Topic] and the table in docs/protocol.md. {dev} is the device id,
// which is also the CN of the device's client certificate.
//
// # Bodies
//
// Operation bodies (kiosk -> cloud, topic ops) are in ops.go, request/response
// bodies in rpc.go, device state, config and commands in fleet.go. Secrets
// (PIN, PUK and their halves) only ever appear in [PinHalvesResult], which
// travels on the rpc/res topic of the one kiosk that prints them.
//
// This package imports only the standard library and a ULID package and does
// no I/O.
package wire
