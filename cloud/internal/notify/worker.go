package notify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"cnskiosk.dev/cloud/internal/lease"
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
	// ConfigGrace bounds how long a notice is retried, uncounted, while
	// its sender refuses our configuration (ErrSenderConfig), from the
	// first such refusal of the notice in a row: the refusal that finds
	// it passed fails the notice and opens its ticket. Zero: 24h;
	// negative: NewWorker returns ErrConfig.
	ConfigGrace time.Duration
	// Handoff is how many notifications the engine may hand over at once,
	// inserted already claimed (see Handoff): reserved, queued or being
	// sent. Zero: 8 * Batch; negative: none (every row is claimed).
	Handoff int
}

// Worker sends the notification outbox. New -> Run(ctx) -> Close.
type Worker struct {
	db      *store.DB
	q       *lease.Queue
	backoff lease.Backoff
	o       Options
	log     *slog.Logger
	sent    *metrics.CounterVec
	alerts  *metrics.CounterVec

	flush       [2]Flusher // of the e-mail and SMS senders; nil: delivers in Send
	flushShared bool       // one sender serves both channels: flushed once

	mu       sync.Mutex
	alerting map[string]int // channel -> configuration refusals in a row (a burst), until a send succeeds; for the alert only

	scan   sync.Mutex // one claim at a time moves the position
	next   pos        // the last row claimed, in claim order: the next scan starts after it
	fullAt time.Time  // when the last scan from the head ran

	hand   *Handoff         // rows the engine inserted claimed for this worker; nil: none
	margin time.Duration    // a row is sent only while this much of its batch's lease is left
	claims *metrics.Counter // claim statements run; nil without Metrics
}

// NewWorker returns a worker; a vault and both senders are required.
func NewWorker(db *store.DB, o Options, log *slog.Logger) (*Worker, error) {
	if db == nil || o.Vault == nil || o.Email == nil || o.SMS == nil {
		return nil, fmt.Errorf("%w: database, vault, e-mail and SMS senders are required", ErrConfig)
	}
	if o.ConfigGrace < 0 {
		return nil, fmt.Errorf("%w: negative ConfigGrace", ErrConfig)
	}
	if o.Policy == (vault.Policy{}) {
		o.Policy = vault.DefaultPolicy
	}
	o.MaxAttempts = cmp.Or(o.MaxAttempts, 10)
	o.ConfigGrace = cmp.Or(o.ConfigGrace, 24*time.Hour)
	o.BaseDelay = cmp.Or(o.BaseDelay, 30*time.Second)
	o.MaxDelay = cmp.Or(o.MaxDelay, time.Hour)
	o.Lease = cmp.Or(o.Lease, 2*time.Minute)
	o.Poll = cmp.Or(o.Poll, 2*time.Second)
	o.SendTimeout = cmp.Or(o.SendTimeout, 30*time.Second)
	o.Batch = cmp.Or(o.Batch, 32)
	o.Handoff = cmp.Or(o.Handoff, 8*o.Batch)
	if o.Now == nil {
		o.Now = time.Now
	}
	q, err := lease.New(db, "notifications", lease.Options{Lease: o.Lease, Batch: o.Batch, Now: o.Now})
	if err != nil {
		return nil, err
	}
	w := &Worker{db: db, q: q, o: o, log: log, alerting: map[string]int{},
		backoff: lease.Backoff{Base: o.BaseDelay, Max: o.MaxDelay, Jitter: o.Jitter},
		hand:    newHandoff(q, o, log), margin: min(2*o.SendTimeout, o.Lease/2)}
	if o.Metrics != nil {
		w.sent, _ = o.Metrics.NewCounterVec("cms_notifications_total", "Notification send attempts by channel and result.", "channel", "result")
		w.alerts, _ = o.Metrics.NewCounterVec("cms_notification_sender_refusals_total",
			"Send attempts the gateway or SMTP server refused because of our configuration (credentials, TLS, sender address).", "channel")
		w.claims, _ = o.Metrics.NewCounter("cms_notification_claims_total",
			"Claim statements the notification worker ran, each taking up to a batch of due notifications.")
		handed, _ := o.Metrics.NewCounter("cms_notifications_handed_total",
			"Notifications the engine of this instance inserted already claimed and handed over to the worker, counted at the hand-over after the commit.")
		if w.hand != nil {
			w.hand.handed = handed
		}
	}
	w.flush[0], _ = o.Email.(Flusher)
	w.flush[1], _ = o.SMS.(Flusher)
	w.flushShared = w.flush[1] != nil && same(o.Email, o.SMS)
	warnInsecure(o.Email, log)
	return w, nil
}

