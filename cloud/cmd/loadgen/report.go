package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"
)

// report is the outcome of a run.
type report struct {
	Mode, DB, Client  string
	Kiosks, Ops, Idle int
	Rate              float64
	Sent, Acked       int
	Resent            int // publishes again of an operation not acked after resendEvery
	Outcomes          map[string]int
	OpsPerSec         float64
	P50, P99, Max     time.Duration
	// The same, without the operations published in the first second of
	// the load (the processes' warm-up: heaps, caches, connections).
	WarmP50, WarmP99, WarmMax time.Duration
	WarmN                     int
	RawN                      int
	RawPerSec                 float64
	RawP50, RawP99            time.Duration
	RSSBase, RSSIdle          int64
	BytesPerKiosk             int64
	Recorded, Duplicate       int
	Restarts                  int
	BatchMean                 float64 // operations per engine transaction, from cmsd's metrics
	Batches                   int
	ExactlyOnce               bool
	BadAcks, StrayAcks        int64      // acks that did not decode; acks no operation waited for
	CPU                       []cpuShare // over the load phase
	MachineBusy               float64    // percent of all cores, over the load phase
}

func pct(l []time.Duration, p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	i := int(p * float64(len(s)-1))
	return s[i]
}

func (r *report) load(l loadResult) {
	r.Sent, r.Acked, r.Resent, r.Outcomes = l.sent, l.acked, l.resent, l.outcomes
	if l.elapsed > 0 {
		r.OpsPerSec = float64(l.acked) / l.elapsed.Seconds()
	}
	r.P50, r.P99, r.Max = pct(l.lat, 0.50), pct(l.lat, 0.99), pct(l.lat, 1)
	warm := afterWarmUp(l)
	r.WarmN = len(warm)
	r.WarmP50, r.WarmP99, r.WarmMax = pct(warm, 0.50), pct(warm, 0.99), pct(warm, 1)
}

// warmUp is the start of a load left out of the "after warm-up" latency.
const warmUp = time.Second

// afterWarmUp are the latencies of the operations first published warmUp
// or more after the first publish of the load.
func afterWarmUp(l loadResult) []time.Duration {
	if len(l.sentAt) != len(l.lat) || len(l.sentAt) == 0 {
		return nil
	}
	start := slices.MinFunc(l.sentAt, func(a, b time.Time) int { return a.Compare(b) })
	var out []time.Duration
	for i, t := range l.sentAt {
		if t.Sub(start) >= warmUp {
			out = append(out, l.lat[i])
		}
	}
	return out
}

func (r *report) raw(w rawResult) {
	r.RawN = w.n
	if w.elapsed > 0 {
		r.RawPerSec = float64(w.n) / w.elapsed.Seconds()
	}
	r.RawP50, r.RawP99 = pct(w.lat, 0.50), pct(w.lat, 0.99)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }

func (r *report) print(w io.Writer) {
	var oc []string
	for o, n := range r.Outcomes {
		oc = append(oc, fmt.Sprintf("%s=%d", o, n))
	}
	sort.Strings(oc)
	loop := "closed loop (1 op in flight per kiosk)"
	if r.Rate > 0 {
		loop = fmt.Sprintf("open loop, offered %.0f ops/s", r.Rate)
	}
	fmt.Fprintf(w, "mode %s, database %s, client %s, %d kiosks x %d activations, %s\n", r.Mode, r.DB, r.Client, r.Kiosks, r.Ops, loop)
	fmt.Fprintf(w, "end to end: %d sent, %d acked (%s), %d resent, %.0f ops/s, ack latency p50 %s p99 %s max %s\n",
		r.Sent, r.Acked, strings.Join(oc, " "), r.Resent, r.OpsPerSec, ms(r.P50), ms(r.P99), ms(r.Max))
	if r.WarmN > 0 {
		fmt.Fprintf(w, "after the first %v: %d operations, ack latency p50 %s p99 %s max %s\n", warmUp, r.WarmN, ms(r.WarmP50), ms(r.WarmP99), ms(r.WarmMax))
	}
	if r.BadAcks > 0 || r.StrayAcks > 0 {
		fmt.Fprintf(w, "acks: %d did not decode, %d came before their kiosk was driven\n", r.BadAcks, r.StrayAcks)
	}
	if r.Batches > 0 {
		fmt.Fprintf(w, "engine: %d batch transactions, %.1f operations per batch on average\n", r.Batches, r.BatchMean)
	}
	r.printCPU(w)
	if r.RawN > 0 {
		fmt.Fprintf(w, "baseline raw QoS 1 publish->subscribe, same broker: %d msgs, %.0f msg/s, latency p50 %s p99 %s\n",
			r.RawN, r.RawPerSec, ms(r.RawP50), ms(r.RawP99))
	}
	if r.Idle > 0 {
		fmt.Fprintf(w, "memory: cmsd RSS %.1f MiB before, %.1f MiB with %d idle kiosks connected: %.1f KiB per kiosk\n",
			float64(r.RSSBase)/(1<<20), float64(r.RSSIdle)/(1<<20), r.Idle, float64(r.BytesPerKiosk)/1024)
	}
	fmt.Fprintf(w, "exactly once: %v (%d operations recorded for %d sent, %d duplicates, %d cmsd restarts)\n",
		r.ExactlyOnce, r.Recorded, r.Sent, r.Duplicate, r.Restarts)
}
