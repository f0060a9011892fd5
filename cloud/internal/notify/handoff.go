package notify

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"cnskiosk.dev/cloud/internal/lease"
	"cnskiosk.dev/cloud/internal/metrics"
)

// Handed is a notification the CMS engine inserted already claimed by
// this instance's worker (claimed_until = Token) and handed over once the
// batch that inserted it committed. It holds what the send needs besides
// the card's sealed secrets, which the worker reads itself.
type Handed struct {
	ID, Kind, CardTEAM, Channel, Address string
	NextAt                               int64 // next_at as inserted, unix microseconds
	Token                                lease.Token
}

// Handoff is the bounded way from the engine to the local worker, which
// spares the worker the claim of the notifications its own instance
// creates (docs/workers.md, "Hand-off"):
//
//  1. Reserve, while the engine writes a batch: a slot for a notification
//     and the token to insert it with as its claimed_until. No slot (the
//     hand-off is full, or the worker has stopped): the engine inserts the
//     row unclaimed and the polling claim takes it, as before.
//  2. Hand, after the batch committed, the rows reserved; or Cancel, after
//     it rolled back, the slots.
//  3. The worker takes the rows (RunHanded) and sends them as it sends the
//     rows it claims; their slots are free once they are recorded.
//
// A row handed and not sent because its lease ran short, or handed after
// the worker stopped, is released (claimed_until = 0): the claim of any
// instance takes it at once. A row handed and not sent because the
// instance crashed, or whose release failed, stays claimed until its
// lease ends; then any instance's claim takes it. A nil *Handoff hands
// nothing: Reserve grants no slot.
type Handoff struct {
	q     *lease.Queue
	now   func() time.Time
	lease time.Duration
	limit int
	log   *slog.Logger
	wake  chan struct{} // capacity 1: rows were queued
	// handed counts the rows queued for the worker by Hand; nil: none.
	handed *metrics.Counter

	mu     sync.Mutex
	used   int // slots reserved, queued or being sent
	queue  []Handed
	closed bool
	tok    lease.Token // the token Reserve gives, renewed every lease.Gather
	tokAt  time.Time
}

func newHandoff(q *lease.Queue, o Options, log *slog.Logger) *Handoff {
	if o.Handoff < 0 {
		return nil
	}
	return &Handoff{q: q, now: o.Now, lease: o.Lease, limit: o.Handoff, log: log, wake: make(chan struct{}, 1)}
}

// releaseTimeout bounds the release of handed rows the worker will not
// send (Hand after the worker stopped, and the queue at its stop): Hand
// runs on the engine's lane, which must not wait on a stuck database. A
// release that fails leaves the rows to their lease's end (or, should the
// abandoned statement still complete, released).
var releaseTimeout = 5 * time.Second

// Reserve takes up to n slots and returns how many it took, with the
// token the rows are to be inserted with (claimed_until). The token is a
// lease like a claim's, now + the worker's lease, and is shared by the
// reservations of one lease.Gather, so that the worker records the rows of
// several engine batches with one statement: a token must only differ from
// every later claim of the same row, which a claim's own (later) time
// guarantees.
func (h *Handoff) Reserve(n int) (lease.Token, int) {
	if h == nil || n <= 0 {
		return 0, 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	n = min(n, h.limit-h.used)
	if h.closed || n <= 0 {
		return 0, 0
	}
	h.used += n
	now := h.now()
	if h.tok == 0 || now.Sub(h.tokAt) >= lease.Gather || now.Before(h.tokAt) {
		h.tok, h.tokAt = lease.Token(now.Add(h.lease).UnixMicro()), now
	}
	return h.tok, n
}

// Cancel gives back n slots whose rows were not committed (the batch
// rolled back, or is run again).
func (h *Handoff) Cancel(n int) {
	if h == nil || n <= 0 {
		return
	}
	h.mu.Lock()
	h.used -= n
	h.mu.Unlock()
}

// Hand queues rows, reserved and committed, for the worker, and counts
// them handed. Once the worker has stopped they are released instead
// (another instance claims them at once), with ctx bounded by a few
// seconds: on failure Hand logs a warning and the rows wait for their
// lease's end.
func (h *Handoff) Hand(ctx context.Context, rows []Handed) {
	if h == nil || len(rows) == 0 {
		return
	}
	h.mu.Lock()
	if h.closed {
		h.used -= len(rows)
		h.mu.Unlock()
		h.release(ctx, rows)
		return
	}
	h.queue = append(h.queue, rows...)
	h.mu.Unlock()
	if h.handed != nil {
		h.handed.Add(float64(len(rows)))
	}
	h.signal()
}

func (h *Handoff) signal() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// take removes and returns the oldest queued rows that share the first
// one's token, at most max; their slots stay used until done.
func (h *Handoff) take(max int) []Handed {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for n < len(h.queue) && n < max && h.queue[n].Token == h.queue[0].Token {
		n++
	}
	out := make([]Handed, n)
	copy(out, h.queue)
	h.queue = h.queue[n:]
	if len(h.queue) == 0 {
		h.queue = nil // let the array go
	} else {
		h.signal() // more for the next round
	}
	return out
}

// done frees the slots of n rows taken.
func (h *Handoff) done(n int) { h.Cancel(n) }

// close refuses further reservations and releases the rows still queued,
// so that another worker takes them at once.
func (h *Handoff) close(ctx context.Context) {
	if h == nil {
		return
	}
	h.mu.Lock()
	h.closed = true
	rows := h.queue
	h.queue = nil
	h.used -= len(rows)
	h.mu.Unlock()
	h.release(ctx, rows)
}

// release gives rows back to the queue, one statement per token, all
// within releaseTimeout.
func (h *Handoff) release(ctx context.Context, rows []Handed) {
	if len(rows) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, releaseTimeout)
	defer cancel()
	for len(rows) > 0 {
		tok := rows[0].Token
		var ids []string
		rest := rows[:0:0]
		for _, r := range rows {
			if r.Token == tok {
				ids = append(ids, r.ID)
			} else {
				rest = append(rest, r)
			}
		}
		if err := h.q.Release(ctx, tok, ids...); err != nil {
			h.log.WarnContext(ctx, "handed notifications not released; they are claimed when their lease ends", "rows", len(ids), "err", err)
		}
		rows = rest
	}
}

// Used is how many slots are reserved, queued or being sent.
func (h *Handoff) Used() int {
	if h == nil {
		return 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.used
}
