package cms

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"cnskiosk.dev/shared/wire"
)

// fakeRun is a batch run without a database: it counts how often each
// request is processed and answers it with its own op id.
type fakeRun struct {
	mu    sync.Mutex
	seen  map[string]int
	sizes map[int]int
}

func (f *fakeRun) run(_ context.Context, reqs []*request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range reqs {
		f.seen[r.op.env.ID]++
		r.ack = wire.Ack{OpID: r.op.env.ID, Status: wire.StatusApplied}
	}
	f.sizes[len(reqs)]++
	runtime.Gosched() // let other callers queue and leaders interleave
}

// TestBatcherHandOver hammers the batcher's queue and lead hand-over with
// many callers, small batches and several leaders, some callers
// cancelling: every call returns once with its own answer (or, cancelled
// before any batch took it, ctx.Err and no processing), every request is
// processed by at most one batch, and no leader slot is left behind.
func TestBatcherHandOver(t *testing.T) {
	for _, c := range []struct {
		leaders, batch int
		gather         time.Duration
	}{{2, 2, 0}, {3, 2, 0}, {4, 3, 0}, {3, 1, 0}, {1, 4, 20 * time.Microsecond}, {2, 3, 20 * time.Microsecond}} {
		t.Run(fmt.Sprintf("leaders=%d,batch=%d,gather=%v", c.leaders, c.batch, c.gather), func(t *testing.T) {
			const callers, each = 32, 300
			f := &fakeRun{seen: map[string]int{}, sizes: map[int]int{}}
			b := &batcher{maxLeaders: c.leaders, maxBatch: c.batch, run: f.run, gather: c.gather}
			type result struct {
				id        string
				ack       wire.Ack
				err       error
				cancelled bool
			}
			results := make(chan result, callers*each)
			for g := range callers {
				go func() {
					for i := range each {
						id := fmt.Sprintf("%d-%d", g, i)
						ctx, cancel := context.WithCancel(context.Background())
						cancelled := i%7 == 3
						if cancelled {
							go cancel() // races with the batch
						}
						ack, _, err := b.submit(ctx, operation{env: wire.Envelope{ID: id}})
						cancel()
						results <- result{id, ack, err, cancelled}
					}
				}()
			}
			timeout := time.NewTimer(30 * time.Second)
			defer timeout.Stop()
			for n := range callers * each {
				select {
				case r := <-results:
					switch {
					case r.err != nil && (!r.cancelled || r.err != context.Canceled):
						t.Errorf("%s: %v", r.id, r.err)
					case r.err != nil && f.count(r.id) != 0:
						t.Errorf("%s: cancelled, yet processed", r.id)
					case r.err == nil && r.ack.OpID != r.id:
						t.Errorf("%s: answered %q", r.id, r.ack.OpID)
					}
				case <-timeout.C:
					t.Fatalf("%d of %d calls returned; the others are blocked", n, callers*each)
				}
			}
			for id, n := range f.seen {
				if n != 1 {
					t.Errorf("%s processed %d times", id, n)
				}
			}
			if b.leaders != 0 || len(b.pending) != 0 {
				t.Errorf("after all calls: %d leaders, %d pending; want 0, 0", b.leaders, len(b.pending))
			}
			t.Logf("batch sizes: %v", f.sizes)
		})
	}
}

func (f *fakeRun) count(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[id]
}

// TestBatcherGather checks the gather of a lane, in virtual time: a lone
// operation after a batch of one goes at once; under load, a leader waits
// until its batch is as large as the previous one, and then goes at once
// (a burst of callers all there already is not held up), or goes with
// what it has when the gather time is over.
func TestBatcherGather(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const gather = 50 * time.Millisecond
		f := &fakeRun{seen: map[string]int{}, sizes: map[int]int{}}
		b := &batcher{maxLeaders: 1, maxBatch: 8, run: f.run, gather: gather}
		var wg sync.WaitGroup
		var first time.Duration // how long the first request of a case waited
		// arrive submits n operations, one at once and the others one per
		// tick of the bubble's virtual clock, as kiosks at a steady pace.
		arrive := func(name string, n int, every time.Duration) {
			start := time.Now()
			var tick <-chan time.Time
			if every > 0 {
				ticker := time.NewTicker(every)
				defer ticker.Stop()
				tick = ticker.C
			}
			for i := range n {
				if i > 0 && tick != nil {
					<-tick
				}
				wg.Go(func() {
					if _, _, err := b.submit(context.Background(), operation{env: wire.Envelope{ID: fmt.Sprintf("%s-%d", name, i)}}); err != nil {
						t.Errorf("%s-%d: %v", name, i, err)
					}
					if i == 0 {
						first = time.Since(start)
					}
				})
			}
			wg.Wait()
		}
		reset := func(last int) {
			b.mu.Lock()
			b.last = last
			b.mu.Unlock()
			clear(f.sizes)
		}

		reset(1)
		arrive("alone", 1, 0)
		if first != 0 || f.sizes[1] != 1 {
			t.Errorf("lone operation after a batch of one: waited %v, batches %v", first, f.sizes)
		}

		reset(4) // one a millisecond: the fourth ends the gather
		arrive("steady", 4, time.Millisecond)
		if first != 3*time.Millisecond || f.sizes[4] != 1 {
			t.Errorf("steady arrivals: first waited %v, batches %v; want 3ms, one batch of 4", first, f.sizes)
		}

		reset(4) // a burst: all there at once
		arrive("burst", 4, 0)
		if first != 0 || f.sizes[4] != 1 {
			t.Errorf("burst: first waited %v, batches %v; want no wait, one batch of 4", first, f.sizes)
		}

		reset(4) // two, then no more: they go when the gather time is over
		arrive("partial", 2, time.Millisecond)
		if first != gather || f.sizes[2] != 1 {
			t.Errorf("partial batch: first waited %v, batches %v; want the gather time, one batch of 2", first, f.sizes)
		}
	})
}
