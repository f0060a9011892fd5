package broker

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/pki"
)

// reasons are the reasons of cms_mqtt_connections_refused_total.
var reasons = []string{"cert_invalid", "no_certificate", "tls_handshake", "unknown_device", "disabled",
	"revoked", "not_admitted", "client_id_mismatch", "will_topic", "no_tls"}

// plainConnect is an MQTT 3.1.1 CONNECT sent in clear: fixed header
// (0x10, remaining length 16), protocol name "MQTT", level 4, flags 0x02
// (clean session), keep alive 60, client id "kiosk-01".
var plainConnect = []byte{0x10, 0x14, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3c,
	0x00, 0x08, 'k', 'i', 'o', 's', 'k', '-', '0', '1'}

// TestHandshakeRefusalsCounted: connections TLS refuses before any MQTT
// packet are counted in cms_mqtt_connections_refused_total, each under
// its own reason and under no other, and logged with it.
func TestHandshakeRefusalsCounted(t *testing.T) {
	var log logBuf
	tb := startBrokerLog(t, Config{}, slog.NewTextHandler(&log, nil))
	now := time.Now()
	other, err := pki.NewCA("another fleet CA", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	expired, err := tb.ca.ClientConfig("kiosk-01", now.Add(-2*time.Hour), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	alien, err := other.ClientConfig("kiosk-01", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// Sent although the server names only its own CA.
	alien.RootCAs = tb.ca.Pool()
	alien.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &alien.Certificates[0], nil }
	none := &tls.Config{RootCAs: tb.ca.Pool(), MinVersion: tls.VersionTLS12}
	none12 := &tls.Config{RootCAs: tb.ca.Pool(), MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12}
	tests := []refusalCase{
		{"expired", expired, nil, "cert_invalid"},
		{"another CA", alien, nil, "cert_invalid"},
		{"no certificate", none, nil, "no_certificate"},
		{"no certificate, TLS 1.2", none12, nil, "no_certificate"},
		{"MQTT in clear", nil, plainConnect, "tls_handshake"},
		{"HTTP probe", nil, []byte("GET / HTTP/1.1\r\nHost: broker\r\n\r\n"), "tls_handshake"},
	}
	for _, tt := range tests {
		before := tb.refusals()
		if err := tt.refused(tb.b.Addr()); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		// The server sends its alert before it counts: wait for the count.
		before[tt.reason]++
		if got := tb.waitRefusals(before); !mapsEqual(got, before) {
			t.Errorf("%s: refused = %v, want %v", tt.name, got, before)
		}
		if line := `reason=` + tt.reason; !log.has(line) {
			t.Errorf("%s: no log line with %s:\n%s", tt.name, line, log.String())
		}
	}
	if !log.has(`level=WARN msg="mqtt connection refused" reason=cert_invalid cn=kiosk-01`) {
		t.Errorf("cert_invalid not logged at WARN with its CN:\n%s", log.String())
	}
	for _, r := range []string{"no_certificate", "tls_handshake"} {
		if !log.has(`level=INFO msg="mqtt connection refused" reason=` + r) {
			t.Errorf("%s not logged at INFO:\n%s", r, log.String())
		}
	}
	// A connection closed before its handshake began is not a refusal
	// (called directly: a connection mochi is still setting up when the
	// broker closes races inside mochi).
	before := tb.refusals()
	c1, c2 := net.Pipe()
	c2.Close()
	defer c1.Close()
	if err := tb.b.hook.handshake(tls.Server(c1, tb.b.tls.cfg)); !errors.Is(err, errHandshake) {
		t.Errorf("closed connection: err = %v, want errHandshake", err)
	}
	if got := tb.refusals(); !mapsEqual(got, before) {
		t.Errorf("a closed connection counted: refused = %v, want %v", got, before)
	}
}

type refusalCase struct {
	name   string
	cfg    *tls.Config // nil: raw sent over plain TCP
	raw    []byte
	reason string
}

// refused connects to addr as rc says, and returns an error unless the
// broker refuses the connection.
func (rc refusalCase) refused(addr string) error {
	var c net.Conn
	var err error
	if rc.cfg != nil {
		if c, err = tls.Dial("tcp", addr, rc.cfg.Clone()); err != nil {
			return nil // refused in the handshake (TLS 1.2)
		}
	} else if c, err = net.Dial("tcp", addr); err != nil {
		return err
	}
	defer c.Close()
	if len(rc.raw) > 0 {
		if _, err := c.Write(rc.raw); err != nil {
			return nil
		}
	}
	// TLS 1.3: the client learns of the refusal on its first read.
	return readUntilClosed(c)
}

// TestSilentConnectionClosed: a connection that sends nothing, and one
// that completes its handshake but sends no CONNECT, are closed once the
// connect timeout has passed (the first counted tls_handshake), while a
// client that connected earlier keeps its connection.
func TestSilentConnectionClosed(t *testing.T) {
	// Long enough for a handshake under the race detector on a busy machine.
	tb := startBrokerWith(t, Config{ConnectTimeout: time.Second})
	cl := tb.mustConnect(t, "kiosk-01", "kiosk-01", true)
	cl.subscribe(t, "cms/v1/dev/kiosk-01/ack")

	silent, err := net.Dial("tcp", tb.b.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	if err := readUntilClosed(silent); err != nil {
		t.Errorf("silent connection: %v", err)
	}
	if got := tb.waitRefused("tls_handshake", 1); got != 1 {
		t.Errorf("refused{reason=tls_handshake} = %v, want 1", got)
	}
	noConnect, err := tls.Dial("tcp", tb.b.Addr(), tb.tls(t, "kiosk-02"))
	if err != nil {
		t.Fatal(err)
	}
	defer noConnect.Close()
	if err := readUntilClosed(noConnect); err != nil {
		t.Errorf("connection without CONNECT: %v", err)
	}

	// The first client's deadline passed too: mochi replaced it at CONNECT.
	select {
	case err := <-cl.lost:
		t.Fatalf("connected client lost: %v", err)
	default:
	}
	cmsd := tb.mustConnect(t, "cmsd-1", "cmsd-1", true)
	cmsd.publish(t, "cms/v1/dev/kiosk-01/ack", "ok")
	if m := cl.recv(t); string(m.Payload()) != "ok" {
		t.Errorf("connected client got %q, want ok", m.Payload())
	}
}

// TestCloseWithSilentConnections: the broker closes promptly, and closes
// them, with connections in their handshake or before their CONNECT,
// which mochi does not know of.
func TestCloseWithSilentConnections(t *testing.T) {
	tb := startBrokerWith(t, Config{ConnectTimeout: time.Hour})
	var conns []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", tb.b.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	c, err := tls.Dial("tcp", tb.b.Addr(), tb.tls(t, "kiosk-01"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	conns = append(conns, c)
	// The handshakes run on mochi's reads: wait until all are accepted.
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for tb.b.tls.conns() != len(conns) {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections accepted, want %d", tb.b.tls.conns(), len(conns))
		}
		<-tick.C
	}
	if err := tb.stop(); err != nil {
		t.Fatalf("close: %v", err)
	}
	for i, c := range conns {
		if err := readUntilClosed(c); err != nil {
			t.Errorf("connection %d: %v", i, err)
		}
	}
}

// TestAcceptErrorRetried: an accept error other than the listener's
// closing (too many open files) does not stop the broker: it accepts
// again, and a client connects.
func TestAcceptErrorRetried(t *testing.T) {
	var fl *flakyListener
	tb := startBrokerWith(t, Config{wrap: func(ln net.Listener) net.Listener {
		fl = &flakyListener{Listener: ln}
		fl.fails.Store(3)
		return fl
	}})
	cl := tb.mustConnect(t, "kiosk-01", "kiosk-01", true)
	if got := cl.subscribe(t, "cms/v1/dev/kiosk-01/ack"); got != 1 {
		t.Errorf("granted QoS %d, want 1", got)
	}
	if n := fl.fails.Load(); n != 0 {
		t.Errorf("%d accept errors not returned", n)
	}
}

// flakyListener fails its first Accepts as a process out of file
// descriptors does.
type flakyListener struct {
	net.Listener
	fails atomic.Int32
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if l.fails.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: syscall.EMFILE}
	}
	l.fails.Store(0)
	return l.Listener.Accept()
}

