package main

import (
	"os"
	"runtime"
	"testing"
)

func TestStatTicks(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     uint64
	}{
		{"plain", "42 (cmsd) S 1 42 42 0 -1 4194560 100 0 0 0 150 25 0 0 20 0 8 0 1000 0 0", 175},
		{"name with spaces and parens", "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0", 7},
		{"truncated", "7 (x) R 1 2", 0},
		{"no name", "garbage", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := statTicks([]byte(tc.in)); got != tc.want {
				t.Errorf("statTicks(%q) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

// TestCPUReplace: when cmsd is killed and restarted during the load, its
// CPU is the sum of both processes, never a count going backwards (which
// printed an absurd share after -kill-after).
func TestCPUReplace(t *testing.T) {
	self := os.Getpid()
	for runtime.GOOS == "linux" && procTicks(self) == 0 {
		// spend a clock tick
	}
	w := startCPU(map[string]int{"cmsd": self})
	before := w.ticks("cmsd")
	w.replace("cmsd", 0) // killed; its successor not yet running
	if got := w.ticks("cmsd"); got < before {
		t.Errorf("after the kill: %d ticks, before %d", got, before)
	}
	w.replace("cmsd", self) // the successor (this process again)
	if got := w.ticks("cmsd"); got < 2*before {
		t.Errorf("with the successor: %d ticks, want at least %d", got, 2*before)
	}
}

// TestGrowth: the CPU of a set of processes over the load counts what
// each gained, and a process that exited meanwhile does not turn the sum
// negative (it printed an absurd postgres share when a backend closed).
func TestGrowth(t *testing.T) {
	then := map[int]uint64{1: 100, 2: 50, 3: 70}
	now := map[int]uint64{1: 130, 3: 75, 4: 20, 5: 9} // 2 exited, 4 and 5 new
	if got := growth(then, now); got != 30+5+20+9 {
		t.Errorf("growth = %d, want 64", got)
	}
	if got := growth(map[int]uint64{7: 500}, map[int]uint64{7: 40}); got != 40 {
		t.Errorf("pid reused by a younger process: growth = %d, want its 40 ticks", got)
	}
	if got := growth(then, nil); got != 0 {
		t.Errorf("all exited: growth = %d, want 0", got)
	}
}
