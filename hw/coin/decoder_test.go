package coin

import (
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// edge is one scripted level change at an offset from t0.
type edge struct {
	active bool
	at     time.Duration
}

// pulses scripts n pulses of width w separated by gap, from start.
func pulses(start time.Duration, n int, w, gap time.Duration) []edge {
	var es []edge
	for i := range n {
		s := start + time.Duration(i)*(w+gap)
		es = append(es, edge{true, s}, edge{false, s + w})
	}
	return es
}

func join(parts ...[]edge) []edge {
	var es []edge
	for _, p := range parts {
		es = append(es, p...)
	}
	return es
}

const ms = time.Millisecond

// outcome sums up what a script produced.
type outcome struct {
	trains   []int64 // cents of each train, in order
	approved int
	glitches int
	rejected int
	stuck    int
}

func feed(t *testing.T, cfg Config, es []edge) outcome {
	t.Helper()
	d, err := NewDecoder(cfg)
	if err != nil {
		t.Fatalf("NewDecoder: %v", err)
	}
	var got outcome
	collect := func(evs []Event) {
		for _, e := range evs {
			switch e.Kind {
			case EventTrain:
				got.trains = append(got.trains, e.Train.Cents)
				if e.Train.Count*int(d.cfg.PulseCents) != int(e.Train.Cents) {
					t.Errorf("train count %d, cents %d", e.Train.Count, e.Train.Cents)
				}
			case EventApproved:
				got.approved++
			case EventGlitch:
				got.glitches++
			case EventRejected:
				got.rejected++
			case EventStuck:
				got.stuck++
			}
		}
	}
	var end time.Duration
	for _, e := range es {
		collect(d.Edge(e.active, t0.Add(e.at)))
		end = e.at
	}
	collect(d.Tick(t0.Add(end + 10*time.Second)))
	if d.Busy() {
		t.Errorf("decoder still busy after 10 s of quiet")
	}
	return got
}

func TestDecoderCoins(t *testing.T) {
	coin := func(cents int) []edge { return pulses(0, cents/10, 20*ms, 100*ms) }
	tests := []struct {
		name string
		cfg  Config
		es   []edge
		want outcome
	}{
		{"10 cents", Config{}, coin(10), outcome{trains: []int64{10}}},
		{"20 cents", Config{}, coin(20), outcome{trains: []int64{20}}},
		{"50 cents", Config{}, coin(50), outcome{trains: []int64{50}}},
		{"1 euro", Config{}, coin(100), outcome{trains: []int64{100}}},
		{"2 euro", Config{}, coin(200), outcome{trains: []int64{200}}},
		{"two coins apart", Config{}, join(pulses(0, 10, 20*ms, 100*ms), pulses(3*time.Second, 20, 20*ms, 100*ms)),
			outcome{trains: []int64{100, 200}}},
		{"merged back to back", Config{}, join(pulses(0, 10, 20*ms, 100*ms), pulses(1200*ms, 20, 20*ms, 100*ms)),
			outcome{trains: []int64{300}}},
		{"gap just below idle merges", Config{}, join(pulses(0, 2, 20*ms, 100*ms), pulses(140*ms+399*ms, 1, 20*ms, 0)),
			outcome{trains: []int64{30}}},
		{"gap at idle splits", Config{}, join(pulses(0, 2, 20*ms, 100*ms), pulses(140*ms+400*ms, 1, 20*ms, 0)),
			outcome{trains: []int64{20, 10}}},
		{"slow train", Config{}, pulses(0, 5, 60*ms, 300*ms), outcome{trains: []int64{50}}},
		{"fast train", Config{}, pulses(0, 20, 8*ms, 25*ms), outcome{trains: []int64{200}}},
		{"pulse at glitch limit counts", Config{}, pulses(0, 3, 5*ms, 100*ms), outcome{trains: []int64{30}}},
		{"spike on idle line", Config{}, pulses(0, 1, 2*ms, 0), outcome{glitches: 1}},
		{"spikes between coins", Config{}, join(pulses(0, 5, 20*ms, 100*ms), pulses(3*time.Second, 3, 1*ms, 50*ms)),
			outcome{trains: []int64{50}, glitches: 3}},
		{"blip inside a pulse", Config{}, join(
			[]edge{{true, 0}, {false, 10 * ms}, {true, 11 * ms}, {false, 20 * ms}},
			pulses(120*ms, 1, 20*ms, 0)), outcome{trains: []int64{20}}},
		{"repeated levels ignored", Config{}, []edge{{true, 0}, {true, 5 * ms}, {false, 20 * ms}, {false, 30 * ms}},
			outcome{trains: []int64{10}}},
		{"pulse worth 50 cents", Config{PulseCents: 50}, pulses(0, 4, 20*ms, 100*ms), outcome{trains: []int64{200}}},
		{"stuck line", Config{}, []edge{{true, 0}, {false, 3 * time.Second}}, outcome{trains: []int64{10}, stuck: 1}},
		{"short pulse below min width", Config{MinWidth: 15 * ms}, join(pulses(0, 1, 10*ms, 0), pulses(time.Second, 1, 20*ms, 0)),
			outcome{trains: []int64{10}, rejected: 1}},
		{"time going backwards", Config{}, []edge{{true, 50 * ms}, {false, 10 * ms}, {true, 200 * ms}, {false, 220 * ms}},
			outcome{trains: []int64{10}, glitches: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := feed(t, tt.cfg, tt.es)
			if !equalOutcome(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecoderPOS(t *testing.T) {
	pos := Config{Mode: ModePOS}
	bounce := func(at time.Duration, to bool) []edge {
		// A relay contact chatters for a few ms before it settles.
		return []edge{{to, at}, {!to, at + 1*ms}, {to, at + 2*ms}, {!to, at + 4*ms}, {to, at + 5*ms}}
	}
	tests := []struct {
		name string
		es   []edge
		want outcome
	}{
		{"clean approval", pulses(0, 1, 150*ms, 0), outcome{approved: 1}},
		{"bouncing approval", join(bounce(0, true), bounce(200*ms, false)), outcome{approved: 1, glitches: 2}},
		{"two approvals", join(pulses(0, 1, 100*ms, 0), pulses(2*time.Second, 1, 100*ms, 0)), outcome{approved: 2}},
		{"coin-like pulses rejected", pulses(0, 3, 20*ms, 100*ms), outcome{rejected: 3}},
		{"at minimum width", pulses(0, 1, 50*ms, 0), outcome{approved: 1}},
		{"bounce alone", bounce(0, true)[:2], outcome{glitches: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := feed(t, pos, tt.es)
			if !equalOutcome(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func equalOutcome(a, b outcome) bool {
	if len(a.trains) != len(b.trains) {
		return false
	}
	for i := range a.trains {
		if a.trains[i] != b.trains[i] {
			return false
		}
	}
	return a.approved == b.approved && a.glitches == b.glitches &&
		a.rejected == b.rejected && a.stuck == b.stuck
}

// TestDecoderTruncatedLog: pulses past MaxLog are counted in the amount and
// in Truncated, not silently dropped.
func TestDecoderTruncatedLog(t *testing.T) {
	for _, tt := range []struct{ n, maxLog, wantLog, wantTrunc int }{
		{5, 8, 5, 0}, {8, 8, 8, 0}, {12, 8, 8, 4},
	} {
		cfg := Config{MaxLog: tt.maxLog}.WithDefaults()
		d, err := NewDecoder(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var tr *Train
		for _, e := range pulses(0, tt.n, 20*ms, 100*ms) {
			d.Edge(e.active, t0.Add(e.at))
		}
		for _, ev := range d.Tick(t0.Add(time.Minute)) {
			if ev.Kind == EventTrain {
				tr = &ev.Train
			}
		}
		if tr == nil {
			t.Fatalf("%d pulses: no train", tt.n)
		}
		if tr.Count != tt.n || len(tr.Pulses) != tt.wantLog || tr.Truncated != tt.wantTrunc {
			t.Errorf("%d pulses, MaxLog %d: count %d, log %d, truncated %d; want %d, %d, %d",
				tt.n, tt.maxLog, tr.Count, len(tr.Pulses), tr.Truncated, tt.n, tt.wantLog, tt.wantTrunc)
		}
	}
}
