-- PIN and PUK of each card, sealed with the vault (AES-256-GCM, AAD = TEAM).
CREATE TABLE card_secrets (
	team   TEXT PRIMARY KEY REFERENCES cards (team),
	key_id TEXT NOT NULL,
	nonce  BLOB NOT NULL,
	sealed BLOB NOT NULL
);
