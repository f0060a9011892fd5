package ingest

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// Message is one received message; Ack must be called once it is handled.
type Message = paho.Message

// Handler handles one message; it must not block for long.
type Handler func(Message)

// Config configures a client.
type Config struct {
	Broker       string      // tls://host:port
	ClientID     string      // for a device: its id; for cmsd: its certificate CN
	TLS          *tls.Config // client certificate + fleet CA
	CleanSession bool
	ManualAck    bool // call Message.Ack after handling
	Subs         map[string]Handler
	Will         *Will
	OnLost       func(error) // connection lost (before reconnecting)
	OnConnect    func()      // after every (re)connection and subscription, in its own goroutine
	// All, if set, handles every message received, whatever its topic;
	// Subs then only name the filters (their handlers may be nil; without
	// All, Dial refuses a nil handler). paho matches each message's topic
	// against every filter with a handler, splitting both at '/' on every
	// message.
	All Handler
	// BatchWrites queues what the client writes and writes it in batches
	// (see batchConn): for cmsd's connection, which carries every reply
	// and every PUBACK of the fleet's operations. Only for a broker
	// reached over TCP (tcp, mqtt, tls, ssl, mqtts, tcps, mqtt+ssl) with
	// no proxy in the environment; any other is dialed unbatched.
	BatchWrites bool
}

// Will is a last will, published by the broker when the client vanishes.
type Will struct {
	Topic   string
	Payload []byte
	Retain  bool
}

// Client is a connected MQTT client.
type Client struct {
	c   paho.Client
	log *slog.Logger
}

// Dial connects and subscribes to cfg.Subs (again at every reconnection).
func Dial(ctx context.Context, cfg Config, log *slog.Logger) (*Client, error) {
	if cfg.All == nil {
		for f, h := range cfg.Subs {
			if h == nil {
				// The client would subscribe to f and have nowhere to
				// route its messages: it drops them unacknowledged, and
				// the broker holds them in flight for good.
				return nil, fmt.Errorf("ingest: filter %q has no handler and Config.All is not set", f)
			}
		}
	}
	o := paho.NewClientOptions().AddBroker(cfg.Broker).SetClientID(cfg.ClientID).SetTLSConfig(cfg.TLS).
		SetCleanSession(cfg.CleanSession).SetAutoReconnect(true).SetMaxReconnectInterval(5 * time.Second).
		SetKeepAlive(30 * time.Second).SetOrderMatters(true).SetAutoAckDisabled(cfg.ManualAck).
		SetConnectTimeout(10 * time.Second).SetMessageChannelDepth(1024)
	if cfg.BatchWrites {
		// Batching needs the connection in hand, so the client's own
		// dialing is replaced, but only where dialBroker dials as it
		// would; any other broker is dialed by the client, unbatched.
		if u, err := brokerURL(cfg.Broker); err == nil && dialsDirect(u) {
			blog := log.With("client", cfg.ClientID)
			o.SetCustomOpenConnectionFn(func(uri *url.URL, o paho.ClientOptions) (net.Conn, error) {
				c, err := dialBroker(uri, o.TLSConfig, o.ConnectTimeout)
				if err != nil {
					return nil, err
				}
				return newBatchConn(c, blog), nil
			})
		} else if err == nil {
			log.Info("mqtt writes not batched: broker dialed by the client library", "client", cfg.ClientID, "scheme", u.Scheme)
		}
	}
	if cfg.Will != nil {
		o.SetBinaryWill(cfg.Will.Topic, cfg.Will.Payload, 1, cfg.Will.Retain)
	}
	o.SetConnectionLostHandler(func(_ paho.Client, err error) {
		log.Warn("mqtt connection lost", "client", cfg.ClientID, "err", err)
		if cfg.OnLost != nil {
			cfg.OnLost(err)
		}
	})
	o.SetOnConnectHandler(func(c paho.Client) {
		if len(cfg.Subs) == 0 {
			if cfg.OnConnect != nil {
				go cfg.OnConnect()
			}
			return
		}
		filters := map[string]byte{}
		for f := range cfg.Subs {
			filters[f] = 1
		}
		tok := c.SubscribeMultiple(filters, nil)
		if tok.WaitTimeout(10*time.Second) && tok.Error() != nil {
			log.Error("mqtt subscribe failed", "err", tok.Error())
		}
		if cfg.OnConnect != nil {
			go cfg.OnConnect()
		}
	})
	if cfg.All != nil {
		o.SetDefaultPublishHandler(func(_ paho.Client, m paho.Message) { cfg.All(m) })
	}
	c := paho.NewClient(o)
	for f, h := range cfg.Subs {
		if h != nil {
			c.AddRoute(f, func(_ paho.Client, m paho.Message) { h(m) })
		}
	}
	if err := wait(ctx, c.Connect()); err != nil {
		return nil, fmt.Errorf("%w: %s as %s: %v", ErrConnect, redacted(cfg.Broker), cfg.ClientID, err)
	}
	return &Client{c: c, log: log}, nil
}

// Publish sends payload at QoS 1 and waits for the broker's PUBACK.
func (c *Client) Publish(ctx context.Context, topic string, payload []byte, retain bool) error {
	if err := wait(ctx, c.c.Publish(topic, 1, retain, payload)); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrPublish, topic, err)
	}
	return nil
}

// PublishAsync sends payload at QoS 1 without waiting for the PUBACK.
func (c *Client) PublishAsync(topic string, payload []byte) Token {
	return c.c.Publish(topic, 1, false, payload)
}

// Subscribe subscribes to filter at QoS 1.
func (c *Client) Subscribe(ctx context.Context, filter string, h Handler) error {
	if err := wait(ctx, c.c.Subscribe(filter, 1, func(_ paho.Client, m paho.Message) { h(m) })); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrSubscribe, filter, err)
	}
	return nil
}

// Connected reports whether the client is connected now.
func (c *Client) Connected() bool { return c.c.IsConnectionOpen() }

// Close disconnects, waiting at most quiesce for pending work.
func (c *Client) Close(quiesce time.Duration) {
	c.c.Disconnect(uint(quiesce / time.Millisecond))
}

func wait(ctx context.Context, t paho.Token) error {
	select {
	case <-t.Done():
		return t.Error()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// redacted is broker for errors and logs, without a password it may carry
// (mqtts://user:secret@host).
func redacted(broker string) string {
	u, err := brokerURL(broker)
	if err != nil || u.User == nil {
		return broker
	}
	return u.Redacted()
}
