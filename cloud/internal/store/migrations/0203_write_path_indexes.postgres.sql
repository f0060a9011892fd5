-- Cheaper indexes on the tables every operation writes. Each btree entry
-- costs every operation an index descent and a WAL record; these keep
-- every search the console, the API and an auditor make, and stop paying
-- for rows no search needs. Figures and the plans they were checked with:
-- docs/store.md. Each DROP and CREATE holds its table's lock until the
-- migration commits: on a large database the first start of cmsd after
-- this migration waits for the builds (half a second for a million
-- operations on the 2-core development machine, data in memory).
-- PostgreSQL only: SQLite has no BRIN index and no fillfactor, and its
-- planner, without statistics, answers a search for "applied" with a scan
-- and a sort of the whole table rather than walk operations_at; SQLite
-- keeps its indexes as they are.

-- The console searches by outcome for refusals and failures. Nearly every
-- operation is applied, and a search for "applied" is served by the
-- newest-first scan of operations_at: only the other outcomes go in the
-- index. The console's query carries the predicate itself
-- (web.notApplied), so that a generic plan, whose outcome is a parameter,
-- can use the index.
DROP INDEX operations_outcome;
CREATE INDEX operations_outcome ON operations (outcome, at) WHERE outcome <> 'applied';

-- The holder's row has no CF here (the card says who the holder is); only
-- a delegate, parent, tutor or curator has one. A search by CF with a
-- literal value (cf = 'RSSMRA...') implies the predicate.
DROP INDEX operation_persons_cf;
CREATE INDEX operation_persons_cf ON operation_persons (cf) WHERE cf <> '';

-- audit_log.at is the server's clock when the record is appended, so the
-- table is in time order and a BRIN index (the least and greatest time of
-- each 128 pages) finds a date range as fast as a btree. An append writes
-- nothing to it: the pages after the last summary are read by every search
-- until they are summarised, and autosummarize asks autovacuum to do that
-- as soon as a range is full. (operations.at is the kiosk's clock and an
-- offline kiosk sends days late; the console also lists operations newest
-- first, which a BRIN index cannot order: operations_at stays a btree.)
DROP INDEX audit_log_at;
CREATE INDEX audit_log_at ON audit_log USING brin (at) WITH (autosummarize = on);

-- Activating a card updates its row; when the page has no room for the
-- new version, PostgreSQL writes it elsewhere with new entries in both
-- indexes of cards (team, cf). Free room on each page keeps the update in
-- the page without index entries (a HOT update). Applies to pages written
-- from now on, such as cards imported after this migration.
ALTER TABLE cards SET (fillfactor = 90);
