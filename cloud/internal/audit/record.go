package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
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

// PartitionOf returns the chain a device's records go to.
func PartitionOf(device string) int {
	h := fnv.New32a()
	h.Write([]byte(device))
	return int(h.Sum32() % Partitions)
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

func (r Record) fields() []string {
	return []string{r.Device, r.Counter, r.Operator, r.Card, r.Action, r.Outcome, r.OpID, r.Detail}
}

// chainHash computes the hash of a record with the given id and partition
// following prev. at is unix microseconds.
func chainHash(prev, id string, part int, at int64, r Record) string {
	h := sha256.New()
	var buf []byte
	put := func(s string) {
		buf = binary.AppendUvarint(buf[:0], uint64(len(s)))
		h.Write(buf)
		h.Write([]byte(s))
	}
	put("cns-audit/v1")
	put(prev)
	put(id)
	put(strconv.Itoa(part))
	put(strconv.FormatInt(at, 10))
	for _, f := range r.fields() {
		put(f)
	}
	return hex.EncodeToString(h.Sum(nil))
}
