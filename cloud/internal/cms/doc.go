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
// record: a second Apply of the same id finds it, rolls back and answers
// "duplicate" with the first outcome and result), writes the effects (card
// state, reader counter, consents, FSE request, notification, reissue
// request, registry case) and the audit record, then commits. The Ack is
// returned only after the commit, so the kiosk removes the operation from
// its outbox only once it is durable.
//
// # Group commit
//
// Concurrent Apply calls are coalesced into batches, one transaction each
// (Options.MaxBatch, Options.Batches): the cards of a batch are locked in
// TEAM order by one statement, the operations are applied in that order
// (same-card operations see each other's effects), the audit records of
// the batch are appended with one update per head, and every caller gets
// its own Ack after the commit. A duplicate writes nothing; an operation
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
