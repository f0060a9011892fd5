package ingest

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"sync"
	"time"
)

// maxQueued bounds what a batchConn holds for its flusher: past it, Write
// waits as on a full socket.
const maxQueued = 1 << 20

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
// A write error is kept and returned by every later Write, and the
// connection is closed, which the client's reader sees as a lost
// connection, as with a failed write before.
type batchConn struct {
	net.Conn
	mu      sync.Mutex
	room    sync.Cond // signalled when the flusher took what was queued, or failed
	queued  []byte
	spare   []byte // the flusher's buffer, reused
	writing bool   // the flusher holds a batch
	closing bool   // Close was called
	err     error  // of the last write, or net.ErrClosed after Close
	wake    chan struct{}
	done    chan struct{} // closed when the flusher has returned
}

func newBatchConn(c net.Conn) *batchConn {
	b := &batchConn{Conn: c, wake: make(chan struct{}, 1), done: make(chan struct{})}
	b.room.L = &b.mu
	go b.flush()
	return b
}

// Write queues p for the flusher.
func (b *batchConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	for len(b.queued) >= maxQueued && b.err == nil {
		b.room.Wait()
	}
	if b.err != nil {
		err := b.err
		b.mu.Unlock()
		return 0, err
	}
	if len(b.queued) == 0 {
		select {
		case b.wake <- struct{}{}:
		default: // the flusher is already due to run
		}
	}
	b.queued = append(b.queued, p...)
	b.mu.Unlock()
	return len(p), nil
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
			out := b.queued
			b.queued, b.spare, b.writing = b.spare[:0], nil, true
			b.room.Broadcast()
			b.mu.Unlock()

			_, err := b.Conn.Write(out)

			b.mu.Lock()
			b.spare = out[:0]
			if err != nil && b.err == nil {
				b.err = err
			}
			b.mu.Unlock()
			if err != nil {
				b.Conn.Close() // the reader sees the connection lost
			}
		}
	}
}

// Close writes what is still queued (the client's DISCONNECT, say), for
// at most a second, and closes the connection.
func (b *batchConn) Close() error {
	b.mu.Lock()
	if b.closing {
		b.mu.Unlock()
		<-b.done
		return nil
	}
	b.closing = true
	_ = b.Conn.SetWriteDeadline(time.Now().Add(time.Second))
	for (len(b.queued) > 0 || b.writing) && b.err == nil {
		b.room.Wait()
	}
	b.err = net.ErrClosed
	b.room.Broadcast() // a Write waiting for room returns the error
	close(b.wake)      // the flusher returns
	b.mu.Unlock()
	<-b.done
	return b.Conn.Close()
}

// dialBroker opens the connection to the broker named by uri, as the MQTT
// client itself would for tls:// (and tcp://, for tests without TLS).
func dialBroker(uri *url.URL, cfg *tls.Config, timeout time.Duration) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout}
	switch uri.Scheme {
	case "tls", "ssl", "mqtts":
		return tls.DialWithDialer(d, "tcp", uri.Host, cfg)
	case "tcp", "mqtt":
		return d.Dial("tcp", uri.Host)
	}
	return nil, fmt.Errorf("broker scheme %q not supported", uri.Scheme)
}
