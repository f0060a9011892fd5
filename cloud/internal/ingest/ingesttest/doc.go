// Package ingesttest simulates kiosks on the MQTT side: each Kiosk connects
// with its own client certificate, publishes operations, requests and
// states on its own topics and collects the cloud's acks and responses.
// Tests and the load generator use it.
package ingesttest
