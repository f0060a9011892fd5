package broker

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// pinReply is shaped like an rpc/res reply to pin_halves; its values are
// markers looked for in the log.
const pinReply = `{"v":1,"id":"r1","outcome":"applied","result":{"pin_first":"4817","puk_first":"90523311"}}`

// TestRedactHandler: mochi's calls that carry packets, logged at DEBUG
// with debugging on, keep their other attributes and lose the payload.
func TestRedactHandler(t *testing.T) {
	pk := packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Publish, Qos: 1},
		TopicName: "cms/v1/dev/kiosk-01/rpc/res", PacketID: 7, Payload: []byte(pinReply)}
	will := mqtt.Will{TopicName: "cms/v1/dev/kiosk-01/state", Payload: []byte(pinReply)}
	var buf bytes.Buffer
	log := mochiLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))

	// As mochi's server.go, clients.go and hooks.go call it.
	log.Debug("failed publishing packet", "error", packets.ErrPendingClientWritesExceeded, "client", "kiosk-01", "packet", pk)
	log.Warn("error processing packet", "error", packets.ErrRejectPacket, "client", "kiosk-02", "listener", "mtls", "pk", pk)
	log.Debug("failed to publish retained message", "client", "kiosk-01", "packet", &pk)
	log.Error("parse will error", "hook", "x", "will", will)
	log.With("packet", pk).WithGroup("g").Info("nested", slog.Group("inner", "pk", pk, "raw", pk.Payload), "payload", pk.Payload)
	log.Warn("anything", "state", []packets.Packet{pk}, "count", 3)

	out := buf.String()
	t.Log(out)
	for _, secret := range []string{"4817", "90523311", "pin_first"} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds %q", secret)
		}
	}
	for _, kept := range []string{"failed publishing packet", "client=kiosk-01", "client=kiosk-02",
		"packet.topic=cms/v1/dev/kiosk-01/rpc/res", "packet.id=7", "pk.type=Publish", "pk.payload_bytes=" + strconv.Itoa(len(pinReply)),
		"will.topic=cms/v1/dev/kiosk-01/state", "part=mochi", "count=3", "error=",
		"g.inner.pk.topic=", "g.inner.raw=[redacted]", "state=[redacted]"} {
		if !strings.Contains(out, kept) {
			t.Errorf("log lacks %q", kept)
		}
	}
	if n := strings.Count(out, "\n"); n != 6 {
		t.Errorf("%d lines logged, want 6", n)
	}
}

// TestRedactHandlerLevel: without debugging, mochi logs WARN and above
// only, whatever the level of the logger it is given.
func TestRedactHandlerLevel(t *testing.T) {
	var buf bytes.Buffer
	log := mochiLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	log.Debug("failed publishing packet", "packet", packets.Packet{Payload: []byte(pinReply)})
	log.Info("added hook", "hook", "cms-identity")
	log.Warn("error processing packet", "client", "kiosk-02")
	if got := buf.String(); strings.Contains(got, "added hook") || strings.Contains(got, "failed publishing") ||
		!strings.Contains(got, "error processing packet") {
		t.Errorf("logged:\n%s\nwant only the WARN record", got)
	}
	if log.Enabled(context.Background(), slog.LevelInfo) {
		t.Error("mochi's logger enabled at INFO")
	}
}

// TestRedactHandlerHandshake: the record without message mochi logs at
// WARN for a connection that ended before CONNECT is dropped when the
// connection ended in its TLS handshake (the broker logged it already)
// and kept for any other end.
func TestRedactHandlerHandshake(t *testing.T) {
	tb := startBroker(t)
	c1, c2 := net.Pipe()
	defer c1.Close()
	go func() {
		// An MQTT client speaking in clear to the TLS port.
		c2.Write(plainConnect)
		c2.Close()
	}()
	hsErr := tb.b.hook.handshake(tls.Server(c1, tb.b.tls.cfg))
	if hsErr == nil {
		t.Fatal("handshake in clear succeeded")
	}
	var buf bytes.Buffer
	log := mochiLogger(slog.New(slog.NewTextHandler(&buf, nil)))
	// As mochi's listeners.Net.Serve logs what attachClient returns.
	log.Warn("", "error", fmt.Errorf("read connection: %w", hsErr))
	log.Warn("", "error", fmt.Errorf("read connection: %w", packets.ErrProtocolViolationRequireFirstConnect))
	log.Warn("error processing packet", "error", hsErr) // not mochi's record of a connection's end
	out := buf.String()
	if strings.Contains(out, "read connection: broker: tls handshake") {
		t.Errorf("the handshake's end logged:\n%s", out)
	}
	for _, kept := range []string{"first packet must be connect", "error processing packet"} {
		if !strings.Contains(out, kept) {
			t.Errorf("log lacks %q:\n%s", kept, out)
		}
	}
}
