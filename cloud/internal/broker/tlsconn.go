package broker

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"cnskiosk.dev/cloud/internal/pki"
)

// DefaultConnectTimeout is how long an accepted connection has for its
// TLS handshake and its MQTT CONNECT together.
const DefaultConnectTimeout = 10 * time.Second

// Pauses before accepting again after an accept error (too many open
// files, for one), doubling from the first to the last, as net/http's
// Server does.
const (
	acceptRetryFirst = 5 * time.Millisecond
	acceptRetryLast  = time.Second
)

// errHandshake marks the error of a connection refused or ended in its
// TLS handshake, which the broker has already counted and logged.
var errHandshake = errors.New("broker: tls handshake")

// tlsListener serves each accepted connection over TLS and runs its
// handshake itself, so that a certificate refused by TLS (expired, of
// another CA) is counted and logged: the standard verification refuses it
// before the MQTT CONNECT, where the hook would see it.
//
// mochi sets no deadline before it reads CONNECT and, when Accept fails,
// stops accepting for good; its Close closes only the clients it has
// registered, after CONNECT. So the listener gives each connection a
// deadline for its handshake and CONNECT (mochi replaces it with the
// keep alive's after CONNECT), retries a failed Accept after a pause, and
// closes, when closed, the connections still open.
type tlsListener struct {
	net.Listener
	cfg     *tls.Config // verifies a client certificate if given: see handshake
	h       *hook
	log     *slog.Logger
	timeout time.Duration // DefaultConnectTimeout or Config.ConnectTimeout

	closed chan struct{} // closed by Close: Accept stops retrying
	mu     sync.Mutex
	shut   bool                  // Close has run: a connection accepted now is closed
	open   map[*tlsConn]struct{} // accepted and not yet closed
}

func newTLSListener(ln net.Listener, cfg *tls.Config, h *hook, log *slog.Logger, timeout time.Duration) *tlsListener {
	cfg = cfg.Clone()
	cfg.ClientAuth = tls.VerifyClientCertIfGiven
	return &tlsListener{Listener: ln, cfg: cfg, h: h, log: log, timeout: timeout,
		closed: make(chan struct{}), open: make(map[*tlsConn]struct{})}
}

// Accept returns the next connection. An error other than the listener's
// closing is logged and Accept tries again after a pause, so that a
// shortage of file descriptors does not end the broker's accepting.
func (l *tlsListener) Accept() (net.Conn, error) {
	var pause time.Duration
	for {
		c, err := l.Listener.Accept()
		if err == nil {
			return l.track(c), nil
		}
		if errors.Is(err, net.ErrClosed) {
			return nil, err
		}
		pause = min(max(2*pause, acceptRetryFirst), acceptRetryLast)
		l.log.Warn("mqtt accept failed, retrying", "err", err, "pause", pause)
		t := time.NewTimer(pause)
		select {
		case <-l.closed:
			t.Stop()
			return nil, fmt.Errorf("broker: accept: %w", net.ErrClosed)
		case <-t.C:
		}
	}
}

// track wraps c, gives it its deadline and keeps it among the open
// connections.
func (l *tlsListener) track(c net.Conn) *tlsConn {
	_ = c.SetDeadline(time.Now().Add(l.timeout))
	tc := &tlsConn{Conn: tls.Server(c, l.cfg), l: l}
	l.mu.Lock()
	shut := l.shut
	if !shut {
		l.open[tc] = struct{}{}
	}
	l.mu.Unlock()
	if shut {
		_ = tc.Conn.Close()
	}
	return tc
}

// forget drops c from the open connections.
func (l *tlsListener) forget(c *tlsConn) {
	l.mu.Lock()
	delete(l.open, c)
	l.mu.Unlock()
}

// conns returns the number of open connections.
func (l *tlsListener) conns() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.open)
}

// Close stops accepting and closes the connections still open. mochi
// calls it on closing, just after it has disconnected (and closed) the
// clients it registered at CONNECT: those left are the ones it does not
// know of, in their handshake or before their CONNECT, and any that it
// registered meanwhile.
func (l *tlsListener) Close() error {
	l.mu.Lock()
	if !l.shut {
		l.shut = true
		close(l.closed)
	}
	open := make([]*tlsConn, 0, len(l.open))
	for c := range l.open {
		open = append(open, c)
	}
	clear(l.open)
	l.mu.Unlock()
	for _, c := range open {
		_ = c.Conn.Close()
	}
	return l.Listener.Close()
}

// tlsConn is a server TLS connection whose handshake, run on first use,
// reports its failure once.
type tlsConn struct {
	*tls.Conn
	l    *tlsListener
	once sync.Once
	err  error
}

func (c *tlsConn) handshake() error {
	c.once.Do(func() { c.err = c.l.h.handshake(c.Conn) })
	return c.err
}

func (c *tlsConn) Read(b []byte) (int, error) {
	if err := c.handshake(); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c *tlsConn) Write(b []byte) (int, error) {
	if err := c.handshake(); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}

func (c *tlsConn) Close() error {
	c.l.forget(c)
	return c.Conn.Close()
}

// handshake runs c's handshake, which verifies a client certificate if
// the client gives one, and counts and logs a refusal: reason
// cert_invalid when the certificate did not verify (expired, not yet
// valid, another CA, wrong usage), no_certificate when the handshake
// succeeded without one (a client sends none when its certificate is not
// of a CA the server names; c is then closed), tls_handshake for any
// other failure (plain MQTT or HTTP on the port, a reset, the deadline)
// but a connection closed before its handshake began. The error returned
// wraps errHandshake.
func (h *hook) handshake(c *tls.Conn) error {
	err := c.Handshake()
	var ve *tls.CertificateVerificationError
	switch {
	case err == nil && len(c.ConnectionState().PeerCertificates) > 0:
		return nil
	case err == nil:
		_ = c.Close()
		h.refused.With("no_certificate").Inc()
		h.log.Info("mqtt connection refused", "reason", "no_certificate", "remote", c.RemoteAddr().String())
		return fmt.Errorf("%w: no client certificate", errHandshake)
	case errors.As(err, &ve):
		h.refused.With("cert_invalid").Inc()
		cn, serial := "", ""
		if len(ve.UnverifiedCertificates) > 0 {
			leaf := ve.UnverifiedCertificates[0]
			cn, serial = leaf.Subject.CommonName, pki.Serial(leaf)
		}
		h.log.Warn("mqtt connection refused", "reason", "cert_invalid", "cn", cn, "serial", serial,
			"remote", c.RemoteAddr().String(), "err", ve.Err)
	case errors.Is(err, io.EOF):
	default:
		h.refused.With("tls_handshake").Inc()
		h.log.Info("mqtt connection refused", "reason", "tls_handshake", "remote", c.RemoteAddr().String(), "err", err)
	}
	return fmt.Errorf("%w: %w", errHandshake, err)
}
