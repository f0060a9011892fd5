package ingest

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/pki"
)

// scriptConn is a connection whose writes are recorded; each one waits
// for a token on release (when release is set) after telling entered.
type scriptConn struct {
	net.Conn
	entered chan struct{}
	release chan struct{}
	fail    error
	mu      sync.Mutex
	writes  []string
	dls     []time.Time // the write deadline in force at each write
	dl      time.Time
	closed  chan struct{}
	once    sync.Once
}

func newScriptConn() *scriptConn {
	return &scriptConn{entered: make(chan struct{}, 16), closed: make(chan struct{})}
}

func (c *scriptConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.writes = append(c.writes, string(p))
	c.dls = append(c.dls, c.dl)
	c.mu.Unlock()
	c.entered <- struct{}{}
	if c.release != nil {
		<-c.release
	}
	if c.fail != nil {
		return 0, c.fail
	}
	return len(p), nil
}

func (c *scriptConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

func (c *scriptConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	c.dl = t
	c.mu.Unlock()
	return nil
}

func (c *scriptConn) deadlines() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Time(nil), c.dls...)
}

var quiet = slog.New(slog.DiscardHandler)

func (c *scriptConn) written() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.writes...)
}

// TestBatchConnBatches: what is written while the flusher writes goes out
// after it, in order, in one write.
func TestBatchConnBatches(t *testing.T) {
	sc := newScriptConn()
	sc.release = make(chan struct{})
	b := newBatchConn(sc, quiet)
	mustWrite(t, b, "a")
	<-sc.entered // the flusher is writing "a"
	for _, p := range []string{"b", "c", "d"} {
		mustWrite(t, b, p)
	}
	sc.release <- struct{}{}
	<-sc.entered
	sc.release <- struct{}{}
	mustWrite(t, b, "e")
	<-sc.entered
	sc.release <- struct{}{}
	closeIn(t, b, sc)
	if got, want := sc.written(), []string{"a", "bcd", "e"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("writes %q, want %q", got, want)
	}
}

// TestBatchConnCloseFlushes: Close writes what is queued first.
func TestBatchConnCloseFlushes(t *testing.T) {
	sc := newScriptConn()
	sc.release = make(chan struct{})
	b := newBatchConn(sc, quiet)
	mustWrite(t, b, "a")
	<-sc.entered
	mustWrite(t, b, "disconnect")
	closed := make(chan error, 1)
	go func() { closed <- b.Close() }()
	sc.release <- struct{}{}
	<-sc.entered
	sc.release <- struct{}{}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if got := sc.written(); len(got) != 2 || got[1] != "disconnect" {
		t.Errorf("writes %q, want the queued packet written before the close", got)
	}
	if _, err := b.Write([]byte("late")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write after Close = %v, want net.ErrClosed", err)
	}
	if err := b.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second Close = %v, want net.ErrClosed", err)
	}
}

// TestBatchConnWriteError: a failed write closes the connection (the
// reader sees it lost) and every later Write returns the error.
func TestBatchConnWriteError(t *testing.T) {
	sc := newScriptConn()
	sc.fail = errors.New("broken pipe")
	b := newBatchConn(sc, quiet)
	mustWrite(t, b, "a")
	<-sc.closed
	if _, err := b.Write([]byte("b")); err == nil || err.Error() != "broken pipe" {
		t.Errorf("Write after a failed write = %v, want broken pipe", err)
	}
	if got := sc.written(); len(got) != 1 {
		t.Errorf("writes %q, want only the failed one", got)
	}
	b.Close()
}

// TestBatchConnWriteErrorKeepsCause: the first write error, not
// net.ErrClosed, is what every later Write and Close return, with its
// cause, and it is logged.
func TestBatchConnWriteErrorKeepsCause(t *testing.T) {
	sc := newScriptConn()
	sc.fail = &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}
	var logged bytes.Buffer
	b := newBatchConn(sc, slog.New(slog.NewTextHandler(&logged, nil)))
	mustWrite(t, b, "a")
	<-sc.closed
	if _, err := b.Write([]byte("b")); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("Write after the failed write = %v, want EPIPE", err)
	}
	if err := b.Close(); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("Close = %v, want the write error (EPIPE)", err)
	}
	if _, err := b.Write([]byte("c")); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("Write after Close = %v, want still the write error (EPIPE)", err)
	}
	if n := strings.Count(logged.String(), "broken pipe"); n != 1 {
		t.Errorf("the write error logged %d times, want once: %q", n, logged.String())
	}
}

