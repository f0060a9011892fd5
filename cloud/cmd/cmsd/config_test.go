package main

import (
	"strings"
	"testing"
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
