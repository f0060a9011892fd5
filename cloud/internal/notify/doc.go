// Package notify is the notification outbox worker: it sends the rows of
// table notifications that the CMS engine writes in the operation's own
// transaction (kind second_halves: the second halves of PIN and PUK after an
// activation; kind reissue_notice: "your reissue request was recorded").
//
// # Secrets
//
// A notification row holds the card TEAM, the channel and the address,
// never a secret. For second_halves the worker reads the card's sealed
// PIN/PUK from card_secrets, opens them with the vault and cuts the second
// halves with the vault.Policy at send time; the clear text lives only in
// the message handed to the Sender. Message redacts itself in logs.
//
// # Delivery
//
// E-mail goes over SMTP (net/smtp; STARTTLS when the server offers it,
// AUTH PLAIN when configured), SMS over an HTTP gateway ([SMSGateway]; the
// package smssim simulates one). A worker claims due rows with a lease
// (claimed_until, FOR UPDATE SKIP LOCKED on PostgreSQL), sends, and marks
// the row sent only while it still holds the lease. A sender that holds
// messages back to deliver a batch at once ([Flusher], the development
// spool of cmsd) is flushed after the batch's sends and before any of
// them is recorded sent; a failed Flush counts as a failed send of each
// message it held. It claims in (next_at,
// id) order from just after the last row it claimed, so that a claim reads
// about as many index entries as it takes rows, and from the head of the
// queue when that finds nothing and at least once per Poll, which finds
// the rows it passed over (committed late, released, or whose lease ran
// out). On PostgreSQL the claim reads the sealed secrets in the same
// statement. On shutdown it releases
// the rows it did not send, so a new worker takes them at once. Each message
// carries the notification id (Message-ID for e-mail, "ref" for SMS) so the
// receiving side can drop the one duplicate a crash between "sent" and the
// commit could cause.
//
// The notifications the engine of the same instance creates mostly skip
// the claim: the engine inserts them already claimed by this worker, when
// its [Handoff] has room, and hands them over after its batch commits; the
// worker sends them like claimed rows ([Worker.RunHanded]). A handed row
// it does not send because its lease runs short, or handed after the
// worker stopped, is released and claimed at once; after a crash it is
// claimed by any instance once its lease ends. A batch, claimed or
// handed, stops sending when less than 2 x SendTimeout (at most half the
// lease) is left of its lease, and releases the rest, so that its record
// comes within the lease. Failures are retried with exponential backoff and
// jitter; after MaxAttempts the row is marked failed. An address the
// transport refuses for good (ErrPermanent) fails at once. A refusal that
// every message would meet (ErrSenderConfig: SMTP TLS, STARTTLS, AUTH or
// sender address; SMS 401 or 407) is alerted and retried without counting
// as an attempt, after a delay that grows with the notice's own such
// refusals in a row, for at most Options.ConfigGrace (24h) from the first
// of them: then the notice fails and opens its ticket like any other. The
// other refusals of a gateway (403, 404, 409, 413...) may concern the one
// number or text and are counted.
package notify
