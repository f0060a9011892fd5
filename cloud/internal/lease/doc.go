// Package lease claims due rows of an outbox table (fse_requests,
// notifications) for one worker at a time, so any number of cmsd instances
// can share one database.
//
// A row is due when status = 'pending', next_at <= now and its lease
// (claimed_until, unix microseconds) has passed. [Claim] sets
// claimed_until = now + lease in one statement (on PostgreSQL the inner
// SELECT takes FOR UPDATE SKIP LOCKED, so concurrent workers skip each
// other's rows; SQLite has a single writer). The lease value is the claim's
// [Token]: the worker writes its result only WHERE claimed_until = token, so
// a worker that lost its lease cannot overwrite another's result. [Each]
// hands the rows to the worker and releases the rest when the context ends
// or a step fails; [Backoff] is the retry delay with jitter; [Loop] polls.
//
// See docs/workers.md.
package lease