// enteredConn tells when a write starts on the connection it wraps.
type enteredConn struct {
	net.Conn
	entered chan struct{}
}

func (c *enteredConn) Write(p []byte) (int, error) {
	select {
	case c.entered <- struct{}{}:
	default:
	}
	return c.Conn.Write(p)
}

// TestBatchConnCloseStuckPeer: the broker never reads and the queue is
// full. Close still returns, with the error of the write it had to cut
// short, and the writer waiting for room gets an error and queues nothing.
func TestBatchConnCloseStuckPeer(t *testing.T) {
	client, server := net.Pipe() // nobody reads server
	defer server.Close()
	ec := &enteredConn{Conn: client, entered: make(chan struct{}, 1)}
	b := newBatchConn(ec, quiet)
	mustWrite(t, b, "a")
	<-ec.entered // the flusher is stuck writing "a"
	mustWrite(t, b, strings.Repeat("x", maxQueued))
	// The writer either waits for room when Close starts or comes after
	// it: both must end in an error.
	wrote := make(chan error, 1)
	go func() {
		n, err := b.Write([]byte("b"))
		if err == nil || n != 0 {
			err = fmt.Errorf("Write = %d, %v; want 0 and an error", n, err)
		} else {
			err = nil
		}
		wrote <- err
	}()
	if err := b.Close(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Close = %v, want the cut write's deadline error", err)
	}
	if err := <-wrote; err != nil {
		t.Error(err)
	}
}

// TestBatchConnConcurrentClose: two Closes at once both return once the
// connection is closed; one closes it, the other reports it closed.
func TestBatchConnConcurrentClose(t *testing.T) {
	sc := newScriptConn()
	b := newBatchConn(sc, quiet)
	mustWrite(t, b, "a")
	<-sc.entered
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			err := b.Close()
			select {
			case <-sc.closed:
			default:
				err = fmt.Errorf("Close returned %v before the connection was closed", err)
			}
			errs <- err
		}()
	}
	var closedErrs int
	for range 2 {
		switch err := <-errs; {
		case errors.Is(err, net.ErrClosed):
			closedErrs++
		case err != nil:
			t.Error(err)
		}
	}
	if closedErrs != 1 {
		t.Errorf("%d Closes returned net.ErrClosed, want 1", closedErrs)
	}
	if _, err := b.Write([]byte("late")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write after Close = %v, want net.ErrClosed", err)
	}
}

// TestBatchConnWriteDeadline: a write deadline set on the batchConn goes
// with the packets queued under it, to the connection when the flusher
// writes them, and not to the packets queued after it is cleared.
func TestBatchConnWriteDeadline(t *testing.T) {
	sc := newScriptConn()
	sc.release = make(chan struct{})
	b := newBatchConn(sc, quiet)
	mustWrite(t, b, "a")
	<-sc.entered // the flusher is writing "a"
	d1 := time.Now().Add(time.Hour)
	d2 := d1.Add(time.Hour)
	b.SetWriteDeadline(d2)
	mustWrite(t, b, "b")
	b.SetWriteDeadline(d1)
	mustWrite(t, b, "c")
	b.SetWriteDeadline(time.Time{})
	mustWrite(t, b, "d")
	sc.release <- struct{}{}
	<-sc.entered // "bcd", under the earliest deadline of the three
	sc.release <- struct{}{}
	mustWrite(t, b, "e")
	<-sc.entered
	sc.release <- struct{}{}
	closeIn(t, b, sc)
	got, dls := sc.written(), sc.deadlines()
	if fmt.Sprint(got) != fmt.Sprint([]string{"a", "bcd", "e"}) {
		t.Fatalf("writes %q", got)
	}
	if !dls[0].IsZero() || !dls[1].Equal(d1) || !dls[2].IsZero() {
		t.Errorf("write deadlines %v, want none, %v, none", dls, d1)
	}
}

