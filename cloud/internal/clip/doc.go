// Package clip shortens free text (error messages, gateway answers) to a
// byte budget before it is stored in a TEXT column. It never cuts a UTF-8
// sequence in two, replaces invalid sequences and drops NUL bytes, which
// PostgreSQL rejects in text: a stored error must never make the write
// that records it fail.
package clip
