package coin

import (
	"testing"
	"time"
)

// benchEdges is a realistic stream: 2-euro coins (20 pulses of 20 ms,
// 100 ms apart) one second apart, with a 2 ms glitch between coins.
func benchEdges(n int) []edge {
	var es []edge
	for at := time.Duration(0); len(es) < n; at += 4 * time.Second {
		es = append(es, pulses(at, 20, 20*ms, 100*ms)...)
		es = append(es, pulses(at+3*time.Second, 1, 2*ms, 0)...)
	}
	return es[:n]
}

// BenchmarkEdgeCountBaseline is the floor: a bare loop that counts rising
// edges over the same stream, with no timing logic.
func BenchmarkEdgeCountBaseline(b *testing.B) {
	es := benchEdges(4096)
	b.ReportAllocs()
	var rises int
	last := false
	for i := 0; b.Loop(); i++ {
		e := es[i%len(es)]
		if e.active && !last {
			rises++
		}
		last = e.active
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "edges/s")
	_ = rises
}

// BenchmarkDecoderEdge measures the decoder per edge, trains and glitch
// filter included.
func BenchmarkDecoderEdge(b *testing.B) {
	es := benchEdges(4096)
	d, err := NewDecoder(Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var trains int
	var base time.Time
	span := es[len(es)-1].at + 10*time.Second
	for i := 0; b.Loop(); i++ {
		j := i % len(es)
		if j == 0 {
			base = t0.Add(time.Duration(i/len(es)) * span)
		}
		for _, e := range d.Edge(es[j].active, base.Add(es[j].at)) {
			if e.Kind == EventTrain {
				trains++
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "edges/s")
	if b.N > len(es) && trains == 0 {
		b.Fatal("no train decoded")
	}
}
