-- Sign-in throttling and the console's own event log (0200-0299 range).

-- Failed sign-ins per key: 'user:<name>' or 'addr:<client address>'.
-- locked_until (unix microseconds) > now refuses sign-in for that key
-- without checking the password.
CREATE TABLE signin_failures (
	key          TEXT PRIMARY KEY,
	failures     INTEGER NOT NULL,
	last_at      BIGINT NOT NULL,
	locked_until BIGINT NOT NULL DEFAULT 0
);

-- Console events: sign-ins (accepted, refused, locked), password changes,
-- accounts enabled or disabled. Never a password.
CREATE TABLE console_events (
	id       TEXT PRIMARY KEY,
	at       BIGINT NOT NULL,
	username TEXT NOT NULL,
	client   TEXT NOT NULL DEFAULT '',
	action   TEXT NOT NULL,
	detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX console_events_at ON console_events (at);
