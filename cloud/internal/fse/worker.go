package fse

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"cnskiosk.dev/cloud/internal/lease"
	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/store"
)

// Options configure a Worker. Zero values take the defaults shown.
type Options struct {
	Service     Service
	MaxAttempts int           // attempts before an L2 ticket; 8
	BaseDelay   time.Duration // first retry delay; 30s
	MaxDelay    time.Duration // cap of the retry delay; 1h
	Lease       time.Duration // how long a claim lasts; 2m
	Poll        time.Duration // idle wait between scans; 5s
	CallTimeout time.Duration // timeout of one Service call; 30s
	Batch       int           // rows claimed per scan; 16
	Now         func() time.Time
	Jitter      func(d time.Duration) time.Duration // extra delay in [0, d); nil = random
	Metrics     *metrics.Registry                   // optional
}

// Worker processes fse_requests. New -> Run(ctx) -> Close.
type Worker struct {
	db      *store.DB
	q       *lease.Queue
	backoff lease.Backoff
	o       Options
	log     *slog.Logger
	done    *metrics.CounterVec
}

// NewWorker returns a worker; it fails on a nil Service.
func NewWorker(db *store.DB, o Options, log *slog.Logger) (*Worker, error) {
	if o.Service == nil || db == nil {
		return nil, fmt.Errorf("%w: database and service are required", ErrConfig)
	}
	o.MaxAttempts = cmp.Or(o.MaxAttempts, 8)
	o.BaseDelay = cmp.Or(o.BaseDelay, 30*time.Second)
	o.MaxDelay = cmp.Or(o.MaxDelay, time.Hour)
	o.Lease = cmp.Or(o.Lease, 2*time.Minute)
	o.Poll = cmp.Or(o.Poll, 5*time.Second)
	o.CallTimeout = cmp.Or(o.CallTimeout, 30*time.Second)
	o.Batch = cmp.Or(o.Batch, 16)
	if o.Now == nil {
		o.Now = time.Now
	}
	q, err := lease.New(db, "fse_requests", lease.Options{Lease: o.Lease, Batch: o.Batch, Now: o.Now})
	if err != nil {
		return nil, err
	}
	w := &Worker{db: db, q: q, o: o, log: log,
		backoff: lease.Backoff{Base: o.BaseDelay, Max: o.MaxDelay, Jitter: o.Jitter}}
	if o.Metrics != nil {
		w.done, _ = o.Metrics.NewCounterVec("cms_fse_attempts_total", "FSE creation attempts by result.", "result")
	}
	return w, nil
}

// Run processes due requests until ctx ends.
func (w *Worker) Run(ctx context.Context) error {
	return lease.Loop(ctx, w.o.Poll, w.o.Batch, w.log, "fse", w.RunOnce)
}

// Close releases nothing today; it is here for the lifecycle.
func (w *Worker) Close() error { return nil }

// RunOnce claims one batch of due requests and processes it; it returns
// the number of requests processed. Requests left when ctx ends are
// released at once.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	reqs, tok, err := w.claim(ctx)
	if err != nil {
		return 0, err
	}
	return lease.Each(ctx, w.q, tok, reqs, func(r request) string { return r.ID }, w.process)
}

// process makes one attempt; false means the request was released
// because ctx ended during the call.
func (w *Worker) process(ctx context.Context, r request) (bool, error) {
	cctx, cancel := context.WithTimeout(ctx, w.o.CallTimeout)
	err := w.o.Service.Create(cctx, r.ID, r.CF, r.Consents)
	cancel()
	if ctx.Err() != nil {
		return false, w.q.Release(context.WithoutCancel(ctx), r.tok, r.ID)
	}
	res := classify(err)
	w.count(res)
	w.log.InfoContext(ctx, "fse attempt", "request", r.ID, "attempt", r.Attempts+1, "result", res, "err", err)
	return true, w.finish(context.WithoutCancel(ctx), r, res, err)
}

func (w *Worker) count(res string) {
	if w.done != nil {
		w.done.With(res).Inc()
	}
}

func classify(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrCF):
		return "cf"
	default:
		return "technical"
	}
}
