package mqttlite

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/pki"
)

// The tests of this file play the broker over TLS, packet by packet, to
// check what the client sends and how it takes what a broker may send,
// including what a real broker would not.

// fake is a scripted broker: a TLS listener requiring a client certificate.
type fake struct {
	t      *testing.T
	tcp    *net.TCPListener
	ln     net.Listener
	client *tls.Config
	url    string
}

func newFake(t *testing.T) *fake {
	t.Helper()
	ca, err := pki.NewCA("test CA", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.IssueServer([]string{"127.0.0.1"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	scfg, err := pki.ServerTLS(srv, ca.Pool())
	if err != nil {
		t.Fatal(err)
	}
	ccfg, err := ca.ClientConfig("kiosk-1", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tcp, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tcp.Close() })
	return &fake{t: t, tcp: tcp, ln: tls.NewListener(tcp, scfg), client: ccfg, url: "tls://" + tcp.Addr().String()}
}

// session is one accepted connection.
type session struct {
	t    *testing.T
	conn net.Conn
	br   *bufio.Reader
}

func (f *fake) accept() *session {
	f.t.Helper()
	f.tcp.SetDeadline(time.Now().Add(20 * time.Second))
	c, err := f.ln.Accept()
	if err != nil {
		f.t.Fatalf("accept: %v", err)
	}
	f.t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return &session{t: f.t, conn: c, br: bufio.NewReader(c)}
}

// next reads one packet the client sent.
func (s *session) next() (byte, []byte) {
	s.t.Helper()
	h, body, _, err := readPacket(s.br, nil, 1<<20)
	if err != nil {
		s.t.Fatalf("broker read: %v", err)
	}
	return h, body
}

func (s *session) send(b ...byte) {
	s.t.Helper()
	if _, err := s.conn.Write(b); err != nil {
		s.t.Fatalf("broker write: %v", err)
	}
}

// sent is a packet the client sent, as the broker parses it.
type sent struct {
	kind           byte
	id             uint16
	qos            byte
	dup, retain    bool
	topic, payload string
	filters        []string
	qoses          []byte
	clientID       string
	flags          byte
	keepAlive      uint16
	will           *Will
}

// expect reads the next packet and checks its type.
func (s *session) expect(kind byte) sent {
	s.t.Helper()
	h, body := s.next()
	p := sent{kind: h >> 4}
	if p.kind != kind {
		s.t.Fatalf("client sent %s (% x), want %s", typeNames[p.kind], body, typeNames[kind])
	}
	str := func() string {
		n := int(binary.BigEndian.Uint16(body))
		v := string(body[2 : 2+n])
		body = body[2+n:]
		return v
	}
	switch kind {
	case typeConnect:
		if h != 0x10 || str() != "MQTT" || body[0] != 4 {
			s.t.Fatalf("CONNECT header % x", body)
		}
		p.flags, p.keepAlive = body[1], binary.BigEndian.Uint16(body[2:])
		body = body[4:]
		p.clientID = str()
		if p.flags&0x04 != 0 {
			p.will = &Will{Topic: str(), Retain: p.flags&0x20 != 0}
			p.will.Payload = []byte(str())
		}
	case typeSubscribe:
		if h != 0x82 {
			s.t.Fatalf("SUBSCRIBE first byte %#x", h)
		}
		p.id = binary.BigEndian.Uint16(body)
		body = body[2:]
		for len(body) > 0 {
			p.filters = append(p.filters, str())
			p.qoses = append(p.qoses, body[0])
			body = body[1:]
		}
	case typePublish:
		d, err := decodePublish(packet{kind: typePublish}, h&0x0f, body)
		if err != nil {
			s.t.Fatal(err)
		}
		p.id, p.qos, p.dup, p.retain, p.topic, p.payload = d.id, d.qos, d.dup, d.retain, string(d.topic), string(d.payload)
	case typePuback:
		p.id = binary.BigEndian.Uint16(body)
	}
	return p
}

// handshake answers CONNECT and SUBSCRIBE (which the client sends in one
// go, before CONNACK) and returns the SUBSCRIBE.
func (s *session) handshake(sessionPresent bool) sent {
	s.t.Helper()
	s.expect(typeConnect)
	sub := s.expect(typeSubscribe)
	var sp byte
	if sessionPresent {
		sp = 1
	}
	s.send(0x20, 2, sp, 0)
	s.send(0x90, 3, byte(sub.id>>8), byte(sub.id), 1)
	return sub
}

type msg struct{ topic, payload string }

// dialFake dials the fake in a goroutine (Dial returns only after SUBACK,
// which the test sends) and returns what it returned.
func dialFake(t *testing.T, f *fake, cfg Config) <-chan *Client {
	t.Helper()
	cfg.Broker, cfg.TLS = f.url, f.client
	cfg.ClientID = "kiosk-1"
	if cfg.Subs == nil {
		cfg.Subs = []string{"cms/v1/dev/kiosk-1/ack"}
	}
	out := make(chan *Client, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		c, err := Dial(ctx, cfg)
		if err != nil {
			t.Errorf("dial: %v", err)
		}
		out <- c
	}()
	return out
}

func mustClient(t *testing.T, ch <-chan *Client) *Client {
	t.Helper()
	c := <-ch
	if c == nil {
		t.FailNow()
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestConnectSubscribe: CONNECT carries the client id, clean session off,
// the keepalive and the will (QoS 1, retained); SUBSCRIBE follows in the
// same write, before CONNACK, every filter at QoS 1.
func TestConnectSubscribe(t *testing.T) {
	f := newFake(t)
	will := &Will{Topic: "cms/v1/dev/kiosk-1/state", Payload: []byte(`{"online":false}`), Retain: true}
	ch := dialFake(t, f, Config{Will: will, Subs: []string{"cms/v1/dev/kiosk-1/ack", "cms/v1/dev/kiosk-1/rpc/res"}})
	s := f.accept()
	con := s.expect(typeConnect)
	if con.clientID != "kiosk-1" || con.flags != 0x04|0x08|0x20 || con.keepAlive != 30 {
		t.Errorf("CONNECT client %q flags %#x keepalive %d; want kiosk-1, will QoS 1 retained, no clean session, 30", con.clientID, con.flags, con.keepAlive)
	}
	if con.will == nil || con.will.Topic != will.Topic || !bytes.Equal(con.will.Payload, will.Payload) {
		t.Errorf("will %+v, want %+v", con.will, will)
	}
	sub := s.expect(typeSubscribe)
	if len(sub.filters) != 2 || sub.filters[1] != "cms/v1/dev/kiosk-1/rpc/res" || !bytes.Equal(sub.qoses, []byte{1, 1}) {
		t.Errorf("SUBSCRIBE %v at %v", sub.filters, sub.qoses)
	}
	s.send(0x20, 2, 0, 0)
	s.send(0x90, 4, byte(sub.id>>8), byte(sub.id), 1, 1)
	c := mustClient(t, ch)
	c.Close()
	s.expect(typeDisconnect)
	if _, err := s.br.ReadByte(); err != io.EOF {
		t.Errorf("after DISCONNECT: %v, want the connection closed", err)
	}
	if err := c.Publish("cms/v1/dev/kiosk-1/ops", nil, false); !errors.Is(err, ErrClosed) {
		t.Errorf("Publish after Close: %v, want ErrClosed", err)
	}
}

// TestPublishPuback: each PUBLISH is QoS 1 with its own packet id and
// stays in flight until its PUBACK.
func TestPublishPuback(t *testing.T) {
	f := newFake(t)
	ch := dialFake(t, f, Config{})
	s := f.accept()
	s.handshake(false)
	c := mustClient(t, ch)
	ids := map[uint16]string{}
	for _, p := range []string{"one", "two", "three"} {
		if err := c.Publish("cms/v1/dev/kiosk-1/ops", []byte(p), false); err != nil {
			t.Fatal(err)
		}
		m := s.expect(typePublish)
		if m.qos != 1 || m.dup || m.retain || m.topic != "cms/v1/dev/kiosk-1/ops" || m.payload != p || ids[m.id] != "" {
			t.Errorf("PUBLISH %+v", m)
		}
		ids[m.id] = p
	}
	if n := c.InFlight(); n != 3 {
		t.Errorf("in flight %d, want 3", n)
	}
	for id := range ids {
		s.send(0x40, 2, byte(id>>8), byte(id))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.WaitAcked(ctx); err != nil || c.InFlight() != 0 {
		t.Errorf("WaitAcked: %v, %d in flight", err, c.InFlight())
	}
}

// TestReceive: a QoS 1 message is handed to OnMessage and acknowledged;
// what OnMessage publishes goes out first, in the same TLS record as the
// PUBACK; a QoS 0 message gets no PUBACK.
func TestReceive(t *testing.T) {
	f := newFake(t)
	got := make(chan msg, 4)
	var c *Client
	ch := dialFake(t, f, Config{OnMessage: func(topic, payload []byte) {
		got <- msg{string(topic), string(payload)}
		if string(payload) == "ack-1" {
			if err := c.Publish("cms/v1/dev/kiosk-1/ops", []byte("next"), false); err != nil {
				t.Errorf("publish from OnMessage: %v", err)
			}
		}
	}})
	s := f.accept()
	s.handshake(false)
	c = mustClient(t, ch)
	s.send(appendPublish(nil, 0x0102, 1, false, false, "cms/v1/dev/kiosk-1/ack", []byte("ack-1"))...)
	if m := <-got; m != (msg{"cms/v1/dev/kiosk-1/ack", "ack-1"}) {
		t.Errorf("received %+v", m)
	}
	if m := s.expect(typePublish); m.payload != "next" {
		t.Errorf("published %+v", m)
	}
	if s.br.Buffered() != 4 {
		t.Errorf("%d bytes left of the record after the PUBLISH, want the 4 of the PUBACK", s.br.Buffered())
	}
	if a := s.expect(typePuback); a.id != 0x0102 {
		t.Errorf("PUBACK for %#x, want 0x102", a.id)
	}
	s.send(appendPublish(nil, 0, 0, false, false, "cms/v1/dev/kiosk-1/ack", []byte("qos0"))...)
	if m := <-got; m.payload != "qos0" {
		t.Errorf("received %+v", m)
	}
	// No PUBACK for QoS 0: a publish now is the very next packet.
	if err := c.Publish("cms/v1/dev/kiosk-1/ops", []byte("after"), false); err != nil {
		t.Fatal(err)
	}
	if m := s.expect(typePublish); m.payload != "after" {
		t.Errorf("after a QoS 0 message the client sent %+v", m)
	}
}

// reconnectSetup connects, publishes one message the broker never
// acknowledges, and drops the connection; OnLost must see the publish
// fail while disconnected. It returns the client, the message and the
// second session.
func reconnectSetup(t *testing.T, connected chan struct{}) (*Client, sent, *session) {
	f := newFake(t)
	lost := make(chan error, 1)
	var c *Client
	ch := dialFake(t, f, Config{
		OnLost: func(err error) {
			if perr := c.Publish("cms/v1/dev/kiosk-1/ops", []byte("offline"), false); !errors.Is(perr, ErrNotConnected) {
				t.Errorf("Publish while disconnected: %v, want ErrNotConnected", perr)
			}
			lost <- err
		},
		OnConnect: func() { connected <- struct{}{} },
	})
	s := f.accept()
	s.handshake(false)
	c = mustClient(t, ch)
	if err := c.Publish("cms/v1/dev/kiosk-1/ops", []byte("in flight"), false); err != nil {
		t.Fatal(err)
	}
	first := s.expect(typePublish)
	s.conn.Close()
	if err := <-lost; err == nil {
		t.Error("OnLost(nil)")
	}
	return c, first, f.accept()
}

// TestResendWhenSessionKept: after a reconnection the broker says it kept
// the session; the message in flight is sent again, same packet id, DUP.
func TestResendWhenSessionKept(t *testing.T) {
	connected := make(chan struct{}, 1)
	c, first, s := reconnectSetup(t, connected)
	s.expect(typeConnect)
	sub := s.expect(typeSubscribe)
	s.send(0x20, 2, 1, 0) // session present
	again := s.expect(typePublish)
	if !again.dup || again.id != first.id || again.payload != first.payload || again.qos != 1 {
		t.Errorf("resent %+v, want %+v with DUP", again, first)
	}
	s.send(0x90, 3, byte(sub.id>>8), byte(sub.id), 1)
	<-connected
	s.send(0x40, 2, byte(first.id>>8), byte(first.id))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.WaitAcked(ctx); err != nil {
		t.Errorf("WaitAcked: %v", err)
	}
}

// TestDropWhenSessionLost: the broker lost the session; what was in flight
// is dropped (the application sends again), the next PUBLISH is new.
func TestDropWhenSessionLost(t *testing.T) {
	connected := make(chan struct{}, 1)
	c, _, s := reconnectSetup(t, connected)
	s.handshake(false)
	<-connected
	if n := c.InFlight(); n != 0 {
		t.Errorf("%d in flight after the session was lost, want 0", n)
	}
	if err := c.Publish("cms/v1/dev/kiosk-1/ops", []byte("new"), false); err != nil {
		t.Fatal(err)
	}
	if m := s.expect(typePublish); m.dup || m.payload != "new" {
		t.Errorf("first PUBLISH after reconnection %+v, want the new one", m)
	}
}

// TestRefused: a CONNACK refusal or a refused subscription fails Dial
// with ErrRefused.
func TestRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(s *session)
	}{
		{"not authorized", func(s *session) { s.expect(typeConnect); s.send(0x20, 2, 0, 5) }},
		{"subscription", func(s *session) {
			s.expect(typeConnect)
			sub := s.expect(typeSubscribe)
			s.send(0x20, 2, 0, 0)
			s.send(0x90, 3, byte(sub.id>>8), byte(sub.id), 0x80)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			errc := make(chan error, 1)
			go func() {
				c, err := Dial(context.Background(), Config{Broker: f.url, TLS: f.client, ClientID: "kiosk-1", Subs: []string{"x"}})
				if c != nil {
					c.Close()
				}
				errc <- err
			}()
			tc.answer(f.accept())
			if err := <-errc; !errors.Is(err, ErrRefused) {
				t.Errorf("Dial: %v, want ErrRefused", err)
			}
		})
	}
}

// TestBadPacketFromBroker: a malformed, oversize or unexpected packet
// drops the connection with an error saying so; the client reconnects.
func TestBadPacketFromBroker(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"qos 3", []byte{0x36, 5, 0, 1, 'a', 0, 1}, ErrMalformed},
		{"topic beyond packet", []byte{0x32, 4, 0, 200, 'a', 'b'}, ErrMalformed},
		{"oversize", []byte{0x30, 0xff, 0xff, 0x7f}, ErrOversize},
		{"bad length", []byte{0x30, 0xff, 0xff, 0xff, 0xff, 0x7f}, ErrMalformed},
		{"second connack", []byte{0x20, 2, 0, 0}, ErrProtocol},
		{"pubrec", []byte{0x50, 2, 0, 1}, ErrProtocol},
		{"truncated", []byte{0x30, 100, 0, 1}, io.ErrUnexpectedEOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			lost := make(chan error, 1)
			connected := make(chan struct{}, 1)
			ch := dialFake(t, f, Config{MaxPacket: 1000, OnLost: func(err error) { lost <- err },
				OnConnect: func() { connected <- struct{}{} }})
			s := f.accept()
			s.handshake(false)
			mustClient(t, ch)
			s.send(tc.in...)
			if tc.want == io.ErrUnexpectedEOF {
				s.conn.Close()
			}
			if err := <-lost; !errors.Is(err, tc.want) {
				t.Errorf("OnLost(%v), want %v", err, tc.want)
			}
			f.accept().handshake(false)
			<-connected
		})
	}
}

