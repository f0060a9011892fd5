package broker

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/pki"
	paho "github.com/eclipse/paho.mqtt.golang"
	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// testGate admits every certificate of the test CA, cmsd-* as cloud and
// the rest as devices, except the devices it was told are disabled.
type testGate struct {
	mu       sync.Mutex
	disabled map[string]bool
}

func (g *testGate) Admit(_ context.Context, cn, _ string) (fleet.Role, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.disabled[cn] {
		return "", fmt.Errorf("device %s disabled", cn)
	}
	if strings.HasPrefix(cn, "cmsd-") {
		return fleet.RoleCloud, nil
	}
	return fleet.RoleDevice, nil
}

func (g *testGate) setDisabled(cn string, off bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.disabled == nil {
		g.disabled = make(map[string]bool)
	}
	g.disabled[cn] = off
}

// watch is a second hook that tells the test when the broker is done with
// a disconnection, a publish or a delivery, so the test never guesses with
// timers.
type watch struct {
	mqtt.HookBase
	gone      chan string // client id, after OnDisconnect
	published chan string // topic, once delivered or queued to every subscriber
	acked     chan string // client id, when its PUBACK of a delivery arrives
}

func (w *watch) ID() string { return "test-watch" }

func (w *watch) Provides(b byte) bool {
	return b == mqtt.OnDisconnect || b == mqtt.OnPublished || b == mqtt.OnQosComplete
}

func (w *watch) OnDisconnect(cl *mqtt.Client, _ error, _ bool) { w.gone <- cl.ID }

func (w *watch) OnPublished(_ *mqtt.Client, pk packets.Packet) { w.published <- pk.TopicName }

func (w *watch) OnQosComplete(cl *mqtt.Client, pk packets.Packet) {
	if pk.FixedHeader.Type == packets.Puback {
		w.acked <- cl.ID
	}
}

type testBroker struct {
	b    *Broker
	reg  *metrics.Registry
	ca   *pki.CA
	gate *testGate
	w    *watch
	stop func() error // stops the broker (once) and returns what Run returned
}

func startBroker(t *testing.T) *testBroker { t.Helper(); return startBrokerWith(t, Config{}) }

// startBrokerWith starts a broker with the session bounds of c.
func startBrokerWith(t *testing.T, c Config) *testBroker {
	t.Helper()
	// Not the test's log: connection goroutines may log after the test.
	return startBrokerLog(t, c, slog.DiscardHandler)
}

