// Package fse is the FSE creation worker: it takes the FSE creation
// requests the CMS engine records (table fse_requests, status pending) and
// asks the regional FSE service to create the citizen's electronic health
// record with the consents given.
//
// Procedure 3 of the functional spec, asynchronous creation:
//
//   - an error that does not depend on the codice fiscale (ErrTechnical,
//     timeouts, anything unknown) is retried automatically, with exponential
//     backoff and jitter; success ends the request silently;
//   - "codice fiscale errato o mancante" (ErrCF) opens an L1 ticket with a
//     task to contact the citizen and invite them to Scelta e Revoca;
//   - technical errors after Options.MaxAttempts attempts open an L2 ticket.
//
// # Restart safety
//
// All state is in the database. A worker claims due rows with a lease
// (column claimed_until; on PostgreSQL with SELECT ... FOR UPDATE SKIP
// LOCKED) and writes the result only if it still holds the lease, so two
// cmsd instances never process one row at once and a crashed worker's rows
// are taken again when the lease ends.
//
// # Listing
//
// [List] gives the console one page of requests, newest first, with the
// ticket opened for each, filtered by status, CF and TEAM, and a keyset
// cursor to the next page.
//
// The [Service] adapter talks to the regional service; [HTTPService] speaks
// a small JSON protocol, and package fsesim simulates the service with
// injectable faults (CF error, technical error, latency).
package fse