// same reports whether a and b are the same sender, so that a Flusher
// that serves both channels is flushed once per batch: a second Flush
// would find nothing to write and return nil even when the first one
// dropped the messages of both channels. Values of a type that cannot be
// compared (a struct with a map, say) are taken as different.
func same(a, b Sender) (eq bool) {
	defer func() {
		if recover() != nil {
			eq = false
		}
	}()
	return a == b
}

// warnInsecure logs, once at start, that e-mail may leave in clear.
func warnInsecure(s Sender, log *slog.Logger) {
	var insecure bool
	switch m := s.(type) {
	case SMTP:
		insecure = m.Insecure()
	case *SMTP:
		insecure = m.Insecure()
	}
	if insecure {
		log.Warn("SMTP WITHOUT TLS: the second halves of PIN and PUK are sent in clear when the server offers no STARTTLS; "+
			"allowed only towards a relay on the same host", "smtp", smtpAddr(s))
	}
}

func smtpAddr(s Sender) string {
	if m, ok := s.(*SMTP); ok {
		return m.Addr
	}
	m, _ := s.(SMTP)
	return m.Addr
}

// Handoff is the way for the engine of this instance to hand the worker
// the notifications it creates; nil when Options.Handoff is negative.
func (w *Worker) Handoff() *Handoff { return w.hand }

// Run sends notifications until ctx ends: the rows handed over as they
// come (RunHanded), the due rows by polling (RunOnce, paced by lease.Next).
// When it returns, the hand-off takes no more rows and the rows queued in
// it are released.
func (w *Worker) Run(ctx context.Context) error {
	defer w.hand.close(context.WithoutCancel(ctx))
	var wake <-chan struct{}
	if w.hand != nil {
		wake = w.hand.wake
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		var n int
		var err error
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
			// One round; take signals again while rows are left, and the
			// select gives the poll its turn in between.
			_, err = w.RunHanded(ctx)
		case <-t.C:
			n, err = w.RunOnce(ctx)
			t.Reset(lease.Next(n, w.o.Batch, err, w.o.Poll))
		}
		if err != nil && ctx.Err() == nil {
			w.log.ErrorContext(ctx, "notification scan failed", "err", err)
		}
	}
}

// Close is here for the lifecycle.
func (w *Worker) Close() error { return nil }

// RunOnce claims a batch and sends it; it returns how many rows it
// finished (sent or failed). Rows left when ctx ends are released.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	rows, tok, secrets, err := w.claimDue(ctx)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	return w.send(ctx, &batch{tok: tok, secrets: secrets}, rows)
}

// RunHanded sends the oldest rows handed over (at most Batch, of one
// token) as RunOnce sends the rows it claims, without a claim; it returns
// how many it finished. Like a claimed batch, it stops sending when less
// than the margin is left of the token's lease and releases the rest
// (see send).
func (w *Worker) RunHanded(ctx context.Context) (int, error) {
	hs := w.hand.take(w.o.Batch)
	if len(hs) == 0 {
		return 0, nil
	}
	defer w.hand.done(len(hs))
	rows := make([]row, len(hs))
	for i, h := range hs {
		rows[i] = row{ID: h.ID, Kind: h.Kind, CardTEAM: h.CardTEAM, Channel: h.Channel, Address: h.Address,
			at: pos{nextAt: h.NextAt, id: h.ID}, tok: h.Token, handed: true}
	}
	return w.send(ctx, &batch{tok: hs[0].Token}, rows)
}

