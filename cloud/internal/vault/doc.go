// Package vault seals card secrets (PIN and PUK) at rest with AES-256-GCM.
//
// # Keys
//
// Keys live in a key file outside the database: a JSON document holding one
// or more 32-byte keys, each with an id. The file must have mode 0600 and is
// always written atomically (temporary file, fsync, rename). [Generate]
// creates a file with one key; [Rotate] adds a newer key. [Vault.Seal] always
// uses the newest key; [Vault.Open] finds the key by the id stored beside
// the ciphertext, so data sealed under an older key still opens after a
// rotation.
//
// # Binding to the card
//
// The card's Codice TEAM is the additional authenticated data: a blob sealed
// for one card cannot be opened as another card's secrets, and any change to
// nonce, ciphertext or key id makes Open fail.
//
// # Halves
//
// The procedures hand the first half of PIN and PUK to the citizen at the
// counter and send the second half by e-mail or SMS. [Policy] fixes how many
// leading digits form the first half (default PIN 8 = 4+4, PUK 8 = 4+4, see
// the domain facts on PIN/PUK delivery).
//
// [Secrets] and [Halves] redact themselves in String, GoString, LogValue
// and JSON, so a secret cannot reach a log by accident.
package vault