// TestKeepAlive: an idle client sends PINGREQ; when one goes unanswered
// it drops the connection and reconnects.
func TestKeepAlive(t *testing.T) {
	f := newFake(t)
	lost := make(chan error, 1)
	ch := dialFake(t, f, Config{KeepAlive: time.Second, OnLost: func(err error) { lost <- err }})
	s := f.accept()
	if con := s.expect(typeConnect); con.keepAlive != 1 {
		t.Errorf("keepalive %d s, want 1", con.keepAlive)
	}
	sub := s.expect(typeSubscribe)
	s.send(0x20, 2, 0, 0)
	s.send(0x90, 3, byte(sub.id>>8), byte(sub.id), 1)
	mustClient(t, ch)
	s.expect(typePingreq)
	s.send(0xd0, 0)
	s.expect(typePingreq) // not answered
	if _, err := s.br.ReadByte(); err != io.EOF {
		t.Errorf("after an unanswered PINGREQ: %v, want the connection closed", err)
	}
	<-lost
	f.accept().expect(typeConnect)
}

// TestPublishChecks: topic names MQTT forbids and packets over the limit
// are refused before anything is sent.
func TestPublishChecks(t *testing.T) {
	f := newFake(t)
	ch := dialFake(t, f, Config{MaxPacket: 200})
	f.accept().handshake(false)
	c := mustClient(t, ch)
	for _, topic := range []string{"", "a/+", "a/#", "a\x00", "\xff"} {
		if err := c.Publish(topic, nil, false); !errors.Is(err, ErrTopic) {
			t.Errorf("Publish(%q): %v, want ErrTopic", topic, err)
		}
	}
	if err := c.Publish("t", make([]byte, 200), false); !errors.Is(err, ErrOversize) {
		t.Errorf("Publish of 200 bytes, limit 200: %v, want ErrOversize", err)
	}
	if n := c.InFlight(); n != 0 {
		t.Errorf("%d in flight after refused publishes", n)
	}
}

