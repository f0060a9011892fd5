-- Console and workers (0200-0299): leases for the FSE and notification
-- workers, console accounts and sessions, help-desk tickets and tasks.

-- Lease of a row claimed by a worker: a row is claimable when its lease
-- (unix microseconds) has passed. The lease survives a crash: after it
-- ends another cmsd instance takes the row again.
ALTER TABLE fse_requests ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;

-- Console accounts. role: admin, supervisor or auditor. pw_hash: argon2id
-- in PHC string form.
CREATE TABLE accounts (
	username     TEXT PRIMARY KEY,
	display_name TEXT NOT NULL DEFAULT '',
	role         TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'auditor')),
	pw_hash      TEXT NOT NULL,
	enabled      INTEGER NOT NULL DEFAULT 1,
	created_at   BIGINT NOT NULL,
	updated_at   BIGINT NOT NULL
);

-- Console sessions. id_hash: SHA-256 of the cookie value, so a database
-- dump gives no usable session.
CREATE TABLE web_sessions (
	id_hash    TEXT PRIMARY KEY,
	username   TEXT NOT NULL REFERENCES accounts (username),
	csrf       TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);

-- Help-desk tickets. queue L1 (data problems) or L2 (technical problems).
-- (source, ref) is unique so a worker that opens a ticket twice for one
-- FSE request gets the first one back.
CREATE TABLE tickets (
	id         TEXT PRIMARY KEY,
	queue      TEXT NOT NULL CHECK (queue IN ('L1', 'L2')),
	status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved')),
	subject    TEXT NOT NULL,
	detail     TEXT NOT NULL DEFAULT '',
	card_team  TEXT NOT NULL DEFAULT '',
	cf         TEXT NOT NULL DEFAULT '',
	source     TEXT NOT NULL,
	ref        TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (source, ref)
);
CREATE INDEX tickets_queue ON tickets (queue, status, created_at);

-- Status history of each ticket.
CREATE TABLE ticket_events (
	id          TEXT PRIMARY KEY,
	ticket_id   TEXT NOT NULL REFERENCES tickets (id),
	at          BIGINT NOT NULL,
	actor       TEXT NOT NULL,
	from_status TEXT NOT NULL,
	to_status   TEXT NOT NULL,
	note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, at);

-- Tasks attached to a ticket, e.g. contact the citizen and invite them to
-- the Scelta e Revoca counter.
CREATE TABLE tasks (
	id         TEXT PRIMARY KEY,
	ticket_id  TEXT NOT NULL REFERENCES tickets (id),
	kind       TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
	cf         TEXT NOT NULL DEFAULT '',
	note       TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX tasks_ticket ON tasks (ticket_id);
