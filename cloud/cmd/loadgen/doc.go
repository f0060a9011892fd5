// Command loadgen drives cmsd with simulated kiosks on loopback and
// reports end-to-end throughput and ack latency (publish -> rules ->
// database -> ack received), beside a raw QoS 1 publish -> subscribe
// baseline through the same broker in the same run, plus the memory cmsd
// spends per connected kiosk. It starts its own cmsd (and, in mosquitto
// mode, its own Mosquitto) in a scratch directory. See docs/bench/cloud.md.
package main
