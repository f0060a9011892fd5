package broker

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
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

// Defaults for the bounds on a session kept while its client is away.
const (
	// DefaultSessionExpiry is how long a session outlives its connection.
	// A kiosk away for longer sends its outbox again anyway, and is
	// answered duplicate for what the database already has.
	DefaultSessionExpiry = 24 * time.Hour
	// DefaultMaxQueued is how many QoS 1 messages a device's session
	// holds while the device is away; what comes beyond is dropped.
	DefaultMaxQueued = 1000
)

// sweepEvery is how often the broker looks for expired sessions.
const sweepEvery = time.Minute

// Config configures the embedded broker.
type Config struct {
	Addr string      // listen address, e.g. 127.0.0.1:8883 (port 0: any free port)
	TLS  *tls.Config // server certificate + ClientCAs + RequireAndVerifyClientCert

	// SessionExpiry is how long a session kept with clean session off
	// outlives its connection (0: DefaultSessionExpiry).
	SessionExpiry time.Duration
	// MaxQueued is how many QoS 1 messages a device's session holds while
	// the device is away (0: DefaultMaxQueued).
	MaxQueued int
	// ConnectTimeout is how long an accepted connection has for its TLS
	// handshake and its MQTT CONNECT together; a connection silent for
	// longer is closed (0: DefaultConnectTimeout).
	ConnectTimeout time.Duration

	wrap func(net.Listener) net.Listener // tests: wraps the TCP listener
}

// Broker is the embedded MQTT broker.
type Broker struct {
	srv    *mqtt.Server
	tcp    *listeners.Net
	tls    *tlsListener
	hook   *hook
	log    *slog.Logger
	expiry int64 // SessionExpiry in seconds, the unit of mochi's disconnection time
}

// New builds a broker admitting clients through gate. Metrics go to reg.
func New(cfg Config, gate Gate, reg *metrics.Registry, log *slog.Logger) (*Broker, error) {
	if cfg.TLS == nil || cfg.TLS.ClientAuth != tls.RequireAndVerifyClientCert {
		return nil, ErrNoTLS
	}
	if cfg.SessionExpiry <= 0 {
		cfg.SessionExpiry = DefaultSessionExpiry
	}
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = DefaultMaxQueued
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	h := &hook{gate: gate, log: log, maxQueued: cfg.MaxQueued}
	var err error
	if h.refused, err = reg.NewCounterVec("cms_mqtt_connections_refused_total",
		"MQTT connections refused by the broker, by reason.", "reason"); err != nil {
		return nil, fmt.Errorf("broker: metrics: %w", err)
	}
	if h.denied, err = reg.NewCounterVec("cms_mqtt_acl_denied_total",
		"Publishes and subscriptions refused by the broker ACL.", "dir"); err != nil {
		return nil, fmt.Errorf("broker: metrics: %w", err)
	}
	if h.queueFull, err = reg.NewCounter("cms_mqtt_queue_full_total",
		"Messages dropped because the session of a device that is away already holds its maximum."); err != nil {
		return nil, fmt.Errorf("broker: metrics: %w", err)
	}
	caps := mqtt.NewDefaultServerCapabilities()
	caps.MaximumPacketSize = MaxPacketSize
	srv := mqtt.New(&mqtt.Options{Logger: mochiLogger(log), InlineClient: false, Capabilities: caps})
	if err := srv.AddHook(h, nil); err != nil {
		return nil, fmt.Errorf("broker: hook: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("broker: listen %s: %w", cfg.Addr, err)
	}
	if cfg.wrap != nil {
		ln = cfg.wrap(ln)
	}
	tl := newTLSListener(ln, cfg.TLS, h, log, cfg.ConnectTimeout)
	tcp := listeners.NewNet("mtls", tl)
	if err := srv.AddListener(tcp); err != nil {
		ln.Close()
		return nil, fmt.Errorf("broker: listen %s: %w", cfg.Addr, err)
	}
	h.srv = srv
	return &Broker{srv: srv, tcp: tcp, tls: tl, hook: h, log: log, expiry: int64(cfg.SessionExpiry / time.Second)}, nil
}

// Addr returns the address the broker listens on.
func (b *Broker) Addr() string { return b.tcp.Address() }

// Run serves until ctx ends, then closes every connection. Meanwhile it
// drops, every sweepEvery, the sessions away for longer than the expiry.
func (b *Broker) Run(ctx context.Context) error {
	if err := b.srv.Serve(); err != nil {
		return fmt.Errorf("broker: serve: %w", err)
	}
	b.log.Info("mqtt broker listening", "addr", b.Addr())
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return b.Close()
		case now := <-t.C:
			b.expire(now)
		}
	}
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

// Kick drops the live connection and the kept session of the clients
// whose identity is cn (a device disabled): their subscriptions, the
// messages queued for them (rpc/res replies among them, which carry
// halves of PIN and PUK) and their role. A later admission starts a clean
// session, and gets nothing from before.
func (b *Broker) Kick(cn string) {
	for _, cl := range b.srv.Clients.GetAll() {
		if !cl.Net.Inline && string(cl.Properties.Username) == cn {
			b.log.Info("dropping mqtt session", "cn", cn, "client", cl.ID, "connected", !cl.Closed())
			b.drop(cl)
		}
	}
}

// expire drops the sessions whose connection ended more than the expiry
// before now. mochi's own check keeps a session of MQTT 3.1.1 for as long
// as its maximum (unbounded by default), and when it drops one leaves its
// subscriptions behind, so the broker does it. mochi still expires an MQTT
// 5 session that asked for less, through hook.OnClientExpired.
func (b *Broker) expire(now time.Time) {
	for _, cl := range b.srv.Clients.GetAll() {
		if at := cl.StopTime(); !cl.Net.Inline && at != 0 && at+b.expiry < now.Unix() {
			b.log.Info("mqtt session expired", "client", cl.ID, "away_since", time.Unix(at, 0).UTC())
			b.drop(cl)
		}
	}
}

// drop ends cl's connection if it is live and removes its session.
func (b *Broker) drop(cl *mqtt.Client) {
	if !cl.Closed() {
		_ = b.srv.DisconnectClient(cl, packets.ErrNotAuthorized)
	}
	// Only cl's own entry: a connection that took the client id over since
	// has its own session. mochi has no compare-and-delete, but a client
	// being dropped is refused by the registry or long gone, so no new
	// connection under its id comes between the two calls.
	if cur, ok := b.srv.Clients.Get(cl.ID); ok && cur == cl {
		b.srv.Clients.Delete(cl.ID)
	}
	b.hook.discard(cl)
}

// Clients returns the number of connected clients.
func (b *Broker) Clients() int64 { return atomic.LoadInt64(&b.srv.Info.ClientsConnected) }
