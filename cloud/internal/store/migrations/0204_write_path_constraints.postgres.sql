-- Two more costs every operation paid on PostgreSQL for nothing a reader
-- uses (figures: docs/store.md, "Indexes on the write path").
-- PostgreSQL only: SQLite's versions are cheap and stay.

-- The foreign key from operation_persons to operations ran, for every
-- activation, a lookup of the operation with a row lock (SELECT ... FOR KEY
-- SHARE, and a WAL record for the lock): about 15 us of the server's time
-- per operation, the dearest single item of the batch write. The link holds
-- by construction: the persons row is inserted by the same statement as its
-- operation, only for the operations that statement inserted
-- (cms/flushpg.go, "WHERE x.op_id IN (SELECT op_id FROM o)"), and
-- operations are never deleted. The check that replaces it is a query an
-- auditor can run at any time (docs/store.md).
ALTER TABLE operation_persons DROP CONSTRAINT operation_persons_op_id_fkey;

-- No code reads the audit log by operation id, and an operation's records
-- are found by its card and time (audit_log_card) or its time (audit_log_at)
-- like every other record; the index cost about 10 us per operation.
DROP INDEX audit_log_op;
