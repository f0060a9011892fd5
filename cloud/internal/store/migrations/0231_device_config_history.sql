-- Fleet: who changed what. One row per desired config stored (SetConfig),
-- with the account that stored it; device_commands.sent_by is the account
-- that sent a command. '' when not known (changes made before this
-- migration, or by a program without an account).
CREATE TABLE device_config_history (
	dev        TEXT NOT NULL,
	version    BIGINT NOT NULL,
	config     TEXT NOT NULL,
	changed_by TEXT NOT NULL DEFAULT '',
	changed_at BIGINT NOT NULL,
	PRIMARY KEY (dev, version)
);
ALTER TABLE device_commands ADD COLUMN sent_by TEXT NOT NULL DEFAULT '';
