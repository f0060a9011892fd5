package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/shared/wire"
)

// benchEngine answers every operation applied at once, with a result as
// the CMS engine's.
type benchEngine struct{ nopDeps }

func (benchEngine) Apply(_ context.Context, e wire.Envelope) (wire.Ack, error) {
	if _, err := wire.DecodeBody[wire.Activation](e); err != nil {
		return wire.Ack{}, err
	}
	res, _ := json.Marshal(wire.OpResult{CardState: "active", ReaderCount: 1, FSERequestID: "fse_01KFARJJERV16Y4GCA0SK0AKAY"})
	return wire.Ack{OpID: e.ID, OpSeq: e.Seq, Status: wire.StatusApplied, Outcome: "applied",
		Message: "Operazione eseguita", Result: res}, nil
}

// instantPub is a broker that takes every publication at once.
type instantPub struct{ nopDeps }

var taken = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (instantPub) PublishAsync(string, []byte) Token { return fakeToken{done: taken} }

// countedMsg is a received message whose MQTT ack is counted; done is
// closed at the last expected one.
type countedMsg struct {
	fakeMsg
	c *ackCount
}

type ackCount struct {
	n, want atomic.Int64
	done    chan struct{}
}

func (m countedMsg) Ack() {
	if m.c.n.Add(1) == m.c.want.Load() {
		close(m.c.done)
	}
}

// activation returns an operation of device dev as a kiosk encodes it.
func activation(tb testing.TB, dev string, seq uint64) []byte {
	tb.Helper()
	env, err := wire.New(dev, seq, wire.OpActivation, time.Now(), wire.Activation{
		Common:    wire.Common{Operator: wire.Operator{CF: "BNCLRA75M41D612B", Session: "ops_01KFARGQVR9RFMMKD07RCV8CMP"}, Counter: "careggi-cup-03"},
		Card:      wire.CardRef{CF: "RSSMRC81C12D612L", TEAM: "80380000900090510553", Expiry: wire.NewDate(2029, 3, 31)},
		Requester: wire.Requester{Role: wire.RoleHolder},
		Document: wire.Document{Kind: "carta_identita", Number: "CA12345AB", Issuer: "Comune di Firenze",
			Issued: wire.NewDate(2021, 6, 10), Expires: wire.NewDate(2032, 3, 12)},
		Delivery: wire.Delivery{Channel: wire.DeliveryEmail, Address: "marco.rossi@example.it"},
		Reader:   &wire.Payment{Method: wire.PayCoin, AmountCents: 420},
		FSE:      &wire.Consents{Policy: "fse-2015", Given: []string{"alimentazione", "pregressi", "consultazione"}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	b, err := env.Encode()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// readerPub is a broker whose PUBACKs come in on another goroutine, as
// paho's reader completes the tokens: one after the other, each once the
// last was taken.
type readerPub struct {
	nopDeps
	pubs chan fakeToken
}

func newReaderPub() *readerPub {
	r := &readerPub{pubs: make(chan fakeToken, 1<<16)}
	go func() {
		for t := range r.pubs {
			close(t.done)
		}
	}()
	return r
}

func (r *readerPub) PublishAsync(string, []byte) Token {
	t := fakeToken{done: make(chan struct{})}
	r.pubs <- t
	return t
}

// BenchmarkIngestOp is cmsd's path of one operation from the MQTT client's
// handler to the MQTT ack of the kiosk's message: the hand-over to a
// worker, decoding, the engine (a stand-in that answers at once), the
// ack's encoding and publication, and the wait for the broker to take it.
// The messages of 64 kiosks are handed over back to back, as the client's
// reader does under load. The broker takes each reply at once (instant)
// or on another goroutine (reader), as paho's reader reports PUBACKs;
// cpu-ns/op is the CPU of the whole process.
func BenchmarkIngestOp(b *testing.B) {
	b.Run("instant", func(b *testing.B) { benchIngestOp(b, instantPub{}) })
	b.Run("reader", func(b *testing.B) { benchIngestOp(b, newReaderPub()) })
}

func benchIngestOp(b *testing.B, out Publisher) {
	var d nopDeps
	in, err := New(Options{Workers: 8}, Deps{Engine: benchEngine{}, Cards: d, Operators: d, Devices: d},
		metrics.NewRegistry(), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	in.out = out
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wait := in.start(ctx)
	var msgs []countedMsg
	c := &ackCount{done: make(chan struct{})}
	for k := range 64 {
		dev := fmt.Sprintf("kiosk-%02d", k)
		msgs = append(msgs, countedMsg{fakeMsg: fakeMsg{topic: wire.Topic(dev, wire.ChanOps), payload: activation(b, dev, 1)}, c: c})
	}
	b.ReportAllocs()
	before := cpuTime(b)
	b.ResetTimer()
	c.want.Store(int64(b.N))
	for i := range b.N {
		in.enqueue(msgs[i%len(msgs)])
	}
	<-c.done
	b.StopTimer()
	b.ReportMetric(float64((cpuTime(b)-before).Nanoseconds())/float64(b.N), "cpu-ns/op")
	close(in.quit)
	wait()
}
