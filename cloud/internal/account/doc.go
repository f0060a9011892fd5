// Package account keeps the console accounts and their sessions.
//
// # Roles
//
// admin: everything; supervisor: operations and help-desk tickets;
// auditor: read-only everywhere plus audit verification. [Role.Can] is the
// one place that says which role may do what.
//
// # Passwords
//
// Hashed with argon2id (golang.org/x/crypto/argon2) with the OWASP
// minimum parameters m=19 MiB, t=2, p=1, stored as a PHC string
// ($argon2id$v=19$m=...,t=...,p=...$salt$key); verification is
// constant-time and an unknown user costs the same work as a wrong password.
//
// # Sessions
//
// A session id is 32 random bytes; the database keeps only its SHA-256, so
// a dump of web_sessions cannot be replayed. Each session carries its own
// CSRF token. A session ends Store.TTL after sign-in (8h) or sooner when
// unused for Store.Idle (30 min): each Lookup moves the idle deadline, kept
// in web_sessions.expires_at, forward (at most one write a minute per
// session). Store.PurgeSessions deletes ended sessions.
package account
