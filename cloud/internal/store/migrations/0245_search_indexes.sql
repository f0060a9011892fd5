-- Indexes for the help desk's searches by the citizen's CF and the card's
-- TEAM code, and for the FSE request list, which had none: each search
-- read the whole table. Each index matches the WHERE and the ORDER BY of
-- its statement (ticket.Page, fse.List; plans checked by web's
-- TestSearchesUseIndexes): the planner either walks it in order and stops
-- after the page, or, for the few rows of one citizen or card, reads them
-- all from it and sorts them.
--
-- Building them reads each table while holding a lock that blocks its
-- inserts (fse_requests is on the write path). On a large PostgreSQL
-- database build them beforehand, outside a transaction, with CREATE INDEX
-- CONCURRENTLY and the same names and columns; this migration then finds
-- them and does nothing.
--
-- ticket.Page: [queue, status IN (...)] cf = $ / card_team = $, cursor
-- created_at >= $ AND (created_at > $ OR id > $), ORDER BY created_at, id.
-- The queue and status are checked on the rows the index gives.
CREATE INDEX IF NOT EXISTS tickets_cf ON tickets (cf, created_at, id);
CREATE INDEX IF NOT EXISTS tickets_team ON tickets (card_team, created_at, id);

-- fse.List: newest first, ORDER BY created_at DESC, id DESC (an index is
-- walked backwards), unfiltered or by cf or card_team. A search by status
-- alone walks fse_requests_created, checking the status, or for a rare
-- status reads it from fse_requests_due (status, next_at), the worker's
-- index, and sorts: no index of its own, one less for every write.
CREATE INDEX IF NOT EXISTS fse_requests_created ON fse_requests (created_at, id);
CREATE INDEX IF NOT EXISTS fse_requests_cf ON fse_requests (cf, created_at, id);
CREATE INDEX IF NOT EXISTS fse_requests_team ON fse_requests (card_team, created_at, id);
