package gcfloor

import (
	"context"
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
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

// Start keeps the heap goal at least floor bytes until ctx ends, unless
// GOGC is set in the environment (then it returns false and does
// nothing).
func Start(ctx context.Context, floor uint64) bool {
	if os.Getenv("GOGC") != "" || floor == 0 {
		return false
	}
	const base = 100
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	set := base
	apply := func() {
		metrics.Read(sample)
		var live uint64
		if sample[0].Value.Kind() == metrics.KindUint64 {
			live = sample[0].Value.Uint64()
		}
		if live == 0 { // no collection yet: the heap is as small as it gets
			live = 4 << 20
		}
		p := Percent(live, floor, base)
		if p != set && (p > set*11/10 || p < set*9/10 || p == base) {
			debug.SetGCPercent(p)
			set = p
		}
	}
	apply()
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		defer debug.SetGCPercent(base)
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				apply()
			}
		}
	}()
	return true
}
