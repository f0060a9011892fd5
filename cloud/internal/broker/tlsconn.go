package broker

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"

	"cnskiosk.dev/cloud/internal/pki"
)

// tlsListener serves each accepted connection over TLS and runs its
// handshake itself, so that a certificate refused by TLS (expired, of
// another CA) is counted and logged: the standard verification refuses it
// before the MQTT CONNECT, where the hook would see it.
type tlsListener struct {
	net.Listener
	cfg *tls.Config
	h   *hook
}

func (l *tlsListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &tlsConn{Conn: tls.Server(c, l.cfg), h: l.h}, nil
}

// tlsConn is a server TLS connection whose handshake, run on first use,
// reports its failure once.
type tlsConn struct {
	*tls.Conn
	h    *hook
	once sync.Once
	err  error
}

func (c *tlsConn) handshake() error {
	c.once.Do(func() {
		if c.err = c.Conn.Handshake(); c.err != nil {
			c.h.handshakeFailed(c.Conn, c.err)
		}
	})
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

// handshakeFailed counts a TLS handshake that failed: reason cert_invalid
// when the client's certificate did not verify (expired, not yet valid,
// another CA, wrong usage), no_certificate when it sent none (a client
// sends none when its certificate is not of a CA the server names),
// tls_handshake for anything else but a connection closed before it
// began.
func (h *hook) handshakeFailed(c *tls.Conn, err error) {
	var ve *tls.CertificateVerificationError
	switch {
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
		reason := "tls_handshake"
		if len(c.ConnectionState().PeerCertificates) == 0 {
			reason = "no_certificate"
		}
		h.refused.With(reason).Inc()
		h.log.Info("mqtt connection refused", "reason", reason, "remote", c.RemoteAddr().String(), "err", err)
	}
}
