package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"time"
)

// timelineStep is the width of one row of -timeline.
const timelineStep = 250 * time.Millisecond

// writeTimeline writes the ack latency of the operations published in
// each timelineStep of the load (by publish time), so that a tail can be
// told from a stall: a few slow steps, or slow everywhere.
func writeTimeline(path string, lr loadResult) error {
	if len(lr.sentAt) == 0 {
		return nil
	}
	start := slices.MinFunc(lr.sentAt, func(a, b time.Time) int { return a.Compare(b) })
	steps := map[int][]time.Duration{}
	for i, t := range lr.sentAt {
		k := int(t.Sub(start) / timelineStep)
		steps[k] = append(steps[k], lr.lat[i])
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "t_ms\tops\tp50_ms\tp99_ms\tmax_ms")
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for _, k := range slices.Sorted(func(yield func(int) bool) {
		for k := range steps {
			if !yield(k) {
				return
			}
		}
	}) {
		l := steps[k]
		fmt.Fprintf(w, "%d\t%d\t%.1f\t%.1f\t%.1f\n", k*int(timelineStep/time.Millisecond), len(l), ms(pct(l, 0.5)), ms(pct(l, 0.99)), ms(pct(l, 1)))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("timeline: %w", err)
	}
	return f.Close()
}
