package broker

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"cnskiosk.dev/cloud/internal/metrics"
	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
)

// MaxPacketSize bounds every MQTT packet: wire.MaxMessageSize (64 KiB)
// plus 4 KiB for the fixed header, topic and properties. Mosquitto's
// max_packet_size (scripts/mosquitto/mosquitto.conf) is the same.
const MaxPacketSize = 64<<10 + 4<<10

// Config configures the embedded broker.
type Config struct {
	Addr string      // listen address, e.g. 127.0.0.1:8883 (port 0: any free port)
	TLS  *tls.Config // server certificate + ClientCAs + RequireAndVerifyClientCert
}

// Broker is the embedded MQTT broker.
type Broker struct {
	srv  *mqtt.Server
	tcp  *listeners.TCP
	hook *hook
	log  *slog.Logger
}

// New builds a broker admitting clients through gate. Metrics go to reg.
func New(cfg Config, gate Gate, reg *metrics.Registry, log *slog.Logger) (*Broker, error) {
	if cfg.TLS == nil || cfg.TLS.ClientAuth != tls.RequireAndVerifyClientCert {
		return nil, ErrNoTLS
	}
	h := &hook{gate: gate, log: log}
	var err error
	if h.refused, err = reg.NewCounterVec("cms_mqtt_connections_refused_total",
		"MQTT connections refused by the broker, by reason.", "reason"); err != nil {
		return nil, fmt.Errorf("broker: metrics: %w", err)
	}
	if h.denied, err = reg.NewCounterVec("cms_mqtt_acl_denied_total",
		"Publishes and subscriptions refused by the broker ACL.", "dir"); err != nil {
		return nil, fmt.Errorf("broker: metrics: %w", err)
	}
	caps := mqtt.NewDefaultServerCapabilities()
	caps.MaximumPacketSize = MaxPacketSize
	srv := mqtt.New(&mqtt.Options{Logger: log.With("part", "mochi"), InlineClient: false, Capabilities: caps})
	if err := srv.AddHook(h, nil); err != nil {
		return nil, fmt.Errorf("broker: hook: %w", err)
	}
	tcp := listeners.NewTCP(listeners.Config{ID: "mtls", Address: cfg.Addr, TLSConfig: cfg.TLS})
	if err := srv.AddListener(tcp); err != nil {
		return nil, fmt.Errorf("broker: listen %s: %w", cfg.Addr, err)
	}
	return &Broker{srv: srv, tcp: tcp, hook: h, log: log}, nil
}

// Addr returns the address the broker listens on.
func (b *Broker) Addr() string { return b.tcp.Address() }

// Run serves until ctx ends, then closes every connection.
func (b *Broker) Run(ctx context.Context) error {
	if err := b.srv.Serve(); err != nil {
		return fmt.Errorf("broker: serve: %w", err)
	}
	b.log.Info("mqtt broker listening", "addr", b.Addr())
	<-ctx.Done()
	return b.Close()
}

// Close stops the broker.
func (b *Broker) Close() error {
	done := make(chan error, 1)
	go func() { done <- b.srv.Close() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		return fmt.Errorf("broker: close timed out")
	}
}

// Kick drops the live connections whose identity is cn. A kept session
// stays, as with Mosquitto: only a certificate the registry admits again
// can take it back.
func (b *Broker) Kick(cn string) {
	for _, cl := range b.srv.Clients.GetAll() {
		if !cl.Net.Inline && string(cl.Properties.Username) == cn && !cl.Closed() {
			b.log.Info("dropping mqtt connection", "cn", cn, "client", cl.ID)
			_ = b.srv.DisconnectClient(cl, packets.ErrNotAuthorized)
		}
	}
}

// Clients returns the number of connected clients.
func (b *Broker) Clients() int64 { return atomic.LoadInt64(&b.srv.Info.ClientsConnected) }
