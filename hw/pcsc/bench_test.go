package pcsc_test

import (
	"slices"
	"testing"
	"time"

	"cnskiosk.dev/hw/apdu"
	"cnskiosk.dev/hw/cns"
	"cnskiosk.dev/hw/pcsc"
	"cnskiosk.dev/hw/pcsc/pcsctest"
	"cnskiosk.dev/hw/vcard/vcardtest"
)

// percentile returns the p-th percentile (0..100) of ds, sorted in place.
func percentile(ds []time.Duration, p int) time.Duration {
	slices.Sort(ds)
	return ds[min(len(ds)-1, len(ds)*p/100)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// tail is the p99 with at least 100 samples, else the max (a p99 of
// fewer samples would only be the max under another name).
func tail(ds []time.Duration) (time.Duration, string) {
	if len(ds) >= 100 {
		return percentile(ds, 99), "p99"
	}
	return percentile(ds, 100), "max"
}

// report adds p50 and tail (p99 or max) of the parsed read and of the raw
// floor, and the overhead of the p50s, to b's results.
func report(b *testing.B, prefix string, read, raw []time.Duration) {
	r50, f50 := percentile(read, 50), percentile(raw, 50)
	rt, rn := tail(read)
	ft, fn := tail(raw)
	b.ReportMetric(ms(r50), prefix+"read-p50-ms")
	b.ReportMetric(ms(rt), prefix+"read-"+rn+"-ms")
	b.ReportMetric(ms(f50), prefix+"raw-p50-ms")
	b.ReportMetric(ms(ft), prefix+"raw-"+fn+"-ms")
	b.ReportMetric(100*(ms(r50)-ms(f50))/ms(f50), prefix+"overhead-%")
}

// replay sends the recorded commands as they are, with no parsing: the
// floor of a card read through pcscd.
func replay(b *testing.B, c *pcsc.Card, cmds [][]byte) {
	for _, cmd := range cmds {
		if _, err := c.Transmit(b.Context(), cmd); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCardRead times cns.ReadCard on a present card (SELECT + READ
// BINARY of three files, parsing, X.509) against the raw replay of the same
// APDUs, interleaved in the same run.
func BenchmarkCardRead(b *testing.B) {
	r := pcsctest.New(b)
	vc, _ := vcardtest.Card(b, "adult")
	r.Insert(0, vc)
	c := r.Connect(0)
	rec := &apdu.Recorder{T: c}
	if _, err := cns.ReadCard(b.Context(), rec); err != nil {
		b.Fatal(err)
	}
	var cmds [][]byte
	for _, s := range rec.Steps() {
		cmds = append(cmds, s.Command)
	}
	var read, raw []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := cns.ReadCard(b.Context(), c); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		replay(b, c, cmds)
		read, raw = append(read, t1.Sub(t0)), append(raw, time.Since(t1))
	}
	b.ReportMetric(float64(len(cmds)), "apdus")
	report(b, "", read, raw)
}

// BenchmarkInsertToParsed times, per insertion, "card present" (the
// Monitor's event) to the parsed card (Connect + ReadCard). The floor is
// measured the same way on alternate insertions: from the event, Connect +
// raw replay of the same APDUs. Each iteration inserts and removes the card
// (~1 s of pcscd polling, not timed): run with -benchtime=40x.
func BenchmarkInsertToParsed(b *testing.B) {
	r := pcsctest.New(b)
	vc, _ := vcardtest.Card(b, "adult")
	r.Insert(0, vc)
	rec := &apdu.Recorder{T: r.ConnectNoCleanup(0)}
	if _, err := cns.ReadCard(b.Context(), rec); err != nil {
		b.Fatal(err)
	}
	_ = rec.T.(*pcsc.Card).Close()
	r.Remove(0)
	var cmds [][]byte
	for _, s := range rec.Steps() {
		cmds = append(cmds, s.Command)
	}
	var read, raw, polled []time.Duration
	i := 0
	for b.Loop() {
		tIn := time.Now()
		r.Insert(0, vc) // returns on the Monitor's event: pcscd has polled
		t0 := time.Now()
		c := r.ConnectNoCleanup(0)
		if i%2 == 0 {
			if _, err := cns.ReadCard(b.Context(), c); err != nil {
				b.Fatal(err)
			}
			read = append(read, time.Since(t0))
			polled = append(polled, time.Since(tIn))
		} else {
			replay(b, c, cmds)
			raw = append(raw, time.Since(t0))
		}
		i++
		_ = c.Close()
		r.Remove(0)
	}
	if len(raw) == 0 {
		raw = read
	}
	report(b, "", read, raw)
	pt, pn := tail(polled)
	b.ReportMetric(ms(percentile(polled, 50)), "insert-incl-poll-p50-ms")
	b.ReportMetric(ms(pt), "insert-incl-poll-"+pn+"-ms")
}
