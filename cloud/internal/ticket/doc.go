// Package ticket keeps the help-desk queues: L1 tickets (data problems, e.g.
// "codice fiscale errato o mancante" during FSE creation) and L2 tickets
// (technical problems that persist), their status changes (open,
// in_progress, resolved) with history, and the tasks attached to them, such
// as "contact the citizen and invite them to the Scelta e Revoca counter".
//
// Procedure 3 (asynchronous FSE creation) in the functional spec names the
// two queues; the status set and the task kinds are decisions recorded in
// docs/workers.md.
//
// # Queues
//
// [Page] reads a queue the way a help desk works it: oldest first, one
// page at a time with a keyset cursor, so no ticket drops out of reach
// however many are resolved. The console asks by default for the [Active]
// statuses, the tickets still to work.
//
// # Idempotency
//
// A ticket is keyed by (source, ref): [OpenTx] called twice for one FSE
// request returns the first ticket, so a worker that crashes after opening
// a ticket and retries does not open a second one.
package ticket
