// Package mqttlite is a minimal MQTT 3.1.1 client over TLS for the load
// generator's simulated kiosks: CONNECT (client certificate, client id,
// clean session or not, keepalive, last will at QoS 1), SUBSCRIBE at QoS 1,
// PUBLISH at QoS 1 with packet ids and their PUBACKs, incoming PUBLISH at
// QoS 0 or 1 answered with PUBACK, PINGREQ/PINGRESP and DISCONNECT, with
// reconnection. Nothing else: no QoS 2, no unsubscribe, no MQTT 5.
//
// # Why it exists
//
// The load generator (cmd/loadgen) is the measuring instrument, and on the
// benchmark machine it shares two cores with what it measures: Mosquitto,
// cmsd and PostgreSQL. Every CPU cycle it spends is taken from the system
// under test. With a paho client per simulated kiosk it cost about a third
// of a core at saturation: several goroutines per client, a channel hop
// per message, the router, a token per publish and one TLS record and
// write per packet. This client keeps per connection one reader goroutine
// (and a keepalive timer), writes under a mutex straight to the TLS
// connection, and calls the message callback in the reader goroutine; a
// PUBACK and whatever the callback published go out in one TLS record.
//
// The kiosk firmware itself uses paho: it needs a client that has seen
// the world, not a lean one. Nothing outside the load generator and its
// tests should use this package.
//
// # Delivery
//
// Publish returns once the PUBLISH is handed to the connection, or queued
// behind the PUBACK of the message OnMessage is handling; the message
// stays in flight until the broker's PUBACK. When the connection drops,
// the client reconnects (at once, then backing off from 1 s to 5 s as
// paho does) and, if the broker kept the session (clean session false),
// sends every message still in flight again with the DUP flag
// (MQTT 3.1.1, 4.4); if the broker lost the session, those written are
// dropped and the application resends, as a kiosk's outbox does until its
// ack. A message queued whose write never happened is sent at the next
// connection either way: Publish returned nil for it, so nobody else
// would. Publish while the connection is down fails with
// [ErrNotConnected].
//
// # Untrusted input
//
// Every byte read from the network goes through one decoder that checks
// the remaining length (at most four bytes, at most [Config.MaxPacket]
// with the header), each field's length against the packet, the flags of
// each packet type and the topic (UTF-8, no wildcard). It returns an error
// wrapping [ErrMalformed], [ErrOversize], [ErrProtocol] or
// io.ErrUnexpectedEOF, never panics, and the connection is then dropped.
//
// See MQTT 3.1.1 (OASIS), sections 2 (packet format), 3 (packets) and 4.4
// (message delivery retry).
package mqttlite
