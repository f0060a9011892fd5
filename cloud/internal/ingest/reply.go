package ingest

import (
	"context"
	"sync"
	"time"

	"cnskiosk.dev/shared/wire"
)

// Token is a QoS 1 publication in progress; Done is closed when the broker
// has acknowledged it or it failed (Error).
type Token interface {
	Done() <-chan struct{}
	Error() error
}

// AsyncPublisher publishes at QoS 1 without waiting for the broker.
// A Publisher that is also an AsyncPublisher lets workers go on with the
// next message while the broker acknowledges a reply (see [Client]).
type AsyncPublisher interface {
	PublishAsync(topic string, payload []byte) Token
}

// verdict says when a received message may be acknowledged at the MQTT
// level: now (ack), never (neither ack nor tok: the broker delivers it
// again), or once the broker has taken its reply (tok). When the reply is
// an operation's ack, status is its status, counted once the reply is out,
// and start, if set, when the operation was received.
type verdict struct {
	ack    bool
	tok    Token
	status wire.Status
	start  time.Time
}

var (
	ackNow = verdict{ack: true}
	noAck  = verdict{}
)

func ackIf(ok bool) verdict { return verdict{ack: ok} }

// send publishes env on the device's channel ch. With an AsyncPublisher
// the verdict carries the publication's token; otherwise it waits.
func (in *Ingest) send(ctx context.Context, dev string, ch wire.Channel, env wire.Envelope) verdict {
	b, err := env.Encode()
	if err != nil {
		in.log.Error("reply not encoded", "dev", dev, "type", env.Type, "err", err)
		return ackNow
	}
	return in.publish(ctx, dev, ch, b)
}

// publish sends the encoded reply b on the device's channel ch.
func (in *Ingest) publish(ctx context.Context, dev string, ch wire.Channel, b []byte) verdict {
	topic := wire.Topic(dev, ch)
	if ap, ok := in.out.(AsyncPublisher); ok {
		return verdict{tok: ap.PublishAsync(topic, b)}
	}
	ctx, cancel := context.WithTimeout(ctx, replyTimeout)
	defer cancel()
	if err := in.out.Publish(ctx, topic, b, false); err != nil {
		in.log.Error("reply not published", "dev", dev, "channel", ch, "err", err)
		return noAck
	}
	return ackNow
}

// settle waits for v's reply, if any, and reports whether the received
// message may be acknowledged. timer, if not nil, is a stopped timer that
// await may use (the acker's, so as not to make one per reply).
func (in *Ingest) settle(ctx context.Context, v verdict, timer *time.Timer) bool {
	if v.tok != nil {
		if !in.await(ctx, v.tok, timer) {
			return false
		}
		v.ack = true
	}
	if v.ack && v.status != "" {
		in.m.ack(v.status).Inc()
		if !v.start.IsZero() {
			in.m.apply.Observe(in.now().Sub(v.start).Seconds())
		}
	}
	return v.ack
}

// await waits at most replyTimeout for the broker to take a reply; timer,
// if not nil, is a stopped timer it may use, and leaves stopped.
func (in *Ingest) await(ctx context.Context, tok Token, timer *time.Timer) bool {
	done := tok.Done()
	select {
	case <-done: // under load the PUBACK is often in already: no timer
	default:
		if timer == nil {
			timer = time.NewTimer(replyTimeout)
		} else {
			timer.Reset(replyTimeout)
		}
		defer timer.Stop()
		select {
		case <-done:
		case <-timer.C:
			in.log.Error("reply not published", "err", "no PUBACK from the broker in time")
			return false
		case <-ctx.Done():
			return false
		}
	}
	if err := tok.Error(); err != nil {
		in.log.Error("reply not published", "err", err)
		return false
	}
	return true
}

// pendingAck is a received message whose reply is on its way.
type pendingAck struct {
	m Message
	v verdict
}

// acker acknowledges received messages once the broker has taken their
// replies, in the order the workers published them. Workers never wait
// for a PUBACK; the kiosk's message stays unacknowledged (and is
// delivered again after a crash) until its reply is with the broker.
func (in *Ingest) acker(ctx context.Context, q *ackQueue) {
	timer := time.NewTimer(replyTimeout)
	timer.Stop()
	for {
		p, ok := q.pop()
		if !ok {
			return
		}
		if ctx.Err() != nil {
			continue // aborted: leave them unacknowledged, as a crash would
		}
		if in.settle(ctx, p.v, timer) {
			p.m.Ack()
		}
	}
}

// ackQueue is the unbounded FIFO of replies waiting for their PUBACK.
type ackQueue struct {
	mu     sync.Mutex
	items  []pendingAck
	closed bool
	wake   chan struct{} // holds a token while items or closed may be new
}

func newAckQueue() *ackQueue { return &ackQueue{wake: make(chan struct{}, 1)} }

func (q *ackQueue) push(p pendingAck) {
	q.mu.Lock()
	q.items = append(q.items, p)
	q.mu.Unlock()
	q.signal()
}

func (q *ackQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

func (q *ackQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// pop returns the oldest reply, waiting for one; false once closed and empty.
func (q *ackQueue) pop() (pendingAck, bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			p := q.items[0]
			q.items[0] = pendingAck{}
			q.items = q.items[1:]
			q.mu.Unlock()
			return p, true
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return pendingAck{}, false
		}
		<-q.wake
	}
}