// send sends the rows of b, claimed or handed under b.tok, and records
// them; it reads their secrets first unless b has them.
//
// A row is sent only while at least the margin (2 x SendTimeout, at most
// half the lease) is left of b.tok's lease. From the first row with less,
// the batch sends nothing more and releases the rows left, in one
// statement: they are claimable at once, by any instance. The
// last send thus starts with the margin left, takes at most SendTimeout,
// the batch's flushes at most SendTimeout together (flushHeld), and the
// record statement is issued before the lease ends when SendTimeout is at
// most a quarter of the lease (the defaults: 30 s and 2 minutes).
func (w *Worker) send(ctx context.Context, b *batch, rows []row) (int, error) {
	var err error
	if b.secrets == nil {
		if b.secrets, err = w.secrets(ctx, rows); err != nil {
			return 0, errors.Join(err, w.q.Release(context.WithoutCancel(ctx), b.tok, ids(rows)...))
		}
	}
	n, err := lease.Each(ctx, w.q, b.tok, rows, func(r row) string { return r.ID }, func(ctx context.Context, r row) (bool, error) {
		return w.process(ctx, b, r)
	})
	if len(b.left) > 0 {
		err = errors.Join(err, w.q.Release(context.WithoutCancel(ctx), b.tok, b.left...))
		w.log.WarnContext(ctx, "notifications released unsent: their lease was running out", "rows", len(b.left),
			"handed", rows[0].handed)
	}
	// Messages a Flusher holds leave now, before any is recorded sent (at
	// least once); then the messages that left are recorded, even during
	// shutdown.
	err = errors.Join(err, w.flushHeld(ctx, b))
	err = errors.Join(err, w.finishSent(context.WithoutCancel(ctx), b))
	// One line per batch: under load a line per message was a write
	// system call each and a few per cent of cmsd's CPU. A handed batch
	// that all left is the everyday path, one per engine batch (hundreds a
	// second under load; cms_notifications_total counts them): DEBUG. A
	// claimed batch (what an instance left, a retry) or one with a retry
	// or a failure: INFO.
	if len(b.sent)+b.retried+b.failed > 0 {
		lvl := slog.LevelInfo
		if rows[0].handed && b.retried == 0 && b.failed == 0 {
			lvl = slog.LevelDebug
		}
		w.log.Log(ctx, lvl, "notification batch", "sent", len(b.sent), "retried", b.retried, "failed", b.failed,
			"handed", rows[0].handed)
	}
	return n, err
}

// claimDue claims the next due rows after the last row this worker
// claimed. It scans from the head instead when it has no position yet,
// when the scan from its position finds nothing, and at least once per
// Poll. That finds what the position passed over, which is never a row
// this worker holds but can be a row committed after rows with a later
// next_at (the engine stamps next_at before its batch commits, and batches
// commit in parallel), a row released at shutdown or whose lease ran out
// (another instance, a crash), or a row another worker had locked at that
// moment. A scan from the head costs more the more rows were sent since
// the last VACUUM (see claimUpdate); it runs once per Poll under a steady
// load, and when the queue is drained, after which Run waits a Poll when
// it finds nothing either.
func (w *Worker) claimDue(ctx context.Context) ([]row, lease.Token, map[string]vault.Sealed, error) {
	w.scan.Lock()
	defer w.scan.Unlock()
	now := w.o.Now()
	full := w.next == head || now.Sub(w.fullAt) >= w.o.Poll
	from := w.next
	if full {
		from, w.fullAt = head, now
	}
	rows, tok, secrets, err := w.claim(ctx, from)
	if err == nil && len(rows) == 0 && !full {
		w.fullAt = now
		rows, tok, secrets, err = w.claim(ctx, head)
	}
	for _, r := range rows {
		if r.at.after(w.next) {
			w.next = r.at
		}
	}
	return rows, tok, secrets, err
}

// process sends one row; false means it was not sent and is released:
// at shutdown, or when the batch's lease runs short (send). A sent
// row is recorded with the batch (finishSent), or held until its sender's
// Flush (flushHeld) when the sender is a Flusher; retries and failures at
// once.
func (w *Worker) process(ctx context.Context, b *batch, r row) (bool, error) {
	if len(b.left) > 0 || time.Duration(int64(b.tok)-w.o.Now().UnixMicro())*time.Microsecond < w.margin {
		b.left = append(b.left, r.ID) // released unsent with the rest of the batch (send)
		return false, nil
	}
	m, err := w.build(b, r)
	if err == nil {
		sctx, cancel := context.WithTimeout(ctx, w.o.SendTimeout)
		err = w.sender(r.Channel).Send(sctx, m)
		cancel()
	}
	if err != nil && ctx.Err() != nil {
		return false, w.q.Release(context.WithoutCancel(ctx), r.tok, r.ID)
	}
	if err == nil && w.flush[slot(r.Channel)] != nil {
		b.held = append(b.held, r) // not m: the body, with its secrets, is the sender's now
		return true, nil
	}
	return true, w.settle(ctx, b, r, m, err)
}

