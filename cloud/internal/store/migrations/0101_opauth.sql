-- Operator challenges (OPAUTH): one row per nonce handed out, bound to the
-- device and the operator's codice fiscale, single use (used_at), short
-- expiry. Kept in the database so that any cmsd instance can check the
-- answer to a challenge another instance issued. nonce is hex.
CREATE TABLE opauth_challenges (
	nonce      TEXT PRIMARY KEY,
	dev        TEXT NOT NULL,
	cf         TEXT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at    BIGINT
);
CREATE INDEX opauth_challenges_expires ON opauth_challenges (expires_at);
