package mqttlite

import (
	"bufio"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Defaults of Config, those of the paho-based ingest.Client.
const (
	DefaultKeepAlive      = 30 * time.Second
	DefaultConnectTimeout = 10 * time.Second
)

// Reconnection backoff, as paho's: at once, then 1 s doubling up to 5 s.
const (
	firstBackoff = time.Second
	maxBackoff   = 5 * time.Second
)

// readBufSize is the reader's buffer: an ack is a few hundred bytes.
const readBufSize = 4 << 10

// Config configures a Client.
type Config struct {
	Broker         string      // tls://host:port (or host:port)
	TLS            *tls.Config // client certificate and the broker's CA; ServerName defaults to the host
	ClientID       string      // a kiosk: its device id
	CleanSession   bool
	KeepAlive      time.Duration // whole seconds; default DefaultKeepAlive
	ConnectTimeout time.Duration // dial, TLS handshake, CONNACK and SUBACK; default DefaultConnectTimeout
	MaxPacket      int           // bound of every packet, header included; default DefaultMaxPacket
	Will           *Will
	Subs           []string // topic filters, subscribed at QoS 1 at every connection

	// OnMessage is called for each message received, in the client's
	// reader goroutine, one at a time. topic and payload are valid only
	// during the call. It must not block and must not call Close; it may
	// call Publish: what it publishes leaves in the same TLS record as the
	// message's PUBACK.
	OnMessage func(topic, payload []byte)
	// OnLost, if set, is told when an established connection drops,
	// before the client reconnects. Same goroutine and rules as OnMessage.
	OnLost func(error)
	// OnConnect, if set, is called after every reconnection and its
	// subscription (not after Dial). Same goroutine and rules as OnMessage.
	OnConnect func()
}

// Will is the last will, published by the broker at QoS 1 when the client
// vanishes without DISCONNECT.
type Will struct {
	Topic   string
	Payload []byte
	Retain  bool
}

// Client is one MQTT connection, reconnected when it drops. Its methods
// are safe for concurrent use.
type Client struct {
	cfg    Config
	addr   string
	dialer *tls.Dialer
	ctx    context.Context // ends at Close: stops a reconnection
	cancel context.CancelFunc
	done   chan struct{} // closed when the reader goroutine has ended

	// wmu orders writes to the connection. It is never held while taking
	// smu, so that the reader can take a PUBACK while a write blocks.
	wmu    sync.Mutex
	conn   net.Conn // nil while disconnected
	wbuf   []byte   // packets not yet written
	corked bool     // the reader is in OnMessage: it writes wbuf afterwards
	closed bool
	// queued are the ids of the PUBLISHes in wbuf that Publish returned
	// without writing (corked); unwritten those of them whose write failed
	// or never came, for the next session to send whatever the broker
	// kept. Under wmu, not smu: the writer cannot take smu.
	queued, unwritten []uint16

	smu      sync.Mutex
	inflight map[uint16]outgoing // sent at QoS 1, not yet acknowledged
	nextID   uint16
	subID    uint16        // the SUBSCRIBE's packet id until its SUBACK, or 0
	sent     uint64        // publishes so far: the order of the in-flight ones
	drained  chan struct{} // closed when inflight empties, if WaitAcked waits

	rbuf         []byte      // the reader's packet buffer
	wrote, heard atomic.Bool // a packet written / read since the last keepalive tick
}

// outgoing is a message in flight. payload is the caller's: Publish does
// not copy it, so the caller must not change it afterwards.
type outgoing struct {
	topic   string
	payload []byte
	retain  bool
	order   uint64
	unsent  bool // queued, then the connection dropped before its write
}

// Dial connects, subscribes to cfg.Subs and returns once the broker has
// acknowledged the subscription. Messages may be delivered to OnMessage
// before Dial returns (those the broker kept for the session).
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	host, ok := strings.CutPrefix(cfg.Broker, "tls://")
	if !ok && strings.Contains(cfg.Broker, "://") {
		return nil, fmt.Errorf("mqttlite: broker %q: want tls://host:port", cfg.Broker)
	}
	switch {
	case cfg.TLS == nil:
		return nil, errors.New("mqttlite: no TLS configuration")
	case cfg.ClientID == "" || len(cfg.ClientID) > 0xffff || !utf8.ValidString(cfg.ClientID):
		return nil, fmt.Errorf("mqttlite: client id %q", cfg.ClientID)
	case cfg.KeepAlive < 0 || cfg.KeepAlive > 0xffff*time.Second:
		return nil, fmt.Errorf("mqttlite: keepalive %s", cfg.KeepAlive)
	}
	if cfg.Will != nil {
		if err := checkTopicName(cfg.Will.Topic); err != nil || !utf8.ValidString(cfg.Will.Topic) {
			return nil, fmt.Errorf("%w: will topic %q", ErrTopic, cfg.Will.Topic)
		}
	}
	cfg.KeepAlive = cmp.Or(cfg.KeepAlive, DefaultKeepAlive).Truncate(time.Second)
	cfg.KeepAlive = max(cfg.KeepAlive, time.Second)
	cfg.ConnectTimeout = cmp.Or(cfg.ConnectTimeout, DefaultConnectTimeout)
	cfg.MaxPacket = cmp.Or(cfg.MaxPacket, DefaultMaxPacket)
	cfg.Subs = slices.Clone(cfg.Subs)
	c := &Client{cfg: cfg, addr: host, dialer: &tls.Dialer{Config: cfg.TLS}, done: make(chan struct{}),
		inflight: map[uint16]outgoing{}}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	conn, br, ka, err := c.connect(ctx)
	if err != nil {
		c.cancel()
		return nil, err
	}
	go c.read(conn, br, ka)
	return c, nil
}

