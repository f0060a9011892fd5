// Package ingest is cmsd's side of the wire contract: an MQTT client that
// takes the operations, requests, states and command results of every
// kiosk from shared subscriptions, checks each envelope, applies it and
// answers on the device's own topics.
//
// # Delivery
//
// Operations are applied by the CMS engine ([Applier]); the Ack is
// published on cms/v1/dev/{dev}/ack only after the engine committed. An
// infrastructure error gives no Ack: the kiosk publishes the operation
// again and the database dedupes it by operation id, so a replay has one
// effect. MQTT acknowledgements are sent manually after processing: a
// worker publishes the reply without waiting for the broker's PUBACK and
// takes the next message; the acker acknowledges the kiosk's message only
// once the reply's PUBACK is back, so a crash in between leaves it to be
// delivered again (and answered duplicate). cmsd's connection writes in
// batches: the replies and PUBACKs that queue up while one write is under
// way leave together, in order, in the next (see batchConn).
//
// # Order
//
// Messages are spread over a fixed set of workers by a hash of the device
// id, so one device's operations are applied in the order received while
// different devices proceed in parallel.
//
// # Rejections
//
// Every message that fails [wire.Decode] (malformed, wrong version, wrong
// type, oversize, device mismatch), comes from an unknown or disabled
// device, or arrives past its deadline is counted in
// cms_ingest_rejected_total{reason} and logged without its payload. An
// operation whose id can still be read gets a rejected Ack, so that the
// kiosk stops sending it.
//
// See the architecture document, "Wire contract" and "Delivery".
package ingest
