-- The notification worker claims pending rows in (next_at, id) order and
-- goes on from the last row it claimed (cloud/internal/notify). An index
-- of the pending rows only, in that order, lets it start there and stop
-- after a batch. notifications_due (status, next_at) held every row,
-- sent ones included, and gained a new entry at each sent update; nothing
-- else reads it.
DROP INDEX notifications_due;
CREATE INDEX notifications_pending ON notifications (next_at, id) WHERE status = 'pending';
