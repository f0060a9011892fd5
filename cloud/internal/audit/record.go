package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// Partitions is the number of hash chains. It is fixed by migration 0010
// (one audit_heads row per partition); changing it needs a migration.
const Partitions = 16

// MaxField caps the length of every text field of a record.
const MaxField = 2000

// Record is one audit entry. Card is the card's TEAM or, before a card is
// known, the CF. It never holds a secret.
type Record struct {
	At       time.Time
	Device   string
	Counter  string
	Operator string
	Card     string
	Action   string
	Outcome  string
	OpID     string
	Detail   string
}

// PartitionOf returns the chain a device's records go to: the 32-bit
// FNV-1a hash of its id (as hash/fnv computes it) modulo Partitions.
func PartitionOf(device string) int {
	h := uint32(2166136261)
	for i := 0; i < len(device); i++ {
		h ^= uint32(device[i])
		h *= 16777619
	}
	return int(h % Partitions)
}

// Validate checks that r can be appended: an action, and no field longer
// than MaxField.
func (r Record) Validate() error {
	if r.Action == "" {
		return fmt.Errorf("%w: empty action", ErrRecord)
	}
	for _, f := range r.fields() {
		if len(f) > MaxField {
			return fmt.Errorf("%w: field of %d bytes (max %d)", ErrRecord, len(f), MaxField)
		}
	}
	return nil
}

// fields are the text fields of r in the order of the hash's encoding.
func (r *Record) fields() [8]string {
	return [8]string{r.Device, r.Counter, r.Operator, r.Card, r.Action, r.Outcome, r.OpID, r.Detail}
}

// hashTag begins the canonical encoding of every record.
const hashTag = "cns-audit/v1"

// chainHash computes the hash of a record with the given id and partition
// following prev. at is unix microseconds.
func chainHash(prev, id string, part int, at int64, r Record) string {
	var sum [2 * sha256.Size]byte
	var buf [512]byte
	return string(appendChainHash(sum[:0], buf[:0], prev, id, part, at, &r))
}

// appendChainHash appends to dst the hash of chainHash, in hex: SHA-256 of
// prev and the canonical encoding of the record, built in buf (whose
// space it reuses) and hashed in one call.
func appendChainHash(dst, buf []byte, prev, id string, part int, at int64, r *Record) []byte {
	put := func(s string) {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	put(hashTag)
	put(prev)
	put(id)
	var num [20]byte
	n := strconv.AppendInt(num[:0], int64(part), 10)
	buf = binary.AppendUvarint(buf, uint64(len(n)))
	buf = append(buf, n...)
	n = strconv.AppendInt(num[:0], at, 10)
	buf = binary.AppendUvarint(buf, uint64(len(n)))
	buf = append(buf, n...)
	for _, f := range r.fields() {
		put(f)
	}
	sum := sha256.Sum256(buf)
	return hex.AppendEncode(dst, sum[:])
}
