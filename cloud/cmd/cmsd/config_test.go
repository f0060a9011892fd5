package main

import (
	"strings"
	"testing"
	"time"
)

// TestConfigGCFloor refuses a negative or absurd --gc-floor instead of
// turning it into a huge floor.
func TestConfigGCFloor(t *testing.T) {
	for _, c := range []struct {
		mib int
		ok  bool
	}{{0, true}, {128, true}, {-1, false}, {1 << 21, false}} {
		cfg := config{data: t.TempDir(), name: "cmsd-test", gcFloorMiB: c.mib}
		err := cfg.defaults()
		if (err == nil) != c.ok || (err != nil && !strings.Contains(err.Error(), "--gc-floor")) {
			t.Errorf("--gc-floor %d: %v", c.mib, err)
		}
	}
}

// TestConfigSessionIdle: --session-idle defaults to 30 minutes and is
// refused below a minute or above the 8 h a session lasts anyway.
func TestConfigSessionIdle(t *testing.T) {
	for _, c := range []struct {
		idle, want time.Duration
		ok         bool
	}{{0, 30 * time.Minute, true}, {15 * time.Minute, 15 * time.Minute, true}, {time.Second, 0, false}, {9 * time.Hour, 0, false}} {
		cfg := config{data: t.TempDir(), name: "cmsd-test", sessionIdle: c.idle}
		err := cfg.defaults()
		if (err == nil) != c.ok || (err != nil && !strings.Contains(err.Error(), "--session-idle")) {
			t.Errorf("--session-idle %s: %v", c.idle, err)
		}
		if err == nil && cfg.sessionIdle != c.want {
			t.Errorf("--session-idle %s: got %s, want %s", c.idle, cfg.sessionIdle, c.want)
		}
	}
}
