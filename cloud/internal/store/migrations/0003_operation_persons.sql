-- Persons and documents of an applied operation (seed steps DOC and 7,
-- procedure 2): who was present (the holder, a delegate, a parent, tutor or
-- curator), the identity document shown, and whether the self-declaration
-- was signed. One row per operation. Written in the operation's own
-- transaction; never a secret. Dates TEXT 'YYYY-MM-DD', '' if none.
CREATE TABLE operation_persons (
	op_id       TEXT    PRIMARY KEY REFERENCES operations (op_id),
	role        TEXT    NOT NULL, -- holder, delegate, parent, tutor, curator
	surname     TEXT    NOT NULL DEFAULT '', -- '' for the holder: the card's holder data
	name        TEXT    NOT NULL DEFAULT '',
	cf          TEXT    NOT NULL DEFAULT '',
	doc_kind    TEXT    NOT NULL DEFAULT '',
	doc_number  TEXT    NOT NULL DEFAULT '',
	doc_issuer  TEXT    NOT NULL DEFAULT '',
	doc_issued  TEXT    NOT NULL DEFAULT '',
	doc_expires TEXT    NOT NULL DEFAULT '',
	declaration INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX operation_persons_cf ON operation_persons (cf);
