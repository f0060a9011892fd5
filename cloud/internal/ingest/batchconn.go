package ingest

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// maxQueued bounds what a batchConn holds for its flusher: past it, Write
// waits as on a full socket.
const maxQueued = 1 << 20

// closeGrace bounds how long Close spends writing what is still queued.
const closeGrace = time.Second

// batchConn is cmsd's connection to the broker as the MQTT client sees
// it. The client writes every packet (each reply, each PUBACK) on its own,
// in one goroutine; each was a TLS record and a write system call, about
// a tenth of cmsd's CPU under load, and as many reads for the broker.
// Write only queues the packet; a flusher goroutine writes what has queued
// up, in order, in one TLS record and one system call. Under load, while
// it writes, the replies of a whole engine batch and their PUBACKs queue
// up behind it; when idle, a packet is written as soon as the flusher
// runs.
//
// Errors: Write returns before its bytes are written, so a failed write
// cannot be reported to the Write that queued it. The first write error
// is logged and kept, and the connection is closed, which the client's
// reader sees as a lost connection, as with a failed write before; every
// later Write returns that error, and so does Close. After Close, a Write
// returns net.ErrClosed unless a write had failed.
//
// Deadlines: a write deadline set on a batchConn (SetWriteDeadline,
// SetDeadline) is its own, not the connection's, which at any moment
// carries the flusher's batch, not the packet being queued. It bounds a
// Write waiting for room in the queue (the Write then fails with
// os.ErrDeadlineExceeded and queues nothing), and it goes with what the
// Write queues: the flusher writes each batch under the earliest deadline
// of its packets, so a packet not written by its deadline fails the
// connection, as it would have failed the Write on a plain connection.
// Read deadlines are the connection's.
type batchConn struct {
	net.Conn
	log     *slog.Logger
	mu      sync.Mutex
	room    sync.Cond // signalled when the flusher took what was queued, or failed, and at a Write's deadline
	queued  []byte
	spare   []byte // the flusher's buffer, reused
	writing bool   // the flusher holds a batch
	closing bool   // Close was called
	err     error  // of the first failed write

	wdl     time.Time   // the write deadline set on b
	qdl     time.Time   // the earliest deadline of the queued packets; zero if none has one
	cdl     time.Time   // the write deadline set on the connection, for the flusher
	closeBy time.Time   // the end of Close's grace, once closing
	timer   *time.Timer // wakes the Writes waiting for room at timerAt
	timerAt time.Time

	wake   chan struct{}
	done   chan struct{} // closed when the flusher has returned
	closed chan struct{} // closed when Close has closed the connection
}

func newBatchConn(c net.Conn, log *slog.Logger) *batchConn {
	b := &batchConn{Conn: c, log: log, wake: make(chan struct{}, 1), done: make(chan struct{}), closed: make(chan struct{})}
	b.room.L = &b.mu
	go b.flush()
	return b
}

// Write queues p for the flusher.
func (b *batchConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	for len(b.queued) >= maxQueued && b.err == nil && !b.closing {
		if !b.wdl.IsZero() {
			if !time.Now().Before(b.wdl) {
				break
			}
			b.wakeAt(b.wdl)
		}
		b.room.Wait()
	}
	if err := b.refusal(); err != nil {
		b.mu.Unlock()
		return 0, err
	}
	if len(b.queued) == 0 {
		select {
		case b.wake <- struct{}{}:
		default: // the flusher is already due to run
		}
	}
	if !b.wdl.IsZero() && (b.qdl.IsZero() || b.wdl.Before(b.qdl)) {
		b.qdl = b.wdl
	}
	b.queued = append(b.queued, p...)
	b.mu.Unlock()
	return len(p), nil
}

// refusal is why a Write queues nothing, or nil. b.mu is held.
func (b *batchConn) refusal() error {
	switch {
	case b.err != nil:
		return b.err
	case b.closing:
		return net.ErrClosed
	case !b.wdl.IsZero() && !time.Now().Before(b.wdl):
		return os.ErrDeadlineExceeded
	}
	return nil
}

// wakeAt has the Writes waiting for room woken at t, to see their
// deadline passed. b.mu is held.
func (b *batchConn) wakeAt(t time.Time) {
	if b.timer != nil && b.timerAt.Equal(t) {
		return
	}
	if b.timer != nil {
		b.timer.Stop()
	}
	b.timerAt = t
	b.timer = time.AfterFunc(time.Until(t), func() {
		b.mu.Lock()
		b.room.Broadcast()
		b.mu.Unlock()
	})
}

