package notify

import (
	"time"

	"cnskiosk.dev/cloud/internal/store"
)

// Statements returns the PostgreSQL texts of the claim and of the record
// of n sent rows, as the worker sends them.
func Statements(db *store.DB, n int) (claim, sent string) {
	w := &Worker{db: db}
	sent, _ = w.inList(finishSentSQL, make([]any, 4), make([]any, n))
	return claimPostgres, sent
}

// ClaimAttempts is how many times one claim is tried on a transient
// conflict.
const ClaimAttempts = claimAttempts

// SetReleaseTimeout sets the bound of a hand-off's release until the
// test ends.
func SetReleaseTimeout(t interface{ Cleanup(func()) }, d time.Duration) {
	old := releaseTimeout
	releaseTimeout = d
	t.Cleanup(func() { releaseTimeout = old })
}
