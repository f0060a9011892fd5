package gcfloor

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestPercent(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, floor uint64
		want        int
	}{
		{20 * mib, 128 * mib, 540},  // goal 20 x 6.4 = 128 MiB
		{64 * mib, 128 * mib, 100},  // goal 128 MiB: the default is enough
		{100 * mib, 128 * mib, 100}, // goal 200 MiB with the default
		{300 * mib, 128 * mib, 100}, // large heap: the default
		{1 * mib, 128 * mib, 2000},  // bounded
		{0, 128 * mib, 100},         // nothing known
		{32 * mib, 0, 100},          // no floor
		{96 * mib, 128 * mib, 100},  // 34 < base
		{16 * mib, 128 * mib, 700},  // 16 x 8 = 128
		{127 * mib, 128 * mib, 100}, // just below the floor
		{10 * mib, 100 * mib, 900},  // 10 x 10 = 100
		{25 * mib, 100 * mib, 300},  // 25 x 4 = 100
		{40 * mib, 100 * mib, 150},  // 40 x 2.5 = 100
		{50 * mib, 100 * mib, 100},  // 50 x 2 = 100
		{33 * mib, 99 * mib, 200},   // 33 x 3 = 99
		{60 * mib, 180 * mib, 200},  // 60 x 3 = 180
		{20 * mib, 1 << 40, 2000},   // bounded
	} {
		if got := Percent(c.live, c.floor, 100); got != c.want {
			t.Errorf("Percent(%d MiB, %d MiB) = %d, want %d", c.live/mib, c.floor/mib, got, c.want)
		}
	}
}

func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestStart raises GOGC at once for a small heap and after collections,
// gives the previous GOGC back at Stop, and leaves GOGC alone when it is
// set in the environment.
func TestStart(t *testing.T) {
	defer debug.SetGCPercent(gcPercent())
	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150)
	if tu := Start(1 << 30); tu != nil {
		tu.Stop()
		t.Error("Start ran with GOGC set in the environment")
	}
	if p := gcPercent(); p != 150 {
		t.Errorf("GOGC = %d with GOGC=150 in the environment", p)
	}

	t.Setenv("GOGC", "")
	debug.SetGCPercent(120)
	tu := Start(1 << 30)
	if tu == nil {
		t.Fatal("Start did not run")
	}
	if p := gcPercent(); p <= 120 {
		t.Errorf("GOGC = %d for a test's heap under a 1 GiB floor, want above 120", p)
	}
	for range 3 {
		runtime.GC()
	}
	if p := gcPercent(); p <= 120 {
		t.Errorf("GOGC = %d after collections, want above 120", p)
	}
	tu.Stop()
	if p := gcPercent(); p != 120 {
		t.Errorf("GOGC = %d after Stop, want the 120 in force at Start", p)
	}
	tu.Stop() // twice: nothing more
	var none *Tuner
	none.Stop()
}
