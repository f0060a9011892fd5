package coin

import (
	"testing"
	"time"
)

// FuzzDecoder feeds random edge sequences: every two bytes are a level (low
// bit of the first) and a delay in 0.5 ms steps. The first byte picks the
// mode. The decoder must not panic, never report a negative amount or
// width, and account for every pulse it accepted.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 40, 1, 200, 0, 40})                   // coin: two pulses
	f.Add([]byte{0, 1, 0, 0, 2, 1, 1, 0, 1, 1, 200})               // coin: glitches
	f.Add([]byte{1, 1, 0, 0, 255, 1, 255, 0, 200})                 // POS: long pulse
	f.Add([]byte{1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 255, 0, 255}) // POS: bounce
	f.Add([]byte{0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0})                 // repeated levels, no time
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		cfg := Config{Mode: Mode(data[0] & 1)}
		d, err := NewDecoder(cfg)
		if err != nil {
			t.Fatalf("NewDecoder: %v", err)
		}
		var accepted, counted int
		check := func(evs []Event) {
			for _, e := range evs {
				if e.Pulse.Width < 0 || e.Cents < 0 || e.Train.Cents < 0 {
					t.Fatalf("negative value in %+v", e)
				}
				switch e.Kind {
				case EventPulse:
					accepted++
				case EventTrain:
					counted += e.Train.Count
					if e.Train.Cents != int64(e.Train.Count)*d.Config().PulseCents {
						t.Fatalf("train cents %d for %d pulses", e.Train.Cents, e.Train.Count)
					}
				}
			}
		}
		now := t0
		for i := 1; i+1 < len(data); i += 2 {
			now = now.Add(time.Duration(data[i+1]) * 500 * time.Microsecond)
			check(d.Edge(data[i]&1 == 1, now))
		}
		check(d.Tick(now.Add(time.Minute)))
		check(d.Edge(false, now.Add(2*time.Minute)))
		check(d.Flush(now.Add(3 * time.Minute)))
		if accepted != counted {
			t.Fatalf("accepted %d pulses, trains hold %d", accepted, counted)
		}
	})
}