// TestSubscribeIDReserved: the SUBSCRIBE's packet id stays taken until
// its SUBACK. At a reconnection the broker delivers a kept message before
// the SUBACK, and OnMessage publishes when the ids have wrapped round to
// the SUBSCRIBE's: the PUBLISH gets another id.
func TestSubscribeIDReserved(t *testing.T) {
	f := newFake(t)
	var c *Client
	subIDs := make(chan uint16, 1)
	connected := make(chan struct{}, 1)
	ch := dialFake(t, f, Config{
		OnMessage: func(topic, payload []byte) {
			id := <-subIDs
			c.smu.Lock()
			c.nextID = id - 1 // ids wrapped: the next one is the SUBSCRIBE's
			c.smu.Unlock()
			if err := c.Publish("cms/v1/dev/kiosk-1/ops", []byte("during handshake"), false); err != nil {
				t.Errorf("publish from OnMessage: %v", err)
			}
		},
		OnConnect: func() { connected <- struct{}{} },
	})
	s := f.accept()
	s.handshake(false)
	c = mustClient(t, ch)
	s.conn.Close()

	s = f.accept()
	s.expect(typeConnect)
	sub := s.expect(typeSubscribe)
	subIDs <- sub.id
	s.send(0x20, 2, 1, 0) // session present
	s.send(appendPublish(nil, 7, 1, false, false, "cms/v1/dev/kiosk-1/ack", []byte("kept"))...)
	if m := s.expect(typePublish); m.payload != "during handshake" || m.id == sub.id {
		t.Errorf("PUBLISH %q with id %#x during the handshake, SUBSCRIBE id %#x: want another id", m.payload, m.id, sub.id)
	}
	s.expect(typePuback)
	s.send(0x90, 3, byte(sub.id>>8), byte(sub.id), 1)
	<-connected
}

