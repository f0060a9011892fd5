package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/vault"
)

// Options configure a Worker. Zero values take the defaults shown.
type Options struct {
	Email       Sender // required for channel email
	SMS         Sender // required for channel sms
	Vault       *vault.Vault
	Policy      vault.Policy  // split of PIN/PUK; zero = vault.DefaultPolicy
	MaxAttempts int           // 10
	BaseDelay   time.Duration // 30s
	MaxDelay    time.Duration // 1h
	Lease       time.Duration // 2m
	Poll        time.Duration // 2s
	SendTimeout time.Duration // 30s
	Batch       int           // 32
	Now         func() time.Time
	Jitter      func(d time.Duration) time.Duration
	Metrics     *metrics.Registry
}

// Worker sends the notification outbox. New -> Run(ctx) -> Close.
type Worker struct {
	db   *store.DB
	o    Options
	log  *slog.Logger
	sent *metrics.CounterVec
}

// NewWorker returns a worker; a vault and both senders are required.
func NewWorker(db *store.DB, o Options, log *slog.Logger) (*Worker, error) {
	if db == nil || o.Vault == nil || o.Email == nil || o.SMS == nil {
		return nil, fmt.Errorf("%w: database, vault, e-mail and SMS senders are required", ErrConfig)
	}
	if o.Policy == (vault.Policy{}) {
		o.Policy = vault.DefaultPolicy
	}
	o.MaxAttempts = or(o.MaxAttempts, 10)
	o.BaseDelay = or(o.BaseDelay, 30*time.Second)
	o.MaxDelay = or(o.MaxDelay, time.Hour)
	o.Lease = or(o.Lease, 2*time.Minute)
	o.Poll = or(o.Poll, 2*time.Second)
	o.SendTimeout = or(o.SendTimeout, 30*time.Second)
	o.Batch = or(o.Batch, 32)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Jitter == nil {
		o.Jitter = func(d time.Duration) time.Duration { return rand.N(max(d, 1)) }
	}
	w := &Worker{db: db, o: o, log: log}
	if o.Metrics != nil {
		w.sent, _ = o.Metrics.NewCounterVec("cms_notifications_total", "Notification send attempts by channel and result.", "channel", "result")
	}
	return w, nil
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Run sends due notifications until ctx ends.
func (w *Worker) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.ErrorContext(ctx, "notification scan failed", "err", err)
		}
		wait := w.o.Poll
		if n > 0 && err == nil {
			wait = 0
		}
		t.Reset(wait)
	}
}

// Close is here for the lifecycle.
func (w *Worker) Close() error { return nil }

// RunOnce claims a batch and sends it; it returns how many rows it
// finished (sent or failed). Rows left when ctx ends are released.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	rows, err := w.claim(ctx)
	if err != nil {
		return 0, err
	}
	done := 0
	for i, r := range rows {
		if ctx.Err() != nil {
			return done, w.release(context.WithoutCancel(ctx), rows[i:])
		}
		sent, err := w.process(ctx, r)
		if err != nil {
			return done, errors.Join(err, w.release(context.WithoutCancel(ctx), rows[i+1:]))
		}
		if sent {
			done++
		}
	}
	return done, nil
}

// process sends one row; false means it was released (shutdown).
func (w *Worker) process(ctx context.Context, r row) (bool, error) {
	m, err := w.build(ctx, r)
	if err == nil {
		sctx, cancel := context.WithTimeout(ctx, w.o.SendTimeout)
		err = w.sender(r.Channel).Send(sctx, m)
		cancel()
	}
	if err != nil && ctx.Err() != nil {
		return false, w.release(context.WithoutCancel(ctx), []row{r})
	}
	res := "sent"
	switch {
	case errors.Is(err, ErrPermanent), errors.Is(err, ErrSecret):
		res = "failed"
	case err != nil && r.Attempts+1 >= w.o.MaxAttempts:
		res = "failed"
	case err != nil:
		res = "retry"
	}
	if w.sent != nil {
		w.sent.With(r.Channel, res).Inc()
	}
	w.log.InfoContext(ctx, "notification attempt", "msg", m, "notification", r.ID, "attempt", r.Attempts+1, "result", res, "err", err)
	// A message that left must be recorded even during shutdown.
	return true, w.finish(context.WithoutCancel(ctx), r, res, err)
}

func (w *Worker) sender(channel string) Sender {
	if channel == "sms" {
		return w.o.SMS
	}
	return w.o.Email
}

func (w *Worker) delay(n int) time.Duration {
	d := w.o.BaseDelay
	for i := 1; i < n && d < w.o.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, w.o.MaxDelay)
	return d + w.o.Jitter(d)
}