// flushHeld flushes the senders that hold messages of the batch, each
// once, all within one send timeout, even during shutdown (what a Send
// accepted should leave). The held rows of a sender whose Flush returned
// nil join the batch's sent rows; those of one whose Flush failed are
// settled as a send that failed with that error, or released if ctx
// ended (like a send that fails during shutdown).
func (w *Worker) flushHeld(ctx context.Context, b *batch) error {
	if len(b.held) == 0 {
		return nil
	}
	var used [2]bool
	for _, r := range b.held {
		used[slot(r.Channel)] = true
	}
	if w.flushShared {
		used[0], used[1] = used[0] || used[1], false
	}
	var errs [2]error
	// One SendTimeout for the flushes of the batch together: with the
	// last send's, it is what the lease margin leaves for them (send).
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.o.SendTimeout)
	defer cancel()
	for i, f := range w.flush {
		if f == nil || !used[i] {
			continue
		}
		if err := f.Flush(fctx); err != nil {
			errs[i] = fmt.Errorf("notify: flush %s sender: %w", [2]string{"email", "sms"}[i], err)
		}
	}
	if w.flushShared {
		errs[1] = errs[0]
	}
	var release []string
	var err error
	for _, r := range b.held {
		ferr := errs[slot(r.Channel)]
		if ferr != nil && ctx.Err() != nil {
			release = append(release, r.ID)
			continue
		}
		// The message is rebuilt without its body: settle only logs it.
		m := Message{ID: r.ID, Kind: r.Kind, Channel: r.Channel}
		err = errors.Join(err, w.settle(ctx, b, r, m, ferr))
	}
	if len(release) > 0 {
		err = errors.Join(err, w.q.Release(context.WithoutCancel(ctx), b.tok, release...))
	}
	return err
}

// slot is the index of a channel's sender in Worker.flush.
func slot(channel string) int {
	if channel == "sms" {
		return 1
	}
	return 0
}

// settle records the outcome of one send: a sent row joins the batch's
// record (finishSent), a retry or a failure is written at once.
func (w *Worker) settle(ctx context.Context, b *batch, r row, m Message, err error) error {
	w.alert(ctx, r.Channel, err)
	cfg := errors.Is(err, ErrSenderConfig)
	now := w.o.Now()
	res := "sent"
	switch {
	case errors.Is(err, ErrPermanent), errors.Is(err, ErrSecret):
		res = "failed"
	case cfg && r.refusedSince != 0 && now.Sub(time.UnixMicro(r.refusedSince)) >= w.o.ConfigGrace:
		// Refused for our configuration for longer than the grace: no
		// one fixed it, and the citizen is still waiting.
		res = "failed"
	case cfg:
		// Refused for our configuration: no fault of the citizen's
		// address, so not an attempt the cap counts (see finish).
		res = "retry"
	case err != nil && r.Attempts+1 >= w.o.MaxAttempts:
		res = "failed"
	case err != nil:
		res = "retry"
	}
	if w.sent != nil {
		w.sent.With(r.Channel, res).Inc()
	}
	// A sent message is counted in the batch's line and logged alone at
	// DEBUG; a retry or a failure, which an operator needs to see, alone
	// at INFO or WARN. m logs its id, kind and channel, never the body.
	// (Enabled first: the arguments would be boxed, an allocation per
	// message, even with DEBUG off.)
	level := slog.LevelDebug
	switch res {
	case "sent":
		b.sent = append(b.sent, r.at)
	case "retry":
		level = slog.LevelInfo
		b.retried++
	default:
		level = slog.LevelWarn
		b.failed++
	}
	if w.log.Enabled(ctx, level) {
		w.log.Log(ctx, level, "notification attempt", "notification", m, "attempt", r.Attempts+1, "result", res, "err", err)
	}
	if res == "sent" {
		return nil
	}
	return w.finish(context.WithoutCancel(ctx), r, res, err, cfg, now)
}

// alert counts configuration refusals and logs an error at the first one
// of a burst; a successful send on the channel ends the burst. The burst
// only keeps the log to one line: a notice's retries and its bound go by
// its own refusals (finish).
func (w *Worker) alert(ctx context.Context, channel string, err error) {
	bad := errors.Is(err, ErrSenderConfig)
	if bad && w.alerts != nil {
		w.alerts.With(channel).Inc()
	}
	w.mu.Lock()
	n := 0
	switch {
	case bad:
		n = w.alerting[channel] + 1
		w.alerting[channel] = n
	case err == nil:
		delete(w.alerting, channel)
	}
	w.mu.Unlock()
	if n == 1 {
		w.log.ErrorContext(ctx, "notification sender refuses our requests: check its configuration (credentials, TLS, sender address); notices are kept and retried",
			"channel", channel, "err", err, "failed_after", w.o.ConfigGrace)
	}
}

func (w *Worker) sender(channel string) Sender {
	if channel == "sms" {
		return w.o.SMS
	}
	return w.o.Email
}
