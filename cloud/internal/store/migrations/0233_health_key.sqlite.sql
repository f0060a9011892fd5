-- Fleet health history: a key for every row, so that the history pages by
-- (at, id) and rows sharing a time (the kiosk's envelope time) are neither
-- skipped nor repeated across a page boundary. SQLite cannot add a key
-- column to a table, so the table is copied into one with the key (an
-- alias of the rowid, assigned on insert) and renamed; dropping the old
-- table drops its indexes, made again here.
CREATE TABLE device_health_keyed (
	id             INTEGER PRIMARY KEY,
	dev            TEXT NOT NULL,
	at             BIGINT NOT NULL,
	online         INTEGER NOT NULL,
	firmware       TEXT NOT NULL DEFAULT '',
	config_version BIGINT NOT NULL DEFAULT 0,
	reader         TEXT NOT NULL DEFAULT '',
	printer        TEXT NOT NULL DEFAULT '',
	payment        TEXT NOT NULL DEFAULT '',
	outbox_depth   INTEGER NOT NULL DEFAULT 0
);
INSERT INTO device_health_keyed (dev, at, online, firmware, config_version, reader, printer, payment, outbox_depth)
	SELECT dev, at, online, firmware, config_version, reader, printer, payment, outbox_depth
	FROM device_health ORDER BY at, rowid;
DROP TABLE device_health;
ALTER TABLE device_health_keyed RENAME TO device_health;
CREATE INDEX device_health_dev_at_id ON device_health (dev, at, id);
CREATE INDEX device_health_at ON device_health (at);
