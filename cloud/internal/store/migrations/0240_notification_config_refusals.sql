-- A notice the sender refuses for our configuration (credentials, TLS,
-- sender address: notify.ErrSenderConfig) is not counted in attempts; these
-- columns pace its retries and bound how long it is retried that way
-- (notify.Options.ConfigGrace). config_refusals: such refusals of the
-- notice in a row; config_refused_since: the first of them (unix
-- microseconds UTC). The worker sets both to 0 when an attempt of the
-- notice fails otherwise, and leaves them when it is sent. Neither is
-- indexed, so the worker's updates stay HOT.
ALTER TABLE notifications ADD COLUMN config_refusals INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN config_refused_since BIGINT NOT NULL DEFAULT 0;
