package ingest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/wire"
)

// fakeMsg is a received message that counts its MQTT ack.
type fakeMsg struct {
	topic   string
	payload []byte
	acked   *atomic.Int64
}

func (m fakeMsg) Duplicate() bool   { return false }
func (m fakeMsg) Qos() byte         { return 1 }
func (m fakeMsg) Retained() bool    { return false }
func (m fakeMsg) Topic() string     { return m.topic }
func (m fakeMsg) MessageID() uint16 { return 0 }
func (m fakeMsg) Payload() []byte   { return m.payload }
func (m fakeMsg) Ack()              { m.acked.Add(1) }

type fakeToken struct{ done chan struct{} }

func (t fakeToken) Done() <-chan struct{} { return t.done }
func (t fakeToken) Error() error          { return nil }

// readerConn models the MQTT client: its PUBACKs are only read by the
// goroutine that also delivers the received messages (paho's reader).
type readerConn struct {
	mu      sync.Mutex
	pending []fakeToken
}

func (c *readerConn) Publish(context.Context, string, []byte, bool) error { return nil }
func (c *readerConn) PublishAsync(string, []byte) Token {
	t := fakeToken{done: make(chan struct{})}
	c.mu.Lock()
	c.pending = append(c.pending, t)
	c.mu.Unlock()
	return t
}

// readPubacks completes the PUBACKs received so far; it reports how many.
func (c *readerConn) readPubacks() int {
	c.mu.Lock()
	p := c.pending
	c.pending = nil
	c.mu.Unlock()
	for _, t := range p {
		close(t.done)
	}
	return len(p)
}

// TestBurstDoesNotStrandMessages reproduces the lost acks of an
// overloaded run: a burst larger than the worker queues plus the pending
// replies, from one reader that also reads the PUBACKs. Every message
// must end acknowledged at the MQTT level (an unacknowledged one is
// never delivered again on this connection) and every reply published.
func TestBurstDoesNotStrandMessages(t *testing.T) {
	const n = 6000
	synctest.Test(t, func(t *testing.T) {
		var d nopDeps
		in, err := New(Options{Workers: 1}, Deps{Engine: d, Cards: d, Operators: d, Devices: d},
			metrics.NewRegistry(), storetest.Logger(t))
		if err != nil {
			t.Fatal(err)
		}
		conn := &readerConn{}
		in.out = conn
		wait := in.start(t.Context())
		var acked atomic.Int64
		replies := 0
		// The burst is in the TCP stream before the PUBACKs of its replies.
		for i := range n {
			dev := fmt.Sprintf("k%d", i%8)
			env, _ := wire.New(dev, uint64(i+1), wire.OpAbandoned, time.Now(), wire.Abandoned{
				Common: wire.Common{Operator: wire.Operator{CF: "X"}}, Procedure: wire.OpActivation, Step: "ID1"})
			b, _ := env.Encode()
			in.enqueue(fakeMsg{topic: wire.Topic(dev, wire.ChanOps), payload: b, acked: &acked})
		}
		for acked.Load() < n {
			synctest.Wait() // every goroutine of the bubble idle
			got := conn.readPubacks()
			if got == 0 {
				break // nothing more will come
			}
			replies += got
		}
		close(in.quit)
		wait()
		replies += conn.readPubacks()
		if got := acked.Load(); got != n || replies != n {
			t.Errorf("acknowledged %d, replies %d; want %d each", got, replies, n)
		}
	})
}
