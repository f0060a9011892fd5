-- Fleet health history: a key for every row, so that the history pages by
-- (at, id) and rows sharing a time (the kiosk's envelope time) are neither
-- skipped nor repeated across a page boundary. Existing rows get their
-- keys when the column is added.
--
-- Adding the identity column rewrites the table under an exclusive lock:
-- health reports wait for it as long as the rewrite of the 7 days of
-- history takes. Run this upgrade in a quiet hour.
ALTER TABLE device_health ADD COLUMN id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
CREATE INDEX device_health_dev_at_id ON device_health (dev, at, id);
DROP INDEX device_health_dev_at;
