// Command loadgen drives cmsd with simulated kiosks on loopback and
// reports end-to-end throughput and ack latency (publish -> rules ->
// database -> ack received), beside a raw QoS 1 publish -> subscribe
// baseline through the same broker in the same run, plus the memory cmsd
// spends per connected kiosk. It starts its own cmsd (and, in mosquitto
// mode, its own Mosquitto) in a scratch directory. See docs/bench/cloud.md.
//
// # The kiosks' MQTT client
//
// loadgen is the measuring instrument, and on the benchmark machine it
// shares two cores with what it measures (Mosquitto, cmsd, PostgreSQL):
// each CPU cycle it spends is taken from the system under test and lowers
// the figure it reports. So by default (-client lean) every simulated
// kiosk uses internal/mqttlite, a minimal MQTT 3.1.1 client with one
// reader goroutine per connection, in which the ack is decoded and, in a
// closed loop, the next operation published, in the same TLS record as
// the ack's PUBACK. -client paho uses the paho client of the tests
// (ingesttest.Kiosk), as the kiosk firmware does, to compare the two; the
// report names the client. Both connect as the firmware does: client id =
// device id, clean session off, keepalive 30 s, a retained offline state
// as last will, QoS 1 subscriptions to the kiosk's ack and rpc/res topics,
// QoS 1 publishes; both resend what is not acked every 3 s, as the
// firmware's outbox does. The raw baseline uses the paho-based
// ingest.Client, as cmsd does.
package main