// Publish sends payload on topic at QoS 1. It returns nil once the
// PUBLISH is written to the connection or, while the reader is in
// OnMessage (a call from OnMessage, or from another goroutine meanwhile),
// queued to go out with that message's PUBACK when OnMessage returns.
// Either way the message is then in flight until the broker's PUBACK, and
// payload must not change until then. If the connection drops first, a
// message written is sent again if the broker kept the session and
// dropped if it did not (the application sends it again, see
// WaitAcked); a message queued whose write never happened or failed is
// sent on the next connection whatever the session.
//
// An error means the message was refused ([ErrTopic], [ErrOversize], too
// many in flight) or not sent ([ErrNotConnected], [ErrClosed]), and is
// not in flight; or that its write failed: the connection is then
// dropped, and the message, which may have left in part, stays in flight
// as a written one.
func (c *Client) Publish(topic string, payload []byte, retain bool) error {
	if err := checkTopicName(topic); err != nil || !utf8.ValidString(topic) {
		return fmt.Errorf("%w: %q", ErrTopic, topic)
	}
	if n := publishSize(topic, payload, 1); n > c.cfg.MaxPacket {
		return fmt.Errorf("%w: PUBLISH of %d bytes > %d", ErrOversize, n, c.cfg.MaxPacket)
	}
	c.smu.Lock()
	id, ok := c.newID()
	if !ok {
		c.smu.Unlock()
		return errors.New("mqttlite: 65535 messages in flight")
	}
	c.sent++
	c.inflight[id] = outgoing{topic: topic, payload: payload, retain: retain, order: c.sent}
	c.smu.Unlock()

	c.wmu.Lock()
	if c.conn == nil {
		closed := c.closed
		c.wmu.Unlock()
		c.acked(id)
		if closed {
			return ErrClosed
		}
		return ErrNotConnected
	}
	c.wbuf = appendPublish(c.wbuf, id, 1, false, retain, topic, payload)
	if c.corked {
		c.queued = append(c.queued, id)
	}
	err := c.flushLocked()
	c.wmu.Unlock()
	return err
}

// newID returns a packet id neither in flight nor the pending
// SUBSCRIBE's (smu held).
func (c *Client) newID() (uint16, bool) {
	for range 0xffff {
		c.nextID++
		if c.nextID == 0 {
			c.nextID = 1
		}
		if _, busy := c.inflight[c.nextID]; !busy && c.nextID != c.subID {
			return c.nextID, true
		}
	}
	return 0, false
}

// acked forgets message id (a PUBACK came, or it was never sent).
func (c *Client) acked(id uint16) {
	c.smu.Lock()
	if _, ok := c.inflight[id]; ok {
		delete(c.inflight, id)
		if len(c.inflight) == 0 && c.drained != nil {
			close(c.drained)
			c.drained = nil
		}
	}
	c.smu.Unlock()
}

// InFlight returns how many messages wait for their PUBACK.
func (c *Client) InFlight() int {
	c.smu.Lock()
	defer c.smu.Unlock()
	return len(c.inflight)
}

