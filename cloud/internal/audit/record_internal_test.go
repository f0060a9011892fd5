package audit

import (
	"testing"
	"time"
)

// TestChainHashGolden pins the hash of a record and the partition of a few
// devices: every record already written is checked against them.
func TestChainHashGolden(t *testing.T) {
	r := Record{At: time.Unix(1, 0), Device: "kiosk-07", Counter: "careggi-cup-03", Operator: "BNCLRA75M41D612B",
		Card: "80380000900090510553", Action: "activation", Outcome: "applied", OpID: "01KFARGQVR9RFMMKD07RCV8CMP", Detail: "diretta «è»"}
	if got, want := chainHash("", "01KFARJJERV16Y4GCA0SK0AKAY", PartitionOf(r.Device), 1764150000123456, r),
		"524331a717b0bbbc604334b2a338469a29ce19f2a6183f4adea6aa740086fbd7"; got != want {
		t.Errorf("chainHash = %s, want %s", got, want)
	}
	r.Detail = string(make([]byte, 600)) // longer than the encoding's first buffer
	if got, want := chainHash("3f1c", "01KFARJJERV16Y4GCA0SK0AKAY", 15, -1, r),
		"f4e97bd310b3d9aadf48eae9d6e471f948e1b60f6a0ac824f01e5f5d0969cbaf"; got != want {
		t.Errorf("chainHash = %s, want %s", got, want)
	}
	for d, want := range map[string]int{"": 5, "kiosk-07": 14, "a": 12, "cmsd-é": 1} {
		if got := PartitionOf(d); got != want {
			t.Errorf("PartitionOf(%q) = %d, want %d", d, got, want)
		}
	}
}
