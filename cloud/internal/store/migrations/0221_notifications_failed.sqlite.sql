-- The console lists notifications newest first, 200 at a time, by
-- default the ones that finally failed (cloud/internal/web,
-- notifications.go). Failed rows are few: this index holds only them, in
-- id (ULID, so creation) order, and the list walks it backwards instead
-- of scanning the table. Inserts (pending) and sent updates add nothing
-- to it.
CREATE INDEX IF NOT EXISTS notifications_failed ON notifications (id) WHERE status = 'failed';