// WaitAcked waits until no message is in flight or ctx ends. A message
// leaves the flight when its PUBACK comes, or when it was written on a
// connection that dropped and the broker did not keep the session
// (MQTT 3.1.1, 3.2.2.2): then nil does not mean acknowledged, and the
// application sends it again. A message Publish queued but whose write
// never happened or failed stays in flight until it is sent and
// acknowledged.
func (c *Client) WaitAcked(ctx context.Context) error {
	c.smu.Lock()
	if len(c.inflight) == 0 {
		c.smu.Unlock()
		return nil
	}
	if c.drained == nil {
		c.drained = make(chan struct{})
	}
	ch := c.drained
	c.smu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close sends DISCONNECT (the broker then drops the will), closes the
// connection and waits for the reader goroutine. Messages in flight are
// abandoned.
func (c *Client) Close() error {
	c.wmu.Lock()
	if c.closed {
		c.wmu.Unlock()
		<-c.done
		return nil
	}
	c.closed = true
	c.cancel()
	conn := c.conn
	c.conn = nil
	var err error
	if conn != nil {
		conn.SetWriteDeadline(time.Now().Add(time.Second))
		_, err = conn.Write(append(c.wbuf, disconnect...))
		c.wbuf = nil
	}
	c.wmu.Unlock()
	if conn != nil {
		conn.Close()
	}
	<-c.done
	return err
}

// flushLocked writes wbuf unless the reader is in OnMessage (wmu held).
// A failed write closes the connection: the reader sees it and reconnects.
// The messages queued in wbuf are then counted unwritten: their Publish
// returned nil, nobody learns of the failure, and the next session must
// send them even if the broker lost this one.
func (c *Client) flushLocked() error {
	if c.corked || len(c.wbuf) == 0 {
		return nil
	}
	_, err := c.conn.Write(c.wbuf)
	if cap(c.wbuf) > 64<<10 {
		c.wbuf = nil // do not keep a large buffer for small messages
	} else {
		c.wbuf = c.wbuf[:0]
	}
	if err != nil {
		c.unwritten = append(c.unwritten, c.queued...)
		c.queued = c.queued[:0]
		c.conn.Close()
		return fmt.Errorf("mqttlite: write: %w", err)
	}
	c.queued = c.queued[:0]
	c.wrote.Store(true)
	return nil
}

// dropLocked forgets the connection and what wbuf holds for it (wmu
// held); the messages queued there are unwritten.
func (c *Client) dropLocked() {
	c.conn, c.wbuf, c.corked = nil, c.wbuf[:0], false
	c.unwritten = append(c.unwritten, c.queued...)
	c.queued = c.queued[:0]
}

// connect dials, sends CONNECT and SUBSCRIBE in one write (a client may
// send before CONNACK), waits for CONNACK, sends again what is in flight
// as session says, and handles what comes until the
// SUBACK. On success the connection is c.conn.
func (c *Client) connect(ctx context.Context) (net.Conn, *bufio.Reader, *keeper, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.ConnectTimeout)
	defer cancel()
	conn, err := c.dialer.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("mqttlite: %s as %s: %w", c.addr, c.cfg.ClientID, err)
	}
	// The deadline ends a handshake the broker leaves hanging.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	ok := false
	defer func() {
		if !ok {
			stop()
			c.wmu.Lock()
			if c.conn == conn {
				c.dropLocked()
			}
			c.wmu.Unlock()
			conn.Close()
		}
	}()
	fail := func(err error) (net.Conn, *bufio.Reader, *keeper, error) {
		if ctx.Err() != nil && !errors.Is(err, ErrRefused) {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return nil, nil, nil, fmt.Errorf("mqttlite: %s as %s: %w", c.addr, c.cfg.ClientID, err)
	}

	b := appendConnect(nil, connectOptions{clientID: c.cfg.ClientID, cleanSession: c.cfg.CleanSession,
		keepAlive: uint16(c.cfg.KeepAlive / time.Second), will: c.cfg.Will})
	var subID uint16
	if len(c.cfg.Subs) > 0 {
		// The SUBSCRIBE's id is reserved until its SUBACK (or the end of
		// this attempt): a PUBLISH sent meanwhile must not take it (2.3.1).
		c.smu.Lock()
		var free bool
		subID, free = c.newID()
		c.subID = subID
		c.smu.Unlock()
		if !free {
			return fail(errors.New("no packet id left for SUBSCRIBE: 65535 messages in flight"))
		}
		defer func() {
			c.smu.Lock()
			c.subID = 0
			c.smu.Unlock()
		}()
		b = appendSubscribe(b, subID, c.cfg.Subs)
	}
	if _, err := conn.Write(b); err != nil {
		return fail(err)
	}
	br := bufio.NewReaderSize(conn, readBufSize)
	var h byte
	var body []byte
	if h, body, c.rbuf, err = readPacket(br, c.rbuf, c.cfg.MaxPacket); err != nil {
		return fail(err)
	}
	p, err := decode(h, body)
	switch {
	case err != nil:
		return fail(err)
	case p.kind != typeConnack:
		return fail(fmt.Errorf("%w: %s before CONNACK", ErrProtocol, typeNames[p.kind]))
	case p.code != 0:
		return fail(fmt.Errorf("%w: %s", ErrRefused, connackReason(p.code)))
	}
	resend := c.session(p.session)
	c.wmu.Lock()
	if c.closed {
		c.wmu.Unlock()
		return fail(ErrClosed)
	}
	c.conn = conn
	for _, o := range resend {
		c.wbuf = appendPublish(c.wbuf, o.id, 1, !o.unsent, o.retain, o.topic, o.payload)
	}
	err = c.flushLocked()
	c.wmu.Unlock()
	if err != nil {
		return fail(err)
	}
	c.written(resend)
	for subscribed := len(c.cfg.Subs) == 0; !subscribed; {
		if h, body, c.rbuf, err = readPacket(br, c.rbuf, c.cfg.MaxPacket); err != nil {
			return fail(err)
		}
		p, err := decode(h, body)
		if err != nil {
			return fail(err)
		}
		if p.kind == typeSuback && p.id == subID {
			if err := c.checkGranted(p.granted); err != nil {
				return fail(err)
			}
			subscribed = true
			continue
		}
		if err := c.handle(conn, p); err != nil {
			return fail(err)
		}
	}
	if !stop() {
		return fail(errors.New("handshake deadline"))
	}
	conn.SetDeadline(time.Time{})
	ok = true
	c.heard.Store(true)
	return conn, br, c.keepAlive(conn), nil
}

