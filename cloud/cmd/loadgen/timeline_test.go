package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWarmUpAndTimeline checks the latency left after the warm-up and the
// timeline file on a made-up load: slow operations in the first second,
// fast ones after.
func TestWarmUpAndTimeline(t *testing.T) {
	start := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	var l loadResult
	for i := range 40 { // one every 50 ms for 2 s
		at := start.Add(time.Duration(i) * 50 * time.Millisecond)
		lat := 5 * time.Millisecond
		if i < 20 {
			lat = 300 * time.Millisecond
		}
		l.sentAt = append(l.sentAt, at)
		l.lat = append(l.lat, lat)
	}
	var r report
	r.load(l)
	if r.P99 != 300*time.Millisecond || r.WarmN != 20 || r.WarmP99 != 5*time.Millisecond || r.WarmMax != 5*time.Millisecond {
		t.Errorf("p99 %v, after warm-up %d ops p99 %v max %v; want 300ms, 20 ops 5ms 5ms", r.P99, r.WarmN, r.WarmP99, r.WarmMax)
	}

	path := filepath.Join(t.TempDir(), "timeline.tsv")
	if err := writeTimeline(path, l); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 9 || lines[0] != "t_ms\tops\tp50_ms\tp99_ms\tmax_ms" {
		t.Fatalf("timeline:\n%s", b)
	}
	if lines[1] != "0\t5\t300.0\t300.0\t300.0" || lines[8] != "1750\t5\t5.0\t5.0\t5.0" {
		t.Errorf("timeline rows 1 and 8: %q, %q", lines[1], lines[8])
	}
}