// startBrokerLog starts a broker configured by c, logging to log.
func startBrokerLog(t *testing.T, c Config, log slog.Handler) *testBroker {
	t.Helper()
	ca, err := pki.NewCA("test fleet CA", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.IssueServer([]string{"localhost", "127.0.0.1"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pki.ServerTLS(srv, ca.Pool())
	if err != nil {
		t.Fatal(err)
	}
	tb := &testBroker{ca: ca, reg: metrics.NewRegistry(), gate: &testGate{}, w: &watch{gone: make(chan string, 100), published: make(chan string, 100), acked: make(chan string, 100)}}
	c.Addr, c.TLS = "127.0.0.1:0", cfg
	if tb.b, err = New(c, tb.gate, tb.reg, slog.New(log)); err != nil {
		t.Fatal(err)
	}
	if err := tb.b.srv.AddHook(tb.w, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tb.b.Run(ctx) }()
	tb.stop = sync.OnceValue(func() error { cancel(); return <-done })
	t.Cleanup(func() { tb.stop() })
	return tb
}

func (tb *testBroker) tls(t *testing.T, cn string) *tls.Config {
	t.Helper()
	cfg, err := tb.ca.ClientConfig(cn, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// client is a paho client and what it receives.
type client struct {
	c       paho.Client
	msgs    chan paho.Message
	lost    chan error
	present bool // the broker had a session for this client id
}

// connect connects with the certificate of cn under client id, clean
// session off unless clean. Every message goes to msgs, whatever the
// subscription it comes from (a kept one included).
func (tb *testBroker) connect(t *testing.T, cn, id string, clean bool) (*client, error) {
	t.Helper()
	cl := &client{msgs: make(chan paho.Message, 100), lost: make(chan error, 1)}
	o := paho.NewClientOptions().AddBroker("tls://" + tb.b.Addr()).SetClientID(id).SetTLSConfig(tb.tls(t, cn)).
		SetCleanSession(clean).SetAutoReconnect(false).SetConnectRetry(false).SetOrderMatters(true).
		SetConnectTimeout(10 * time.Second).
		SetDefaultPublishHandler(func(_ paho.Client, m paho.Message) { cl.msgs <- m }).
		SetConnectionLostHandler(func(_ paho.Client, err error) { cl.lost <- err })
	cl.c = paho.NewClient(o)
	tok := cl.c.Connect()
	if !tok.WaitTimeout(20 * time.Second) {
		t.Fatalf("%s: no CONNACK within 20 s", id)
	}
	if err := tok.Error(); err != nil {
		return nil, err
	}
	cl.present = tok.(*paho.ConnectToken).SessionPresent()
	t.Cleanup(func() { cl.c.Disconnect(0) })
	return cl, nil
}

func (tb *testBroker) mustConnect(t *testing.T, cn, id string, clean bool) *client {
	t.Helper()
	cl, err := tb.connect(t, cn, id, clean)
	if err != nil {
		t.Fatalf("%s (certificate %s): %v", id, cn, err)
	}
	return cl
}

// subscribe subscribes at QoS 1 and returns the granted QoS (0x80: refused).
func (cl *client) subscribe(t *testing.T, filter string) byte {
	t.Helper()
	tok := cl.c.Subscribe(filter, 1, nil)
	if !tok.WaitTimeout(20 * time.Second) {
		t.Fatalf("subscribe %s: no SUBACK within 20 s", filter)
	}
	if err := tok.Error(); err != nil {
		t.Fatalf("subscribe %s: %v", filter, err)
	}
	return tok.(*paho.SubscribeToken).Result()[filter]
}

// publish publishes at QoS 1 and waits for the broker's PUBACK.
func (cl *client) publish(t *testing.T, topic, payload string) {
	t.Helper()
	tok := cl.c.Publish(topic, 1, false, payload)
	if !tok.WaitTimeout(20 * time.Second) {
		t.Fatalf("publish %s: no PUBACK within 20 s", topic)
	}
	if err := tok.Error(); err != nil {
		t.Fatalf("publish %s: %v", topic, err)
	}
}

// recv returns the next message cl receives.
func (cl *client) recv(t *testing.T) paho.Message {
	t.Helper()
	select {
	case m := <-cl.msgs:
		return m
	case <-time.After(20 * time.Second):
		t.Fatal("no message within 20 s")
		return nil
	}
}

// leave disconnects cl and waits until the broker has seen it go.
func (tb *testBroker) leave(t *testing.T, cl *client, id string) {
	t.Helper()
	cl.c.Disconnect(250)
	tb.waitGone(t, id)
}

func (tb *testBroker) waitGone(t *testing.T, id string) {
	t.Helper()
	wait(t, tb.w.gone, id, "the broker did not see "+id+" disconnect")
}

// wait reads events until want comes.
func wait(t *testing.T, events <-chan string, want, what string) {
	t.Helper()
	for {
		select {
		case got := <-events:
			if got == want {
				return
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s within 20 s", what)
		}
	}
}

// publishQueued publishes from cl and waits until the broker has handed
// the message to every subscriber's session (the PUBACK comes before).
func (tb *testBroker) publishQueued(t *testing.T, cl *client, topic, payload string) {
	t.Helper()
	cl.publish(t, topic, payload)
	wait(t, tb.w.published, topic, "the broker did not route "+topic)
}

// expect checks that the messages client id receives next on topic are
// payloads, each exactly once, and waits until the broker has its PUBACKs
// (what is not acknowledged is rightly sent again at the next connection).
// A marker published live afterwards proves nothing came twice. The
// payloads may come in any order: mochi sends a kept session's queue
// again sorted by the second each message arrived in, not by arrival.
func (tb *testBroker) expect(t *testing.T, cl *client, id string, from *client, topic string, payloads ...string) {
	t.Helper()
	want := make(map[string]bool)
	for _, p := range payloads {
		want[p] = true
	}
	for range payloads {
		m := cl.recv(t)
		if m.Topic() != topic || !want[string(m.Payload())] {
			t.Fatalf("received %q on %s, want one of %v on %s", m.Payload(), m.Topic(), slices.Sorted(maps.Keys(want)), topic)
		}
		delete(want, string(m.Payload()))
	}
	marker := fmt.Sprintf("marker after %s", strings.Join(payloads, ","))
	tb.publishQueued(t, from, topic, marker)
	if m := cl.recv(t); m.Topic() != topic || string(m.Payload()) != marker {
		t.Fatalf("received %q on %s, want %q on %s", m.Payload(), m.Topic(), marker, topic)
	}
	for range len(payloads) + 1 {
		wait(t, tb.w.acked, id, "the broker did not get "+id+"'s PUBACK")
	}
}

// TestSessionKeptWhileAway: what cmsd publishes for a kiosk that is away
// with its session kept is queued and delivered once when it connects
// again, under its own certificate only; a disabled kiosk is dropped and
// refused, and loses its session: enabled again, it starts a clean one
// and gets nothing published for it meanwhile.
func TestSessionKeptWhileAway(t *testing.T) {
	tb := startBroker(t)
	const dev, other = "kiosk-s1", "kiosk-s2"
	ack := "cms/v1/dev/" + dev + "/ack"
	cloud := tb.mustConnect(t, "cmsd-test-1", "cmsd-test-1", true)

	k := tb.mustConnect(t, dev, dev, false)
	if q := k.subscribe(t, ack); q != 1 {
		t.Fatalf("subscription to its own acks granted QoS %#x", q)
	}
	tb.leave(t, k, dev)
	tb.publishQueued(t, cloud, ack, "ack 1")
	tb.publishQueued(t, cloud, ack, "ack 2")

	// Another kiosk's certificate under this client id is refused, and
	// that kiosk cannot subscribe to these acks under its own id.
	if _, err := tb.connect(t, other, dev, false); err == nil {
		t.Fatalf("%s's certificate connected as %s", other, dev)
	}
	o := tb.mustConnect(t, other, other, false)
	if q := o.subscribe(t, ack); q != 0x80 {
		t.Errorf("%s subscribed to %s with QoS %#x, want refused (0x80)", other, ack, q)
	}

	k = tb.mustConnect(t, dev, dev, false)
	tb.expect(t, k, dev, cloud, ack, "ack 1", "ack 2")
	select {
	case m := <-o.msgs:
		t.Errorf("%s received %q on %s", other, m.Payload(), m.Topic())
	default:
	}

	// Disabling drops the live connection at once and refuses the next.
	tb.gate.setDisabled(dev, true)
	tb.b.Kick(dev)
	select {
	case <-k.lost:
	case <-time.After(20 * time.Second):
		t.Fatal("the disabled kiosk kept its connection")
	}
	tb.waitGone(t, dev)
	if _, err := tb.connect(t, dev, dev, false); err == nil {
		t.Fatal("the disabled kiosk connected again")
	}
	tb.publishQueued(t, cloud, ack, "ack 3")
	tb.gate.setDisabled(dev, false)
	k = tb.mustConnect(t, dev, dev, false)
	tb.expectFresh(t, k, dev, cloud, ack)
}

// expectFresh checks that client id, just connected, found no session:
// once subscribed again to topic, the first message it gets is one
// published after (what a kept session held is sent at connection).
func (tb *testBroker) expectFresh(t *testing.T, cl *client, id string, from *client, topic string) {
	t.Helper()
	if cl.present {
		t.Errorf("%s found its session again", id)
	}
	if q := cl.subscribe(t, topic); q != 1 {
		t.Fatalf("%s: subscription to %s granted QoS %#x", id, topic, q)
	}
	tb.expect(t, cl, id, from, topic)
}

// TestKickDropsAwaySession: disabling a kiosk that is away drops its kept
// session, the messages queued in it, its subscriptions and its role.
func TestKickDropsAwaySession(t *testing.T) {
	tb := startBroker(t)
	const dev = "kiosk-k1"
	res := "cms/v1/dev/" + dev + "/rpc/res"
	cloud := tb.mustConnect(t, "cmsd-test-1", "cmsd-test-1", true)
	k := tb.mustConnect(t, dev, dev, false)
	k.subscribe(t, res)
	tb.leave(t, k, dev)
	tb.publishQueued(t, cloud, res, "pin half")

	tb.gate.setDisabled(dev, true)
	tb.b.Kick(dev)
	tb.checkGone(t, dev, res)
	tb.publishQueued(t, cloud, res, "puk half")
	tb.gate.setDisabled(dev, false)
	tb.expectFresh(t, tb.mustConnect(t, dev, dev, false), dev, cloud, res)
}

// checkGone checks that the broker keeps nothing of client id's session:
// no client, no role, no subscription to topic.
func (tb *testBroker) checkGone(t *testing.T, id, topic string) {
	t.Helper()
	if _, ok := tb.b.srv.Clients.Get(id); ok {
		t.Errorf("%s: session still listed", id)
	}
	tb.b.hook.roles.Range(func(k, _ any) bool {
		if k.(*mqtt.Client).ID == id {
			t.Errorf("%s: role still kept", id)
		}
		return true
	})
	tb.b.hook.mu.Lock()
	if n := len(tb.b.hook.admitted[id]); n != 0 {
		t.Errorf("%s: %d admitted clients still listed", id, n)
	}
	tb.b.hook.mu.Unlock()
	if _, ok := tb.b.srv.Topics.Subscribers(topic).Subscriptions[id]; ok {
		t.Errorf("%s: still subscribed to %s", id, topic)
	}
}

// TestAwaySessionExpires: a session away for longer than the expiry is
// dropped with what it held; one away for less is kept.
func TestAwaySessionExpires(t *testing.T) {
	tb := startBrokerWith(t, Config{SessionExpiry: time.Hour})
	const dev = "kiosk-e1"
	ack := "cms/v1/dev/" + dev + "/ack"
	cloud := tb.mustConnect(t, "cmsd-test-1", "cmsd-test-1", true)
	k := tb.mustConnect(t, dev, dev, false)
	k.subscribe(t, ack)
	tb.leave(t, k, dev)
	tb.publishQueued(t, cloud, ack, "ack 1")

	tb.b.expire(time.Now().Add(59 * time.Minute))
	if _, ok := tb.b.srv.Clients.Get(dev); !ok {
		t.Fatal("session dropped before its expiry")
	}
	if _, ok := tb.b.srv.Clients.Get("cmsd-test-1"); !ok {
		t.Fatal("a connected client was expired")
	}
	tb.b.expire(time.Now().Add(61 * time.Minute))
	tb.checkGone(t, dev, ack)
	if _, ok := tb.b.srv.Clients.Get("cmsd-test-1"); !ok {
		t.Fatal("a connected client was expired")
	}
	tb.publishQueued(t, cloud, ack, "ack 2")
	tb.expectFresh(t, tb.mustConnect(t, dev, dev, false), dev, cloud, ack)
}

// TestAwayQueueBounded: a device's session holds at most MaxQueued
// messages while the device is away; the later ones are dropped.
func TestAwayQueueBounded(t *testing.T) {
	tb := startBrokerWith(t, Config{MaxQueued: 2})
	const dev = "kiosk-q1"
	ack := "cms/v1/dev/" + dev + "/ack"
	cloud := tb.mustConnect(t, "cmsd-test-1", "cmsd-test-1", true)
	k := tb.mustConnect(t, dev, dev, false)
	k.subscribe(t, ack)
	tb.leave(t, k, dev)
	for _, p := range []string{"ack 1", "ack 2", "ack 3"} {
		tb.publishQueued(t, cloud, ack, p)
	}
	if n := tb.b.hook.queueFull.Value(); n != 1 {
		t.Errorf("%v messages counted as dropped, want 1", n)
	}
	k = tb.mustConnect(t, dev, dev, false)
	tb.expect(t, k, dev, cloud, ack, "ack 1", "ack 2")
}

// TestRolesForgotten: the broker keeps a client's role exactly as long as
// its session: not after a clean session ends, and only the newest
// client's once a kept session is taken over.
func TestRolesForgotten(t *testing.T) {
	tb := startBroker(t)
	roles := func() (n int) {
		tb.b.hook.roles.Range(func(_, _ any) bool { n++; return true })
		return n
	}
	tb.leave(t, tb.mustConnect(t, "kiosk-r1", "kiosk-r1", true), "kiosk-r1")
	if n := roles(); n != 0 {
		t.Errorf("after a clean session: %d roles kept, want 0", n)
	}
	for range 3 {
		tb.leave(t, tb.mustConnect(t, "kiosk-r2", "kiosk-r2", false), "kiosk-r2")
	}
	if n := roles(); n != 1 {
		t.Errorf("after three connections to one kept session: %d roles kept, want 1", n)
	}
	// A clean connection ends the kept session.
	tb.leave(t, tb.mustConnect(t, "kiosk-r2", "kiosk-r2", true), "kiosk-r2")
	if n, ids := roles(), len(tb.b.hook.admitted); n != 0 || ids != 0 {
		t.Errorf("after the kept session ended: %d roles and %d client ids kept, want none", n, ids)
	}
}