// resent is a message in flight to send again with its packet id.
type resent struct {
	id uint16
	outgoing
}

// session applies CONNACK's session present flag to what is in flight and
// returns what to send, in the first order. Kept, it is all sent again;
// lost, what was written is dropped (3.2.2.2) and the application sends
// it again, but what was never written belongs to no session: it is sent
// now, for the first time.
func (c *Client) session(present bool) []resent {
	c.wmu.Lock()
	unwritten := c.unwritten
	c.unwritten = nil
	c.wmu.Unlock()
	c.smu.Lock()
	defer c.smu.Unlock()
	for _, id := range unwritten {
		if o, ok := c.inflight[id]; ok {
			o.unsent = true
			c.inflight[id] = o
		}
	}
	out := make([]resent, 0, len(c.inflight))
	for id, o := range c.inflight {
		if present || o.unsent {
			out = append(out, resent{id, o})
		} else {
			delete(c.inflight, id)
		}
	}
	if len(c.inflight) == 0 && c.drained != nil {
		close(c.drained)
		c.drained = nil
	}
	slices.SortFunc(out, func(a, b resent) int { return cmp.Compare(a.order, b.order) })
	return out
}

// written records that the messages of resend, sent at a connection, are
// no longer unsent.
func (c *Client) written(resend []resent) {
	c.smu.Lock()
	defer c.smu.Unlock()
	for _, r := range resend {
		if o, ok := c.inflight[r.id]; ok && o.unsent {
			o.unsent = false
			c.inflight[r.id] = o
		}
	}
}

func (c *Client) checkGranted(codes []byte) error {
	if len(codes) != len(c.cfg.Subs) {
		return fmt.Errorf("%w: SUBACK with %d codes for %d filters", ErrProtocol, len(codes), len(c.cfg.Subs))
	}
	for i, code := range codes {
		if code == 0x80 {
			return fmt.Errorf("%w: subscription to %s", ErrRefused, c.cfg.Subs[i])
		}
	}
	return nil
}

