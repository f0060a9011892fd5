-- The notification worker claims pending rows in (next_at, id) order and
-- goes on from the last row it claimed (cloud/internal/notify). An index
-- of the pending rows only, in that order, lets it start there and stop
-- after a batch. notifications_due (status, next_at) held every row,
-- sent ones included, and gained a new entry at each sent update; nothing
-- else reads it.
DROP INDEX notifications_due;
CREATE INDEX notifications_pending ON notifications (next_at, id) WHERE status = 'pending';

-- Room in each page for the claim's new row version: the claim changes
-- only claimed_until, no indexed column, so with room on the page it is a
-- HOT update (no index entry, a smaller WAL record) instead of a new entry
-- in both indexes. At 50 % nearly every claim is HOT (a batch claims rows
-- inserted side by side); at 70 % about half; at 100 % (the default) a
-- third. Only pages written from now on are filled this way.
ALTER TABLE notifications SET (fillfactor = 50);
