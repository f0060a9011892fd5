-- Fleet (0100-0199): device registry, client certificates, presence and
-- health, desired configuration, commands.
-- Timestamps: BIGINT unix microseconds UTC. Booleans: INTEGER 0/1.

-- One row per kiosk. id is the device id = the CN of its certificate.
-- desired_config is the JSON of wire.Config (version = desired_version);
-- reported_version is the version the kiosk says it applied.
CREATE TABLE devices (
	id               TEXT PRIMARY KEY,
	name             TEXT NOT NULL DEFAULT '',
	site             TEXT NOT NULL DEFAULT '',
	counter          TEXT NOT NULL DEFAULT '',
	enabled          INTEGER NOT NULL DEFAULT 1,
	created_at       BIGINT NOT NULL,
	disabled_at      BIGINT,
	online           INTEGER NOT NULL DEFAULT 0,
	last_seen        BIGINT,
	firmware         TEXT NOT NULL DEFAULT '',
	reader           TEXT NOT NULL DEFAULT '',
	printer          TEXT NOT NULL DEFAULT '',
	payment          TEXT NOT NULL DEFAULT '',
	outbox_depth     INTEGER NOT NULL DEFAULT 0,
	desired_version  BIGINT NOT NULL DEFAULT 0,
	desired_config   TEXT NOT NULL DEFAULT '',
	reported_version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX devices_site ON devices (site);

-- Client certificates issued by the fleet CA, for devices (role 'device',
-- cn = device id) and cloud instances (role 'cloud'). The broker admits a
-- connection only if its certificate's serial is here and not revoked.
CREATE TABLE fleet_certs (
	serial     TEXT PRIMARY KEY,
	cn         TEXT NOT NULL,
	role       TEXT NOT NULL CHECK (role IN ('device', 'cloud')),
	issued_at  BIGINT NOT NULL,
	not_after  BIGINT NOT NULL,
	revoked_at BIGINT
);
CREATE INDEX fleet_certs_cn ON fleet_certs (cn);

-- Health history: one row per state message received.
CREATE TABLE device_health (
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
CREATE INDEX device_health_dev_at ON device_health (dev, at);

-- Commands sent to devices, with expiry and result.
CREATE TABLE device_commands (
	cmd_id     TEXT PRIMARY KEY,
	dev        TEXT NOT NULL,
	name       TEXT NOT NULL,
	args       TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	status     TEXT NOT NULL DEFAULT 'sent',
	detail     TEXT NOT NULL DEFAULT '',
	result_at  BIGINT
);
CREATE INDEX device_commands_dev ON device_commands (dev, created_at);