// SetWriteDeadline sets the deadline of the Writes to come and of what
// they queue (see batchConn).
func (b *batchConn) SetWriteDeadline(t time.Time) error {
	b.mu.Lock()
	b.wdl = t
	b.room.Broadcast() // a waiting Write sees its new deadline
	b.mu.Unlock()
	return nil
}

// SetDeadline sets the connection's read deadline and b's write deadline.
func (b *batchConn) SetDeadline(t time.Time) error {
	if err := b.Conn.SetReadDeadline(t); err != nil {
		return err
	}
	return b.SetWriteDeadline(t)
}

// setConnDeadline sets the connection's write deadline to t, for the
// flusher's next write. b.mu is held, so that Close's deadline and the
// flusher's do not undo each other.
func (b *batchConn) setConnDeadline(t time.Time) error {
	if t.Equal(b.cdl) {
		return nil
	}
	b.cdl = t
	return b.Conn.SetWriteDeadline(t)
}

// flush writes what Write queued until the connection fails or is closed.
func (b *batchConn) flush() {
	defer close(b.done)
	for range b.wake {
		for {
			b.mu.Lock()
			if len(b.queued) == 0 || b.err != nil {
				b.writing = false
				b.room.Broadcast()
				stop := b.err != nil
				b.mu.Unlock()
				if stop {
					return
				}
				break
			}
			out, dl := b.queued, b.qdl
			b.queued, b.spare, b.writing, b.qdl = b.spare[:0], nil, true, time.Time{}
			if b.closing {
				dl = earliest(dl, b.closeBy)
			}
			err := b.setConnDeadline(dl)
			b.room.Broadcast()
			b.mu.Unlock()

			if err == nil {
				_, err = b.Conn.Write(out)
			}

			b.mu.Lock()
			b.spare = out[:0]
			first := err != nil && b.err == nil
			if first {
				b.err = err
			}
			b.mu.Unlock()
			if first {
				b.log.Warn("mqtt write failed, closing the connection", "err", err)
			}
			if err != nil {
				b.Conn.Close() // the reader sees the connection lost
			}
		}
	}
}

// Close writes what is still queued (the client's DISCONNECT, say), for
// at most closeGrace, and closes the connection. It returns the first
// write error if a write failed, what closing the connection returned
// otherwise; a second Close waits for the first and returns
// net.ErrClosed.
func (b *batchConn) Close() error {
	b.mu.Lock()
	if b.closing {
		b.mu.Unlock()
		<-b.closed
		return net.ErrClosed
	}
	b.closing = true
	b.closeBy = time.Now().Add(closeGrace)
	_ = b.setConnDeadline(earliest(b.cdl, b.closeBy)) // bounds the write under way
	b.room.Broadcast()                                // a Write waiting for room returns
	for (len(b.queued) > 0 || b.writing) && b.err == nil {
		b.room.Wait()
	}
	if b.timer != nil {
		b.timer.Stop()
	}
	close(b.wake) // the flusher returns
	b.mu.Unlock()
	<-b.done
	err := b.Conn.Close()
	if b.err != nil { // read after the flusher returned: no lock needed
		err = b.err
	}
	close(b.closed)
	return err
}

// earliest is the earlier of two deadlines, a zero one being none.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// brokerURL parses a broker address as the MQTT client does: ":1883" is
// on 127.0.0.1, and an address without a scheme is tcp://.
func brokerURL(s string) (*url.URL, error) {
	if strings.HasPrefix(s, ":") {
		s = "127.0.0.1" + s
	}
	if !strings.Contains(s, "://") {
		s = "tcp://" + s
	}
	return url.Parse(s)
}

// dialsDirect reports whether dialBroker opens the connection to uri as
// the MQTT client itself would: a TCP connection, with or without TLS, and
// no proxy named by the environment (all_proxy), which the client honours.
// For any other broker (unix, ws, wss, behind a proxy) the client dials on
// its own and its writes are not batched.
func dialsDirect(uri *url.URL) bool {
	switch uri.Scheme {
	case "tls", "ssl", "mqtts", "mqtt+ssl", "tcps", "tcp", "mqtt":
		return os.Getenv("all_proxy") == "" && os.Getenv("ALL_PROXY") == ""
	}
	return false
}

// dialBroker opens the connection to the broker named by uri, for the
// schemes dialsDirect accepts.
func dialBroker(uri *url.URL, cfg *tls.Config, timeout time.Duration) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout}
	switch uri.Scheme {
	case "tls", "ssl", "mqtts", "mqtt+ssl", "tcps":
		return tls.DialWithDialer(d, "tcp", uri.Host, cfg)
	case "tcp", "mqtt":
		return d.Dial("tcp", uri.Host)
	}
	return nil, fmt.Errorf("broker scheme %q not supported", uri.Scheme)
}
