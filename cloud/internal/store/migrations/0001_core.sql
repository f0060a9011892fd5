-- CMS core schema, shared by SQLite and PostgreSQL.
-- Timestamps: BIGINT unix microseconds UTC. Dates: TEXT 'YYYY-MM-DD'.
-- Booleans: INTEGER 0/1. Ids: TEXT (ULIDs made by the application).

-- Issued cards, imported from the issuer; one row per Codice TEAM.
CREATE TABLE cards (
	team         TEXT PRIMARY KEY,
	cf           TEXT NOT NULL,
	expiry       TEXT NOT NULL,
	surname      TEXT NOT NULL,
	name         TEXT NOT NULL,
	birth_date   TEXT NOT NULL,
	sex          TEXT NOT NULL DEFAULT '',
	birth_place  TEXT NOT NULL DEFAULT '',
	state        TEXT NOT NULL DEFAULT 'not_active'
	             CHECK (state IN ('not_active', 'active', 'revoked', 'replaced')),
	reader_count INTEGER NOT NULL DEFAULT 0,
	activated_at BIGINT,
	revoked_at   BIGINT,
	replaced_by  TEXT,
	updated_at   BIGINT NOT NULL
);
CREATE INDEX cards_cf ON cards (cf);

-- Idempotency record and result of every operation received.
CREATE TABLE operations (
	op_id       TEXT PRIMARY KEY,
	dev         TEXT NOT NULL,
	seq         BIGINT NOT NULL,
	type        TEXT NOT NULL,
	card_team   TEXT NOT NULL DEFAULT '',
	operator_cf TEXT NOT NULL DEFAULT '',
	outcome     TEXT NOT NULL,
	result      TEXT NOT NULL DEFAULT '',
	at          BIGINT NOT NULL,
	applied_at  BIGINT NOT NULL
);
CREATE INDEX operations_dev_seq ON operations (dev, seq);
CREATE INDEX operations_card ON operations (card_team);

-- Counters (sportelli). capabilities: comma-separated, e.g. 'reissue'.
CREATE TABLE counters (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL DEFAULT '',
	capabilities TEXT NOT NULL DEFAULT '',
	updated_at   BIGINT NOT NULL
);

-- Operator registry. menus: comma-separated operation types;
-- counters: comma-separated counter ids, or '*' for every counter.
CREATE TABLE operators (
	cf         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL DEFAULT 'operator',
	enabled    INTEGER NOT NULL DEFAULT 1,
	menus      TEXT NOT NULL DEFAULT '',
	counters   TEXT NOT NULL DEFAULT '*',
	updated_at BIGINT NOT NULL
);

-- Operator sessions granted by OPAUTH, bound to one device.
CREATE TABLE operator_sessions (
	id          TEXT PRIMARY KEY,
	operator_cf TEXT NOT NULL REFERENCES operators (cf),
	device      TEXT NOT NULL,
	menus       TEXT NOT NULL DEFAULT '',
	issued_at   BIGINT NOT NULL,
	expires_at  BIGINT NOT NULL
);
CREATE INDEX operator_sessions_cf ON operator_sessions (operator_cf);

-- FSE consents given, under one policy version. consents: comma-separated.
CREATE TABLE consents (
	id        TEXT PRIMARY KEY,
	card_team TEXT NOT NULL,
	policy    TEXT NOT NULL,
	consents  TEXT NOT NULL,
	at        BIGINT NOT NULL,
	op_id     TEXT NOT NULL
);
CREATE INDEX consents_card ON consents (card_team);

-- FSE creation requests, processed by the FSE worker.
CREATE TABLE fse_requests (
	id         TEXT PRIMARY KEY,
	card_team  TEXT NOT NULL,
	cf         TEXT NOT NULL,
	op_id      TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT 'pending'
	           CHECK (status IN ('pending', 'done', 'failed_cf', 'failed_tech')),
	attempts   INTEGER NOT NULL DEFAULT 0,
	next_at    BIGINT NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX fse_requests_due ON fse_requests (status, next_at);

-- Notifications to send (second PIN/PUK halves, reissue notice). Never
-- holds a secret: the notifier decrypts card_secrets at send time.
CREATE TABLE notifications (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL CHECK (kind IN ('second_halves', 'reissue_notice')),
	card_team  TEXT NOT NULL,
	channel    TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
	address    TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
	attempts   INTEGER NOT NULL DEFAULT 0,
	next_at    BIGINT NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	op_id      TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	sent_at    BIGINT
);
CREATE INDEX notifications_due ON notifications (status, next_at);

-- Reissue requests (procedure 6). status: open until the new card is
-- activated, then done.
CREATE TABLE reissue_requests (
	id             TEXT PRIMARY KEY,
	card_team      TEXT NOT NULL,
	cf             TEXT NOT NULL,
	reason         TEXT NOT NULL CHECK (reason IN ('theft', 'loss', 'malfunction')),
	requester_role TEXT NOT NULL,
	requester_cf   TEXT NOT NULL DEFAULT '',
	counter        TEXT NOT NULL,
	status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
	new_team       TEXT,
	op_id          TEXT NOT NULL,
	created_at     BIGINT NOT NULL,
	updated_at     BIGINT NOT NULL
);
CREATE INDEX reissue_requests_cf ON reissue_requests (cf, status);

-- Wrong registry data cases (procedure 10), sent on the outbound interface.
CREATE TABLE registry_cases (
	id         TEXT PRIMARY KEY,
	card_team  TEXT NOT NULL,
	cf         TEXT NOT NULL,
	fields     TEXT NOT NULL DEFAULT '',
	note       TEXT NOT NULL DEFAULT '',
	counter    TEXT NOT NULL,
	device     TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'sent')),
	op_id      TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	sent_at    BIGINT
);
CREATE INDEX registry_cases_status ON registry_cases (status);
