// Package audit keeps the append-only, hash-chained audit log of the CMS:
// who (operator, device, counter) did what (action), when, to which card,
// with which outcome, including refusals and abandoned procedures
// (procedures.md, "What every operation leaves behind").
//
// # Writing
//
// [Append] writes one [Record] inside the caller's transaction, so the audit
// record commits or rolls back with the change it describes. A record never
// holds a secret: PIN, PUK and their halves do not belong in any field.
//
// # Hash chain
//
// Records are spread over [Partitions] chains by a hash of the device id.
// Each record stores its partition, its sequence number in it (1, 2, ...),
// the hash of the previous record and its own hash:
//
//	hash = SHA-256(prev_hash || canonical encoding of the record)
//
// The canonical encoding is the record's fields, each as a uvarint length
// followed by the bytes, after a version tag. Appending locks the
// partition's row in audit_heads (UPDATE ... RETURNING), so two devices in
// different partitions never wait on each other, and the head also records
// the last hash, so removing the newest records is detected too.
//
// # Checking
//
// [Verify] walks every partition and reports records that were changed
// (hash mismatch or a forged link), removed (sequence gaps, missing tail) or
// reordered (the chain of prev_hash links disagrees with the sequence
// order), naming the record ids. The tables also carry triggers refusing
// UPDATE and DELETE (migration 0011); the chain is what catches someone who
// drops them.
package audit
