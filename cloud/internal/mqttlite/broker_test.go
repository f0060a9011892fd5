package mqttlite_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/broker"
	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/ingest/ingesttest"
	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/mqttlite"
	"cnskiosk.dev/cloud/internal/pki"
)

// The tests of this file run the client against the brokers cmsd works
// with: Mosquitto with the shipped configuration and ACL (CNS_TEST_MOSQUITTO),
// and cmsd's embedded broker.

// env is a running broker and the certificates of its clients.
type env struct {
	url string
	ca  *pki.CA
}

func (e env) tls(t *testing.T, cn string) *tls.Config {
	t.Helper()
	cfg, err := e.ca.ClientConfig(cn, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// cloudCN is a cloud identity both brokers let read and write every
// device topic.
const cloudCN = "cmsd-test-1"

func brokers(t *testing.T) map[string]func(t *testing.T) env {
	return map[string]func(t *testing.T) env{"mosquitto": startMosquitto, "embedded": startEmbedded}
}

func newCA(t *testing.T) (*pki.CA, pki.Issued) {
	t.Helper()
	ca, err := pki.NewCA("test fleet CA", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.IssueServer([]string{"localhost", "127.0.0.1"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return ca, srv
}

func startMosquitto(t *testing.T) env {
	ca, srv := newCA(t)
	dir := t.TempDir()
	crl, err := ca.CRL(nil, 1, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"ca.pem": ca.PEM, "server.pem": srv.CertPEM, "server-key.pem": srv.KeyPEM, "crl.pem": crl} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return env{url: ingesttest.StartMosquitto(t, dir), ca: ca}
}

// gate admits every certificate of the test CA: cmsd-* as cloud, the
// rest as devices.
type gate struct{}

func (gate) Admit(_ context.Context, cn, _ string) (fleet.Role, error) {
	if strings.HasPrefix(cn, "cmsd-") {
		return fleet.RoleCloud, nil
	}
	return fleet.RoleDevice, nil
}

func startEmbedded(t *testing.T) env {
	ca, srv := newCA(t)
	cfg, err := pki.ServerTLS(srv, ca.Pool())
	if err != nil {
		t.Fatal(err)
	}
	// Not the test's log: the broker's connection goroutines may still log
	// a closed connection after the test has ended.
	b, err := broker.New(broker.Config{Addr: "127.0.0.1:0", TLS: cfg}, gate{}, metrics.NewRegistry(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return env{url: "tls://" + b.Addr(), ca: ca}
}

type msg struct{ topic, payload string }

// dial connects cn with cfg, its messages going to the returned channel.
func dial(t *testing.T, e env, cn string, clean bool, will *mqttlite.Will, subs ...string) (*mqttlite.Client, chan msg) {
	t.Helper()
	got := make(chan msg, 1000)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := mqttlite.Dial(ctx, mqttlite.Config{Broker: e.url, TLS: e.tls(t, cn), ClientID: cn, CleanSession: clean,
		Will: will, Subs: subs, OnMessage: func(topic, payload []byte) { got <- msg{string(topic), string(payload)} }})
	if err != nil {
		t.Fatalf("dial %s: %v", cn, err)
	}
	t.Cleanup(func() { c.Close() })
	return c, got
}

func recv(t *testing.T, ch <-chan msg) msg {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(20 * time.Second):
		t.Fatal("no message within 20 s")
		return msg{}
	}
}

// TestRoundTrip: a kiosk publishes on its ops topic, the cloud receives
// every message in order; the cloud answers on the kiosk's ack topic, the
// kiosk receives every answer in order; every publish is acknowledged.
func TestRoundTrip(t *testing.T) {
	for name, start := range brokers(t) {
		t.Run(name, func(t *testing.T) {
			e := start(t)
			cloud, atCloud := dial(t, e, cloudCN, true, nil, "cms/v1/dev/+/ops")
			kiosk, atKiosk := dial(t, e, "kiosk-lite-1", false, nil, "cms/v1/dev/kiosk-lite-1/ack", "cms/v1/dev/kiosk-lite-1/rpc/res")
			const n = 300
			for i := range n {
				if err := kiosk.Publish("cms/v1/dev/kiosk-lite-1/ops", fmt.Appendf(nil, "op %d", i), false); err != nil {
					t.Fatal(err)
				}
			}
			for i := range n {
				m := recv(t, atCloud)
				if want := (msg{"cms/v1/dev/kiosk-lite-1/ops", fmt.Sprintf("op %d", i)}); m != want {
					t.Fatalf("cloud received %+v, want %+v", m, want)
				}
				if err := cloud.Publish("cms/v1/dev/kiosk-lite-1/ack", fmt.Appendf(nil, "ack %d", i), false); err != nil {
					t.Fatal(err)
				}
			}
			for i := range n {
				if m := recv(t, atKiosk); m != (msg{"cms/v1/dev/kiosk-lite-1/ack", fmt.Sprintf("ack %d", i)}) {
					t.Fatalf("kiosk received %+v, want ack %d", m, i)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := kiosk.WaitAcked(ctx); err != nil {
				t.Errorf("kiosk: %v with %d in flight", err, kiosk.InFlight())
			}
			if err := cloud.WaitAcked(ctx); err != nil {
				t.Errorf("cloud: %v with %d in flight", err, cloud.InFlight())
			}
		})
	}
}

// TestSessionKept: with clean session off, the acks published while the
// kiosk was away are delivered when it connects again, each once. In order
// on Mosquitto; in any order on the embedded broker, as mochi sends a kept
// session's queue again sorted by the second each message arrived in, not
// by arrival.
func TestSessionKept(t *testing.T) {
	for name, start := range brokers(t) {
		t.Run(name, func(t *testing.T) {
			e := start(t)
			cloud, _ := dial(t, e, cloudCN, true, nil)
			kiosk, _ := dial(t, e, "kiosk-lite-2", false, nil, "cms/v1/dev/kiosk-lite-2/ack")
			if err := kiosk.Close(); err != nil {
				t.Fatal(err)
			}
			const n = 5
			want := map[string]bool{}
			for i := range n {
				p := fmt.Sprintf("ack %d", i)
				want[p] = true
				if err := cloud.Publish("cms/v1/dev/kiosk-lite-2/ack", []byte(p), false); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := cloud.WaitAcked(ctx); err != nil { // the broker has them
				t.Fatal(err)
			}
			// The session keeps the subscription. The embedded broker
			// (mochi) refuses a SUBSCRIBE whose packet id is that of one of
			// its own deliveries in flight to the session, as if the two
			// directions shared their ids (MQTT 3.1.1, 2.3.1 says they do
			// not), with the MQTT 5 code 0x91: a new client's first id is
			// that of the first kept ack. So there the kiosk comes back
			// without subscribing again.
			subs := []string{"cms/v1/dev/kiosk-lite-2/ack"}
			if name == "embedded" {
				subs = nil
			}
			_, got := dial(t, e, "kiosk-lite-2", false, nil, subs...)
			for i := range n {
				m := recv(t, got)
				if name == "mosquitto" && m.payload != fmt.Sprintf("ack %d", i) {
					t.Fatalf("after reconnecting: %+v, want ack %d", m, i)
				}
				if m.topic != "cms/v1/dev/kiosk-lite-2/ack" || !want[m.payload] {
					t.Fatalf("after reconnecting: %+v, want one of %v, each once", m, want)
				}
				delete(want, m.payload)
			}
			// A marker published now comes next: nothing came twice.
			if err := cloud.Publish("cms/v1/dev/kiosk-lite-2/ack", []byte("marker"), false); err != nil {
				t.Fatal(err)
			}
			if m := recv(t, got); m.payload != "marker" {
				t.Errorf("after the kept acks: %+v, want the marker", m)
			}
		})
	}
}

// TestWill: a kiosk that vanishes without DISCONNECT has its will
// published (retained) by the broker, and its client reconnects by itself.
func TestWill(t *testing.T) {
	for name, start := range brokers(t) {
		t.Run(name, func(t *testing.T) {
			e := start(t)
			_, watch := dial(t, e, cloudCN, true, nil, "cms/v1/dev/+/state")
			reconnected := make(chan struct{}, 1)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			kiosk, err := mqttlite.Dial(ctx, mqttlite.Config{Broker: e.url, TLS: e.tls(t, "kiosk-lite-3"), ClientID: "kiosk-lite-3",
				Will:      &mqttlite.Will{Topic: "cms/v1/dev/kiosk-lite-3/state", Payload: []byte("offline"), Retain: true},
				Subs:      []string{"cms/v1/dev/kiosk-lite-3/ack"},
				OnConnect: func() { reconnected <- struct{}{} }})
			if err != nil {
				t.Fatal(err)
			}
			defer kiosk.Close()
			kiosk.DropConnection()
			if m := recv(t, watch); m != (msg{"cms/v1/dev/kiosk-lite-3/state", "offline"}) {
				t.Errorf("watcher received %+v, want the will", m)
			}
			select {
			case <-reconnected:
			case <-ctx.Done():
				t.Fatal("the kiosk did not reconnect")
			}
			if err := kiosk.Publish("cms/v1/dev/kiosk-lite-3/state", []byte("online"), true); err != nil {
				t.Fatal(err)
			}
			if m := recv(t, watch); m.payload != "online" {
				t.Errorf("after reconnecting: %+v", m)
			}
			// The retained state is what a new subscriber gets first.
			_, late := dial(t, e, "cmsd-test-2", true, nil, "cms/v1/dev/kiosk-lite-3/state")
			if m := recv(t, late); m.payload != "online" {
				t.Errorf("retained: %+v", m)
			}
		})
	}
}

// TestRefusedByBroker: the embedded broker refuses a kiosk's connection
// under another client id (CONNACK) and its subscription to another
// kiosk's acks (SUBACK 0x80); Dial says so. (Mosquitto takes the client id
// from the certificate and grants such a subscription, delivering nothing.)
func TestRefusedByBroker(t *testing.T) {
	e := startEmbedded(t)
	for _, tc := range []struct{ name, cn, id, sub string }{
		{"client id", "kiosk-lite-4", "kiosk-lite-5", "cms/v1/dev/kiosk-lite-5/ack"},
		{"subscription", "kiosk-lite-4", "kiosk-lite-4", "cms/v1/dev/kiosk-lite-5/ack"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		c, err := mqttlite.Dial(ctx, mqttlite.Config{Broker: e.url, TLS: e.tls(t, tc.cn), ClientID: tc.id, Subs: []string{tc.sub}})
		cancel()
		if c != nil {
			c.Close()
		}
		if !errors.Is(err, mqttlite.ErrRefused) {
			t.Errorf("%s: %v, want ErrRefused", tc.name, err)
		}
	}
}