// readUntilClosed reads c until the broker closes it, and returns an
// error if it is still open after 10 s.
func readUntilClosed(c net.Conn) error {
	if err := c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return err
	}
	buf := make([]byte, 512)
	for {
		_, err := c.Read(buf)
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			return fmt.Errorf("still open after 10 s")
		case err != nil:
			return nil
		}
	}
}

// waitRefused polls refused(reason) until it is want or 5 s have passed,
// and returns it.
func (tb *testBroker) waitRefused(reason string, want float64) float64 {
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for got := tb.refused(reason); ; got = tb.refused(reason) {
		if got == want || time.Now().After(deadline) {
			return got
		}
		<-tick.C
	}
}

// waitRefusals polls refusals until they are want or 5 s have passed,
// and returns them.
func (tb *testBroker) waitRefusals(want map[string]float64) map[string]float64 {
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for got := tb.refusals(); ; got = tb.refusals() {
		if mapsEqual(got, want) || time.Now().After(deadline) {
			return got
		}
		<-tick.C
	}
}

// refusals returns cms_mqtt_connections_refused_total by reason.
func (tb *testBroker) refusals() map[string]float64 {
	m := make(map[string]float64, len(reasons))
	for _, r := range reasons {
		m[r] = tb.refused(r)
	}
	return m
}

func mapsEqual(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// refused returns cms_mqtt_connections_refused_total{reason}.
func (tb *testBroker) refused(reason string) float64 {
	return tb.b.hook.refused.With(reason).Value()
}

// logBuf is a log output safe for concurrent use.
type logBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuf) has(s string) bool { return strings.Contains(l.String(), s) }
