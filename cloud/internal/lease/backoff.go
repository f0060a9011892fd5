package lease

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"
)

// Backoff is an exponential retry delay with jitter.
type Backoff struct {
	Base, Max time.Duration
	// Jitter returns an extra delay in [0, d); nil = uniformly random.
	Jitter func(d time.Duration) time.Duration
}

// Delay is the wait after attempt n (1-based): Base * 2^(n-1), capped at
// Max, plus jitter up to the same amount.
func (b Backoff) Delay(n int) time.Duration {
	d := b.Base
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	if b.Jitter == nil {
		return d + rand.N(max(d, 1))
	}
	return d + b.Jitter(d)
}

// Gather is the longest a worker waits after a batch that was not full
// before it claims again: under a steady trickle of rows it then claims
// them a batch at a time instead of one or two per statement, which cost
// the database a claim and a record statement per row (at 1,000
// activations/s that was most of PostgreSQL's time outside the engine).
const Gather = 50 * time.Millisecond

// Loop calls once until ctx ends, with the wait Next gives after each call.
// full is the batch size: a call that handled full rows is followed at
// once by another.
func Loop(ctx context.Context, poll time.Duration, full int, log *slog.Logger, name string, once func(context.Context) (int, error)) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		n, err := once(ctx)
		if err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, name+" scan failed", "err", err)
		}
		t.Reset(Next(n, full, err, poll))
	}
}

// Next is how long a worker waits after a call that handled n rows, of
// at most full, with err: not at all after a full batch (more may be due),
// Gather (or poll, if shorter) after a partial one, poll when idle or
// after an error. n counts the rows a call finished (lease.Each), not
// those it claimed: a full claim with a row deferred (a recipient's
// server failing) counts as partial, so a backlog whose every batch holds
// such a row drains at full rows per Gather (640/s for notifications),
// a pace that also spares the failing server.
func Next(n, full int, err error, poll time.Duration) time.Duration {
	switch {
	case err != nil || n <= 0:
		return poll
	case n >= full:
		return 0
	default:
		return min(poll, Gather)
	}
}
