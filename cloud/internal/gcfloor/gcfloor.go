package gcfloor

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// DefaultFloor is the heap goal cmsd keeps at least.
const DefaultFloor = 128 << 20

// maxPercent bounds GOGC however small the live heap is.
const maxPercent = 2000

// every is how often the live heap is read (each collection updates it).
const every = 250 * time.Millisecond

// Percent is the GOGC that gives a heap goal of at least floor bytes
// with live bytes live, never below base (the GOGC otherwise in force).
func Percent(live, floor uint64, base int) int {
	if live == 0 || floor <= live {
		return base
	}
	p := int(math.Ceil(100 * (float64(floor)/float64(live) - 1)))
	return max(base, min(p, maxPercent))
}

// Start keeps the heap goal at least floor bytes until Stop, unless GOGC
// is set in the environment or collection is off (then it returns nil and
// does nothing). GOGC is computed again after every collection (the live
// heap is known then) and, at the latest, every 250 ms.
func Start(floor uint64) *Tuner {
	if os.Getenv("GOGC") != "" || floor == 0 {
		return nil
	}
	base := debug.SetGCPercent(100)
	debug.SetGCPercent(base)
	if base < 0 {
		return nil
	}
	t := &Tuner{floor: floor, base: base, set: base, quit: make(chan struct{}),
		sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	t.apply()
	t.afterEachGC()
	t.wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-t.quit:
				return
			case <-tick.C:
				t.apply()
			}
		}
	})
	return t
}

// Tuner sets GOGC from the live heap; see [Start].
type Tuner struct {
	mu     sync.Mutex
	floor  uint64
	base   int // GOGC in force at Start
	set    int // GOGC set last
	done   bool
	sample []metrics.Sample
	quit   chan struct{}
	wg     sync.WaitGroup
}

// Stop gives back the GOGC in force at Start. A nil Tuner does nothing.
func (t *Tuner) Stop() {
	if t == nil {
		return
	}
	t.mu.Lock()
	if !t.done {
		t.done = true
		close(t.quit)
		debug.SetGCPercent(t.base)
	}
	t.mu.Unlock()
	t.wg.Wait()
}

func (t *Tuner) apply() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return
	}
	metrics.Read(t.sample)
	var live uint64
	if t.sample[0].Value.Kind() == metrics.KindUint64 {
		live = t.sample[0].Value.Uint64()
	}
	if live == 0 { // no collection yet: the heap is as small as it gets
		live = 4 << 20
	}
	p := Percent(live, t.floor, t.base)
	if p != t.set && (p > t.set*11/10 || p < t.set*9/10 || p == t.base) {
		debug.SetGCPercent(p)
		t.set = p
	}
}

// afterEachGC runs apply after every collection until Stop: a
// sentinel object whose cleanup, run once it has been collected, makes the
// next one.
func (t *Tuner) afterEachGC() {
	s := new(sentinel)
	runtime.AddCleanup(s, func(struct{}) {
		t.mu.Lock()
		done := t.done
		t.mu.Unlock()
		if !done {
			t.apply()
			t.afterEachGC()
		}
	}, struct{}{})
}

// sentinel is an object the collector frees at each cycle (large enough
// not to share a tiny-allocation block with live data).
type sentinel struct{ _ [64]byte }
