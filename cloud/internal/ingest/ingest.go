package ingest

import (
	"context"
	"crypto/tls"
	"log/slog"
	"sync"
	"time"

	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// Applier applies one operation idempotently; an error means the
// infrastructure failed and nothing was committed.
type Applier interface {
	Apply(ctx context.Context, env wire.Envelope) (wire.Ack, error)
}

// Cards answers the card requests of a device.
type Cards interface {
	LookupCard(ctx context.Context, dev string, p wire.CardLookupParams) (wire.CardLookupResult, outcome.Code, error)
	PinHalves(ctx context.Context, dev string, p wire.PinHalvesParams) (wire.PinHalvesResult, outcome.Code, error)
}

// Operators runs the operator challenge/response (package opauth).
type Operators interface {
	Challenge(ctx context.Context, dev string, p wire.OperatorChallengeParams) (wire.OperatorChallengeResult, outcome.Code, error)
	Auth(ctx context.Context, dev string, p wire.OperatorAuthParams) (wire.OperatorAuthResult, outcome.Code, error)
}

// Devices is the fleet registry as ingest uses it.
type Devices interface {
	Enabled(ctx context.Context, dev string) (bool, error)
	ObserveState(ctx context.Context, dev string, at time.Time, s wire.State) error
	CommandResult(ctx context.Context, dev string, r wire.CommandResult) error
}

// Publisher publishes one message at QoS 1.
type Publisher interface {
	Publish(ctx context.Context, topic string, payload []byte, retain bool) error
}

// Deps are the parts ingest hands messages to.
type Deps struct {
	Engine    Applier
	Cards     Cards
	Operators Operators
	Devices   Devices
}

// Options configure the MQTT side.
type Options struct {
	Broker   string      // tls://host:port
	ClientID string      // the CN of this instance's certificate, e.g. cmsd-host1
	TLS      *tls.Config // client certificate (role cloud) + fleet CA
	Workers  int         // default 256
	// OnConnect runs after every (re)connection, e.g. to republish the
	// desired configs (an embedded broker forgets retained messages).
	OnConnect func()
}

// Filters are the shared subscriptions of every cmsd instance.
var Filters = []string{wire.SharedOpsFilter, wire.SharedRPCFilter,
	"$share/cms/" + wire.Prefix + "+/state", "$share/cms/" + wire.Prefix + "+/cmd/res"}

// Ingest is cmsd's MQTT subscriber.
type Ingest struct {
	opts Options
	deps Deps
	log  *slog.Logger
	m    counters
	now  func() time.Time

	mu     sync.Mutex
	out    Publisher
	client *Client
	ready  chan struct{}
	queues []chan Message
	quit   chan struct{}
	abort  context.CancelFunc
}

// New returns an Ingest; Run connects it.
func New(opts Options, deps Deps, reg *metrics.Registry, log *slog.Logger) (*Ingest, error) {
	if opts.Workers <= 0 {
		opts.Workers = 256
	}
	m, err := newCounters(reg)
	if err != nil {
		return nil, err
	}
	in := &Ingest{opts: opts, deps: deps, log: log, m: m, now: time.Now,
		ready: make(chan struct{}), quit: make(chan struct{})}
	for range opts.Workers {
		in.queues = append(in.queues, make(chan Message, 256))
	}
	return in, nil
}

// Ready is closed once Run has connected and subscribed.
func (in *Ingest) Ready() <-chan struct{} { return in.ready }

// Connected reports whether this instance is connected to the broker now:
// false before Run has connected, while the client reconnects and after
// Run returned (what /healthz reports).
func (in *Ingest) Connected() bool {
	in.mu.Lock()
	c := in.client
	in.mu.Unlock()
	return c != nil && c.Connected()
}

// Publish publishes through this instance's connection (fleet.Publisher).
func (in *Ingest) Publish(ctx context.Context, topic string, payload []byte, retain bool) error {
	select {
	case <-in.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	return in.out.Publish(ctx, topic, payload, retain)
}

// Run connects, processes messages until ctx ends, then drains what was
// received (bounded) and disconnects.
func (in *Ingest) Run(ctx context.Context) error {
	work, abort := context.WithCancel(context.WithoutCancel(ctx))
	in.mu.Lock()
	in.abort = abort
	in.mu.Unlock()
	defer abort()
	subs := map[string]Handler{}
	for _, f := range Filters {
		subs[f] = nil // every message goes to enqueue, which reads its topic anyway
	}
	c, err := Dial(ctx, Config{Broker: in.opts.Broker, ClientID: in.opts.ClientID, TLS: in.opts.TLS,
		ManualAck: true, BatchWrites: true, Subs: subs, All: in.enqueue, OnConnect: in.opts.OnConnect}, in.log)
	if err != nil {
		return err
	}
	in.mu.Lock()
	in.client, in.out = c, c
	in.mu.Unlock()
	wait := in.start(work)
	close(in.ready)
	in.log.Info("ingest subscribed", "broker", in.opts.Broker, "client", in.opts.ClientID, "workers", len(in.queues))
	<-ctx.Done()
	close(in.quit)
	stop := time.AfterFunc(5*time.Second, abort)
	wait()
	stop.Stop()
	c.Close(250 * time.Millisecond)
	return nil
}

// start runs the workers and the acker; the returned func waits for
// them once quit is closed (or ctx cancelled).
//
// The pending acks are not bounded: a worker must never wait for a
// PUBACK. The MQTT client reads PUBLISH and PUBACK packets in one
// goroutine, which waits in enqueue while a worker queue is full; a
// worker waiting for the acker, which waits for a PUBACK that reader
// cannot read, closed a cycle: replies timed out and their messages
// stayed unacknowledged at the broker, never delivered again on that
// connection (see docs/cloud.md, "Lost acks under load"). Their number is
// bounded by the worker queues: workers only depend on the database.
func (in *Ingest) start(ctx context.Context) (wait func()) {
	acks := newAckQueue()
	ackerDone := make(chan struct{})
	go func() { defer close(ackerDone); in.acker(ctx, acks) }()
	var wg sync.WaitGroup
	for _, q := range in.queues {
		wg.Go(func() { in.worker(ctx, q, acks) })
	}
	return func() {
		wg.Wait()
		acks.close()
		<-ackerDone
	}
}

// Abort stops processing at once, as a crash would: what is in progress
// is cancelled and not acknowledged. Run still has to return.
func (in *Ingest) Abort() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.abort != nil {
		in.abort()
	}
	if in.client != nil {
		in.client.Close(0)
	}
}

func (in *Ingest) enqueue(m Message) {
	dev, _, err := wire.ParseTopic(m.Topic())
	if err != nil {
		in.m.rejected.With("topic").Inc()
		m.Ack()
		return
	}
	q := in.queues[fnv32a(dev)%uint32(len(in.queues))]
	select {
	case q <- m: // a queue with room, as under load: no select over two channels
		return
	default:
	}
	select {
	case q <- m:
	case <-in.quit:
	}
}

func (in *Ingest) worker(ctx context.Context, q chan Message, acks *ackQueue) {
	for {
		select {
		case m := <-q: // a backlog: no select over two channels
			in.handle(ctx, m, acks)
			continue
		default:
		}
		select {
		case m := <-q:
			in.handle(ctx, m, acks)
		case <-in.quit:
			for {
				select {
				case m := <-q:
					in.handle(ctx, m, acks)
				default:
					return
				}
			}
		}
	}
}

// handle processes m and hands it to the acker, which acknowledges it
// once its reply is with the broker; the worker goes on at once.
func (in *Ingest) handle(ctx context.Context, m Message, acks *ackQueue) {
	if ctx.Err() != nil {
		return // aborted: leave it unacknowledged
	}
	v := in.process(ctx, m.Topic(), m.Payload())
	if v.tok == nil {
		if in.settle(ctx, v, nil) {
			m.Ack()
		}
		return
	}
	acks.push(pendingAck{m: m, v: v})
}

// fnv32a is the 32-bit FNV-1a hash of s, as hash/fnv computes it, without
// a hash.Hash and a copy of s to feed it on every message.
func fnv32a(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
