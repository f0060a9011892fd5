// Package cms is the Card Management System engine: it applies the
// operations kiosks send and answers their card lookups and PIN/PUK
// requests.
//
// # Apply
//
// [Engine.Apply] applies one operation envelope in one database
// transaction: it locks the card (SELECT ... FOR UPDATE on PostgreSQL;
// SQLite serialises writers), checks the operator (OPAUTH), asks package
// rules for the decision, records the operation by its id (the idempotency
// record: a second Apply of the same id conflicts with it, rolls back and
// answers "duplicate" with the first outcome and result), writes the effects (card
// state, reader counter, consents, FSE request, notification, reissue
// request, registry case) and the audit record, then commits. The Ack is
// returned only after the commit, so the kiosk removes the operation from
// its outbox only once it is durable.
//
// # Group commit
//
// Concurrent Apply calls are coalesced into batches, one transaction each
// (Options.MaxBatch). Operations are split into Options.Batches lanes by
// their device's audit partition, one batch at a time per lane, so that
// concurrent batches never wait for each other's audit heads. The operators and sessions of a
// batch are checked by one statement, its cards are locked in TEAM order
// by one statement, the operations are decided in that order against the
// batch's view of the cards (same-card operations see each other's
// effects), then the card changes, idempotency records, consents, FSE
// requests and notifications are written with one statement per table
// (a notification claimed by the local worker when Options.Handoff has
// room, and handed to it after the commit)
// and the audit records with three (on PostgreSQL: the audit heads are
// locked, then all of it is one statement of data-modifying CTEs over
// column arrays, the same text for every batch); every caller gets its own Ack after
// the commit. An idempotency record that conflicts (the id was applied by
// another transaction) rolls the batch back and runs it again with that
// operation answered "duplicate". A duplicate writes nothing; an operation
// that fails makes the batch fall back to applying its operations one by
// one, so the failure stays with that operation. See docs/store.md.
//
// Rule refusals are Acks with an outcome code; an error means the
// infrastructure failed and the operation may be retried.
//
// # Secrets
//
// PIN and PUK live sealed in card_secrets. [Engine.PinHalves] opens them
// with the vault and returns only the first halves, for the kiosk to print.
// The engine never logs, audits or stores them in clear; notifications
// name the card, and the notifier opens the second halves at send time.
//
// See docs/rules.md for the procedures and docs/store.md for the schema.
package cms