// TestQueuedNeverWritten: a Publish from another goroutine while the
// reader is in OnMessage is queued behind the PUBACK; the connection drops
// before that write. Whether or not the broker kept the session, the
// message is sent (first time, no DUP) at the next connection, and stays
// in flight until its PUBACK.
func TestQueuedNeverWritten(t *testing.T) {
	for _, present := range []bool{false, true} {
		t.Run(fmt.Sprintf("session present %v", present), func(t *testing.T) {
			f := newFake(t)
			inside, release := make(chan struct{}), make(chan struct{})
			connected := make(chan struct{}, 1)
			ch := dialFake(t, f, Config{
				OnMessage: func(topic, payload []byte) { inside <- struct{}{}; <-release },
				OnConnect: func() { connected <- struct{}{} },
			})
			s := f.accept()
			s.handshake(false)
			c := mustClient(t, ch)
			s.send(appendPublish(nil, 7, 1, false, false, "cms/v1/dev/kiosk-1/ack", []byte("ack-1"))...)
			<-inside
			if err := c.Publish("cms/v1/dev/kiosk-1/ops", []byte("queued"), false); err != nil {
				t.Fatal(err)
			}
			c.DropConnection()
			close(release) // the write of the PUBACK and the queued PUBLISH fails

			s = f.accept()
			s.handshake(present)
			<-connected
			if n := c.InFlight(); n != 1 {
				t.Fatalf("%d in flight after the reconnection, want the queued message", n)
			}
			m := s.expect(typePublish)
			if m.payload != "queued" || m.dup {
				t.Errorf("first PUBLISH after reconnection %+v, want the queued one without DUP", m)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			waited := make(chan error, 1)
			go func() { waited <- c.WaitAcked(ctx) }()
			s.send(0x40, 2, byte(m.id>>8), byte(m.id))
			if err := <-waited; err != nil || c.InFlight() != 0 {
				t.Errorf("WaitAcked: %v, %d in flight", err, c.InFlight())
			}
		})
	}
}