// TestBatchConnDeadlinePassed: a Write past its deadline queues nothing,
// whether there is room or it waits for some.
func TestBatchConnDeadlinePassed(t *testing.T) {
	sc := newScriptConn()
	sc.release = make(chan struct{})
	b := newBatchConn(sc, quiet)
	b.SetWriteDeadline(time.Now().Add(-time.Second))
	if n, err := b.Write([]byte("a")); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Write past its deadline = %d, %v; want 0, os.ErrDeadlineExceeded", n, err)
	}
	b.SetWriteDeadline(time.Time{})
	mustWrite(t, b, "b")
	<-sc.entered
	mustWrite(t, b, strings.Repeat("x", maxQueued))
	b.SetWriteDeadline(time.Now().Add(10 * time.Millisecond))
	if n, err := b.Write([]byte("c")); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Write waiting for room past its deadline = %d, %v; want 0, os.ErrDeadlineExceeded", n, err)
	}
	b.SetWriteDeadline(time.Time{})
	closed := make(chan error, 1)
	go func() { closed <- b.Close() }()
	sc.release <- struct{}{}
	<-sc.entered
	sc.release <- struct{}{}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	for _, w := range sc.written() {
		if strings.ContainsAny(w, "ac") {
			t.Errorf("a Write that failed its deadline was written: %.10q", w)
		}
	}
}

