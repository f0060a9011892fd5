package broker

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/pki"
)

// TestHandshakeRefusalsCounted: certificates TLS refuses before any MQTT
// packet are counted in cms_mqtt_connections_refused_total.
func TestHandshakeRefusalsCounted(t *testing.T) {
	tb := startBroker(t)
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
	tests := []struct {
		name   string
		cfg    *tls.Config
		reason string
	}{
		{"expired", expired, "cert_invalid"},
		{"another CA", alien, "cert_invalid"},
		{"no certificate", none, "no_certificate"},
	}
	for _, tt := range tests {
		before := tb.refused(tt.reason)
		c, err := tls.Dial("tcp", tb.b.Addr(), tt.cfg.Clone())
		if err == nil {
			// TLS 1.3: the client learns of the refusal on its first read.
			_, err = c.Read(make([]byte, 1))
			c.Close()
		}
		if err == nil {
			t.Fatalf("%s: connected", tt.name)
		}
		// The server sends its alert before it counts: wait for the count.
		if got := tb.waitRefused(tt.reason, before+1); got != before+1 {
			t.Errorf("%s: refused{reason=%q} = %v, want %v", tt.name, tt.reason, got, before+1)
		}
	}
	// A connection closed before its handshake began is not a refusal
	// (called directly: a connection mochi is still setting up when the
	// broker closes races inside mochi).
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	tb.b.hook.handshakeFailed(tls.Server(c1, &tls.Config{}), io.EOF)
	if b := tb.metrics(); strings.Contains(b, `reason="tls_handshake"`) {
		t.Errorf("a closed connection counted:\n%s", b)
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

// metrics returns the broker's metrics in the exposition format.
func (tb *testBroker) metrics() string {
	var b bytes.Buffer
	tb.reg.Write(&b)
	return b.String()
}

// refused returns cms_mqtt_connections_refused_total{reason}.
func (tb *testBroker) refused(reason string) float64 {
	return tb.b.hook.refused.With(reason).Value()
}