// read is the reader goroutine: it serves the connection, and when it
// drops, tells OnLost and reconnects, until Close.
func (c *Client) read(conn net.Conn, br *bufio.Reader, ka *keeper) {
	defer close(c.done)
	for {
		err := c.serve(conn, br)
		conn.Close() // first: it unblocks a write holding wmu or the keeper
		ka.stop()
		c.wmu.Lock()
		if c.conn == conn {
			c.dropLocked()
		}
		closed := c.closed
		c.wmu.Unlock()
		if closed {
			return
		}
		if c.cfg.OnLost != nil {
			c.cfg.OnLost(err)
		}
		if conn, br, ka = c.reconnect(); conn == nil {
			return
		}
		if c.cfg.OnConnect != nil {
			c.cfg.OnConnect()
		}
	}
}

// reconnect connects again, at once and then backing off, until it
// succeeds (the connection) or Close (nil).
func (c *Client) reconnect() (net.Conn, *bufio.Reader, *keeper) {
	wait := time.Duration(0)
	for {
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-c.ctx.Done():
				t.Stop()
				return nil, nil, nil
			}
		}
		conn, br, ka, err := c.connect(c.ctx)
		if err == nil {
			return conn, br, ka
		}
		if c.ctx.Err() != nil {
			return nil, nil, nil
		}
		wait = min(max(2*wait, firstBackoff), maxBackoff)
	}
}

// serve reads and handles packets until the connection fails.
func (c *Client) serve(conn net.Conn, br *bufio.Reader) error {
	for {
		h, body, buf, err := readPacket(br, c.rbuf, c.cfg.MaxPacket)
		c.rbuf = buf
		if err != nil {
			return err
		}
		p, err := decode(h, body)
		if err != nil {
			return err
		}
		if err := c.handle(conn, p); err != nil {
			return err
		}
	}
}

// handle handles one packet after CONNACK.
func (c *Client) handle(conn net.Conn, p packet) error {
	c.heard.Store(true)
	switch p.kind {
	case typePublish:
		if p.qos == 0 {
			c.deliver(p)
			return nil
		}
		c.wmu.Lock()
		c.corked = true
		c.wmu.Unlock()
		c.deliver(p)
		c.wmu.Lock()
		c.corked = false
		var err error
		if c.conn == conn {
			c.wbuf = appendPuback(c.wbuf, p.id)
			err = c.flushLocked()
		}
		c.wmu.Unlock()
		return err
	case typePuback:
		c.acked(p.id)
	case typeSuback, typePingresp:
		// a SUBACK of an earlier connection's subscription; a ping answered
	default:
		return fmt.Errorf("%w: %s after CONNACK", ErrProtocol, typeNames[p.kind])
	}
	return nil
}

func (c *Client) deliver(p packet) {
	if c.cfg.OnMessage != nil {
		c.cfg.OnMessage(p.topic, p.payload)
	}
}

// keeper is the keepalive of one connection (3.1.2.10): a timer every
// half keepalive sends PINGREQ if nothing was written since the last
// tick, so the broker hears from the client at least once a keepalive;
// and closes the connection if nothing was read in the half keepalive
// after a PINGREQ. A timer, not a goroutine: it costs nothing between
// ticks.
type keeper struct {
	c      *Client
	conn   net.Conn
	every  time.Duration
	t      *time.Timer
	mu     sync.Mutex
	pinged bool
	done   bool
}

func (c *Client) keepAlive(conn net.Conn) *keeper {
	k := &keeper{c: c, conn: conn, every: c.cfg.KeepAlive / 2}
	c.wrote.Store(true) // CONNECT was just written
	k.mu.Lock()         // tick uses k.t
	k.t = time.AfterFunc(k.every, k.tick)
	k.mu.Unlock()
	return k
}

func (k *keeper) tick() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.done {
		return
	}
	c := k.c
	if heard := c.heard.Swap(false); k.pinged && !heard {
		k.conn.Close() // the broker is gone: the reader fails and reconnects
		return
	}
	k.pinged = false
	if !c.wrote.Swap(false) {
		k.pinged = true
		// TryLock: a write blocked for half a keepalive must not stall the
		// timer; the missing answer then closes the connection.
		if c.wmu.TryLock() {
			if c.conn == k.conn {
				c.wbuf = append(c.wbuf, pingreq...)
				c.flushLocked()
			}
			c.wmu.Unlock()
		}
	}
	k.t.Reset(k.every)
}

func (k *keeper) stop() {
	k.mu.Lock()
	k.done = true
	k.t.Stop()
	k.mu.Unlock()
}
