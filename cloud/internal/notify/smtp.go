package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// SMTP sends e-mail through one SMTP server. It uses STARTTLS when the
// server offers it (RequireTLS refuses to send in clear otherwise) and
// AUTH PLAIN when Username is set (only over TLS, as net/smtp enforces).
// A 5xx reply to RCPT or to the end of data is permanent (ErrPermanent);
// a 5xx to STARTTLS, AUTH or MAIL, no STARTTLS offered under RequireTLS,
// a server certificate that does not verify and no AUTH offered with a
// Username are ErrSenderConfig; every 4xx and network error is retried.
//
// Without RequireTLS the second halves of PIN and PUK may travel in clear
// when the server offers no STARTTLS: use that only towards a relay on
// the same host (NewWorker logs a warning).
type SMTP struct {
	Addr       string // host:port
	From       string // sender address
	Username   string
	Password   string
	RequireTLS bool
	TLS        *tls.Config // nil: verify against the system roots, ServerName = host
	Timeout    time.Duration
}

// Send implements Sender.
func (s SMTP) Send(ctx context.Context, m Message) error {
	to, err := mail.ParseAddress(m.To)
	if err != nil || strings.ContainsAny(m.To, "\r\n") {
		return fmt.Errorf("%w: bad e-mail address", ErrPermanent)
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("notify: smtp dial: %w", err)
	}
	deadline := time.Now().Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("notify: smtp greeting: %w", err)
	}
	defer c.Close()
	if err := s.secure(c, host); err != nil {
		return err
	}
	return s.transact(c, to.Address, m)
}

// secure starts TLS when the server offers it and authenticates. What
// only we can fix is ErrSenderConfig: no STARTTLS offered while TLS is
// required, a server certificate that does not verify, a 5xx to STARTTLS
// or AUTH, no AUTH offered while a user is set.
func (s SMTP) secure(c *smtp.Client, host string) error {
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(s.tlsConfig(host)); err != nil {
			var ve *tls.CertificateVerificationError
			if errors.As(err, &ve) {
				return fmt.Errorf("%w: smtp server certificate not trusted: %w", ErrSenderConfig, err)
			}
			return replyErr("smtp starttls", err, ErrSenderConfig)
		}
	} else if s.RequireTLS {
		return fmt.Errorf("%w: smtp server offers no STARTTLS and TLS is required", ErrSenderConfig)
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("%w: smtp server offers no AUTH and a user is set", ErrSenderConfig)
		}
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return replyErr("smtp auth", err, ErrSenderConfig)
		}
	}
	return nil
}

// tlsConfig is s.TLS (verifying the server as host unless it names
// another) or, when nil, verification against the system roots.
func (s SMTP) tlsConfig(host string) *tls.Config {
	if s.TLS == nil {
		return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	cfg := s.TLS.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	return cfg
}

func (s SMTP) transact(c *smtp.Client, to string, m Message) error {
	if err := c.Mail(s.From); err != nil {
		return replyErr("smtp MAIL", err, ErrSenderConfig)
	}
	if err := c.Rcpt(to); err != nil {
		return replyErr("smtp recipient refused", err, ErrPermanent)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("notify: smtp DATA: %w", err)
	}
	if _, err := w.Write(s.format(to, m)); err != nil {
		return fmt.Errorf("notify: smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		return replyErr("smtp message refused", err, ErrPermanent)
	}
	return c.Quit()
}

// Insecure reports whether s may send in clear text.
func (s SMTP) Insecure() bool { return !s.RequireTLS }

// replyErr wraps err with class when the server answered 5xx; 4xx replies
// and network errors stay temporary.
func replyErr(what string, err error, class error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return fmt.Errorf("%w: %s: %w", class, what, err)
	}
	return fmt.Errorf("notify: %s: %w", what, err)
}

func (s SMTP) format(to string, m Message) []byte {
	var b bytes.Buffer
	domain := "cnskiosk.invalid"
	if i := strings.LastIndexByte(s.From, '@'); i >= 0 {
		domain = s.From[i+1:]
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\n", s.From, to)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", m.Subject))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().UTC().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", m.ID, domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(m.Body, "\n", "\r\n")))
	_ = qp.Close()
	return b.Bytes()
}
