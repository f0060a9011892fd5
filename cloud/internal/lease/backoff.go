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

// Loop calls once until ctx ends: again at once after a batch that did
// work, after poll when idle or after an error (logged).
func Loop(ctx context.Context, poll time.Duration, log *slog.Logger, name string, once func(context.Context) (int, error)) error {
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
		wait := poll
		if n > 0 && err == nil {
			wait = 0
		}
		t.Reset(wait)
	}
}
