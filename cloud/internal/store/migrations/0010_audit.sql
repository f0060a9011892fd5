-- Audit log (owner: audit package). Append-only, hash-chained per partition.
-- A partition is chosen by a hash of the device id, so appends from
-- different devices rarely wait on the same head row.
CREATE TABLE audit_heads (
	part INTEGER PRIMARY KEY,
	seq  BIGINT  NOT NULL,
	hash TEXT    NOT NULL -- hex SHA-256 of the last record, '' before the first
);

INSERT INTO audit_heads (part, seq, hash) VALUES
	(0, 0, ''), (1, 0, ''), (2, 0, ''), (3, 0, ''), (4, 0, ''), (5, 0, ''), (6, 0, ''), (7, 0, ''),
	(8, 0, ''), (9, 0, ''), (10, 0, ''), (11, 0, ''), (12, 0, ''), (13, 0, ''), (14, 0, ''), (15, 0, '');

CREATE TABLE audit_log (
	id        TEXT    PRIMARY KEY, -- ULID
	part      INTEGER NOT NULL,
	seq       BIGINT  NOT NULL,    -- 1, 2, ... within the partition
	at        BIGINT  NOT NULL,    -- unix microseconds UTC
	device    TEXT    NOT NULL,
	counter   TEXT    NOT NULL,
	operator  TEXT    NOT NULL,
	card      TEXT    NOT NULL,    -- TEAM or CF
	action    TEXT    NOT NULL,
	outcome   TEXT    NOT NULL,
	op_id     TEXT    NOT NULL,
	detail    TEXT    NOT NULL,
	prev_hash TEXT    NOT NULL,    -- hash of the previous record of the partition, '' for seq 1
	hash      TEXT    NOT NULL,    -- hex SHA-256(prev_hash || canonical record)
	UNIQUE (part, seq)
);

CREATE INDEX audit_log_card ON audit_log (card, at);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_op ON audit_log (op_id);
