-- The audit log is append-only: refuse UPDATE and DELETE. Someone with
-- direct database access can drop these triggers; the hash chain
-- (cmsctl audit verify) still shows what they changed.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
