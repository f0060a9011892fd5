// Package broker is the MQTT broker embedded in cmsd when no external
// broker is configured: mochi-mqtt/server/v2 behind a TLS listener that
// requires a client certificate issued by the fleet CA.
//
// # Identity
//
// A client's identity is the Common Name of its verified certificate, as
// with Mosquitto's use_identity_as_username. On CONNECT the hook asks the
// fleet registry ([Gate]) whether that certificate (CN and serial) may
// connect and with which role; unknown, revoked, expired and disabled are
// refused. The broker runs each TLS handshake itself, so that a
// certificate refused there (expired, of another CA) is counted in
// cms_mqtt_connections_refused_total (reason cert_invalid) like those
// refused at CONNECT (unknown_device, disabled, revoked); a handshake
// without a client certificate counts as no_certificate, any other failed
// handshake (MQTT or HTTP in clear, the deadline) as tls_handshake. A
// device must use its device id as MQTT client id, so that no client can
// take over another's session.
//
// # Connections before CONNECT
//
// mochi sets no deadline before CONNECT, stops accepting on any accept
// error, and on closing closes only the clients it registered at CONNECT.
// The broker's listener therefore gives each connection
// [Config.ConnectTimeout] (10 s) for its handshake and CONNECT, retries a
// failed accept (too many open files) after a growing pause, and closes
// on [Broker.Close] the connections mochi does not know of.
//
// # ACL
//
// A device may publish only on cms/v1/dev/{its id}/(ops|rpc/req|state|cmd/res)
// (its last will included) and subscribe only to its own ack, rpc/res,
// config and cmd. A cloud client (role cloud) may publish and subscribe on
// every device topic, including the shared subscriptions
// $share/cms/cms/v1/dev/+/... used by several cmsd instances. This is the
// same policy as scripts/mosquitto/acl for an external Mosquitto.
//
// # Sessions
//
// A client connecting with clean session off keeps its session while it
// is away, as with Mosquitto: its subscriptions, and the QoS 1 messages
// published for it meanwhile (a kiosk's acks, for one), which are checked
// against the ACL under the identity it last connected with, queued, and
// sent when it connects again under the same client id. Only a
// certificate the registry admits can take the session back. mochi
// sends such a queue again ordered by the second each message came in,
// not by arrival within that second.
//
// A kept session is bounded, where mochi's defaults are not (a session
// kept forever, 8,192 messages each): it expires [Config.SessionExpiry]
// (24 h) after its connection ended, and a device's session holds at
// most [Config.MaxQueued] (1,000) messages while the device is away,
// later ones dropped and counted (cms_mqtt_queue_full_total). A kiosk
// away for longer sends its outbox again and is answered duplicate for
// what is already applied. cmsd's own sessions carry every kiosk's
// messages and keep mochi's bound. Disabling a device ([Broker.Kick],
// called by the fleet registry) drops its connection and its session with
// what is queued in it (rpc/res replies carry halves of PIN and PUK): if
// admitted again, it starts a clean session. mochi, when it expires a
// session itself, leaves its subscriptions behind; the broker removes
// them.
//
// # Logs
//
// mochi logs whole packets when it refuses one; it logs through a handler
// that replaces every packet, will and byte slice by a summary without
// payload (a payload may be an operation or a reply with halves of PIN
// and PUK), and passes WARN and above only unless the logger given to
// [New] is enabled for DEBUG. It drops mochi's record of a connection
// that ended in its TLS handshake, which the broker logged already (at
// INFO for what any scanner causes). See docs/security.md.
//
// See MQTT 3.1.1 (OASIS), sections 3.1 (CONNECT) and 5 (security).
package broker