// TestDialsDirect: the broker connections dialBroker opens as the MQTT
// client would, and those left to the client.
func TestDialsDirect(t *testing.T) {
	t.Setenv("all_proxy", "")
	t.Setenv("ALL_PROXY", "")
	for addr, want := range map[string]bool{
		"tls://broker:8883": true, "ssl://broker:8883": true, "mqtts://broker:8883": true,
		"tcps://broker:8883": true, "mqtt+ssl://broker:8883": true,
		"tcp://broker:1883": true, "mqtt://broker:1883": true, "broker:1883": true, ":1883": true,
		"unix:///run/mosquitto.sock": false, "ws://broker/mqtt": false, "wss://broker/mqtt": false,
	} {
		u, err := brokerURL(addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := dialsDirect(u); got != want {
			t.Errorf("dialsDirect(%s) = %v, want %v", addr, got, want)
		}
	}
	t.Setenv("all_proxy", "socks5://proxy:1080")
	if u, _ := url.Parse("tls://broker:8883"); dialsDirect(u) {
		t.Error("dialsDirect with all_proxy set = true, want the client's own dialing")
	}
}

// TestDialRefusesUnroutedFilter: a filter without a handler and no All
// handler would have its messages dropped unacknowledged; Dial refuses
// it before connecting.
func TestDialRefusesUnroutedFilter(t *testing.T) {
	_, err := Dial(context.Background(), Config{Broker: "tcp://127.0.0.1:1", ClientID: "c",
		Subs: map[string]Handler{"a/#": func(Message) {}, "b/#": nil}}, quiet)
	if err == nil || errors.Is(err, ErrConnect) || !strings.Contains(err.Error(), `"b/#"`) {
		t.Errorf("Dial = %v, want a refusal naming filter b/#", err)
	}
}

// TestBatchConnKeepsEveryByte: several writers through a real pipe; the
// reader gets each writer's packets whole and in order.
func TestBatchConnKeepsEveryByte(t *testing.T) {
	client, server := net.Pipe()
	b := newBatchConn(client, quiet)
	got := make(chan []byte, 1)
	go func() {
		all, _ := io.ReadAll(server)
		got <- all
	}()
	const writers, packets = 4, 500
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range packets {
				if _, err := fmt.Fprintf(b, "<%d:%d>", w, i); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	all := <-got
	next := make([]int, writers)
	for len(all) > 0 {
		end := bytes.IndexByte(all, '>')
		var w, i int
		if end < 0 || all[0] != '<' {
			t.Fatalf("torn packet at %q", all[:min(len(all), 20)])
		}
		if _, err := fmt.Sscanf(string(all[:end+1]), "<%d:%d>", &w, &i); err != nil || i != next[w] {
			t.Fatalf("packet %q: %v; want writer %d's packet %d", all[:end+1], err, w, next[w])
		}
		next[w]++
		all = all[end+1:]
	}
	for w, n := range next {
		if n != packets {
			t.Errorf("writer %d: %d packets read, want %d", w, n, packets)
		}
	}
}

func mustWrite(t *testing.T, b *batchConn, p string) {
	t.Helper()
	if n, err := b.Write([]byte(p)); err != nil || n != len(p) {
		t.Fatalf("Write(%q) = %d, %v", p, n, err)
	}
}

func closeIn(t *testing.T, b *batchConn, sc *scriptConn) {
	t.Helper()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-sc.closed:
	default:
		t.Error("the connection is not closed")
	}
}

// BenchmarkBrokerWrites measures the CPU (user and system, of the whole
// process: the writer's and the reader's side of one TLS connection over
// loopback) per 400-byte packet that one writer goroutine, as the MQTT
// client's, writes for 8 producers, as cmsd's workers and acker hand it
// replies and PUBACKs, straight to the connection or through a batchConn.
// The producers never wait: this is the saturated case, where batching
// gains the most.
func BenchmarkBrokerWrites(b *testing.B) {
	for _, batch := range []bool{false, true} {
		b.Run(map[bool]string{false: "direct", true: "batched"}[batch], func(b *testing.B) {
			client, server := tlsPair(b)
			drained := make(chan struct{})
			go func() { io.Copy(io.Discard, server); close(drained) }()
			var conn net.Conn = client
			if batch {
				conn = newBatchConn(client, quiet)
			}
			packets := make(chan []byte, 1024)
			written := make(chan struct{})
			go func() {
				for p := range packets {
					if _, err := conn.Write(p); err != nil {
						b.Error(err)
					}
				}
				close(written)
			}()
			p := bytes.Repeat([]byte("x"), 400)
			before := cpuTime(b)
			b.ResetTimer()
			var wg sync.WaitGroup
			for w := range 8 {
				wg.Go(func() {
					for i := w; i < b.N; i += 8 {
						packets <- p
					}
				})
			}
			wg.Wait()
			close(packets)
			<-written
			conn.Close()
			<-drained
			b.StopTimer()
			b.ReportMetric(float64((cpuTime(b)-before).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// tlsPair returns both ends of a TLS connection over loopback.
func tlsPair(b *testing.B) (client, server net.Conn) {
	ca, err := pki.NewCA("bench CA", time.Now(), time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := ca.IssueServer([]string{"127.0.0.1"}, time.Now(), time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	cert, err := srv.TLSCert()
	if err != nil {
		b.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			err = c.(*tls.Conn).Handshake()
		}
		if err != nil {
			b.Error(err)
		}
		accepted <- c
	}()
	c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: ca.Pool()})
	if err != nil {
		b.Fatal(err)
	}
	return c, <-accepted
}

// cpuTime is the CPU this process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBrokerWritesIdle is the other end: one packet at a time, the
// next written once the reader has the last, as on an idle system, where
// a batchConn only adds the hand-over to its flusher.
func BenchmarkBrokerWritesIdle(b *testing.B) {
	for _, batch := range []bool{false, true} {
		b.Run(map[bool]string{false: "direct", true: "batched"}[batch], func(b *testing.B) {
			client, server := tlsPair(b)
			got := make(chan struct{})
			go func() {
				buf := make([]byte, 400)
				for {
					if _, err := io.ReadFull(server, buf); err != nil {
						close(got)
						return
					}
					got <- struct{}{}
				}
			}()
			var conn net.Conn = client
			if batch {
				conn = newBatchConn(client, quiet)
			}
			p := bytes.Repeat([]byte("x"), 400)
			before := cpuTime(b)
			b.ResetTimer()
			for range b.N {
				if _, err := conn.Write(p); err != nil {
					b.Fatal(err)
				}
				<-got
			}
			b.StopTimer()
			b.ReportMetric(float64((cpuTime(b)-before).Nanoseconds())/float64(b.N), "cpu-ns/op")
			conn.Close()
			<-got
		})
	}
}

func TestRedactedBroker(t *testing.T) {
	for in, want := range map[string]string{
		"mqtts://cms:s3cret@broker.example:8883": "mqtts://cms:xxxxx@broker.example:8883",
		"tls://broker.example:8883":              "tls://broker.example:8883",
		":1883":                                  ":1883",
	} {
		if got := redacted(in); got != want {
			t.Errorf("redacted(%q) = %q, want %q", in, got, want)
		}
	}
}
