-- Fleet health history: a row only when the health changes, or every
-- fleet.HealthEvery; rows older than fleet.HealthKeep are pruned by time.
-- health_at: when the device's last health row was written (cmsd's clock,
-- unix microseconds UTC).
ALTER TABLE devices ADD COLUMN health_at BIGINT;
CREATE INDEX device_health_at ON device_health (at);
