-- Fleet: a config the kiosk refused, and since when a desired config waits.
-- rejected_version / rejected_reason: the newest config version the kiosk
-- said (wire.State) it received and refused, and why (0 and '': none).
-- desired_at: when desired_version was set (unix microseconds UTC; NULL
-- for configs set before this migration).
ALTER TABLE devices ADD COLUMN rejected_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN rejected_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN desired_at BIGINT;
