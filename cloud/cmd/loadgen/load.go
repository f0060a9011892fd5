package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"cnskiosk.dev/cloud/internal/demodata"
	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/shared/wire"
)

// resendEvery is how often a kiosk resends what is not acked, as the
// firmware's outbox does.
const resendEvery = 3 * time.Second

// loadResult is what the sending kiosks saw.
type loadResult struct {
	sent     int
	acked    int
	resent   int
	outcomes map[string]int
	lat      []time.Duration // publish -> ack, first ack of each operation
	sentAt   []time.Time     // first publish of each operation of lat, same order
	elapsed  time.Duration   // first publish -> last first ack
	opIDs    []string
}

// dialAll connects the devices with client, at most 16 handshakes at a
// time.
func dialAll(ctx context.Context, client, url string, ca *pki.CA, devs []device, log *slog.Logger) ([]*kiosk, error) {
	ks := make([]*kiosk, len(devs))
	sem := make(chan struct{}, 16)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for i, d := range devs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			cfg, err := clientTLS(d.cert, ca)
			if err == nil {
				ks[i], err = dialKiosk(ctx, client, url, d.id, cfg)
			}
			if err != nil {
				mu.Lock()
				first = cmpErr(first, fmt.Errorf("dial %s: %w", d.id, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if first != nil {
		closeAll(ks)
		return nil, first
	}
	log.Info("kiosks connected", "n", len(ks), "client", client)
	return ks, nil
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func closeAll(ks []*kiosk) {
	var wg sync.WaitGroup
	for _, k := range ks {
		if k != nil {
			wg.Go(k.close)
		}
	}
	wg.Wait()
}

func clientTLS(is pki.Issued, ca *pki.CA) (*tls.Config, error) { return pki.ClientTLS(is, ca.Pool()) }

// activation builds the operation of a kiosk for one card.
func activation(k *kiosk, session string, c demodata.Citizen) (wire.Envelope, error) {
	return k.op(wire.OpActivation, wire.Activation{
		Common:    wire.Common{Operator: wire.Operator{CF: loadOperator, Session: session}},
		Card:      wire.CardRef{CF: c.CF, TEAM: c.TEAM, Expiry: wire.DateOf(c.Expiry)},
		Requester: wire.Requester{Role: wire.RoleHolder},
		Document:  wire.Document{Kind: "carta_identita", Number: "CA12345AA", Issuer: "Comune di Firenze", Expires: wire.NewDate(2031, 1, 1)},
		Delivery:  wire.Delivery{Channel: wire.DeliveryEmail, Address: "cittadino@example.it"},
	})
}

// prepareRuns builds each sending kiosk's operations and encodes them,
// before the load and its CPU measurement start: what loadgen costs during
// the load is then the kiosks' MQTT work only.
func prepareRuns(c config, f *fixture, ks []*kiosk) ([]*kioskRun, error) {
	runs := make([]*kioskRun, len(ks))
	for i, k := range ks {
		r := &kioskRun{k: k, closed: c.rate <= 0, all: make(chan struct{}),
			sent: map[string]time.Time{}, lastSent: map[string]time.Time{}, acked: map[string]bool{}, resent: map[string]int{}, outcomes: map[string]int{}}
		for j := range c.ops {
			env, err := activation(k, f.devices[i].session, f.cards[i*c.ops+j])
			if err != nil {
				return nil, err
			}
			b, err := env.Encode()
			if err != nil {
				return nil, err
			}
			r.envs = append(r.envs, env)
			r.payloads = append(r.payloads, b)
		}
		r.topic = wire.Topic(k.id, wire.ChanOps)
		k.onAck(r.onAck)
		runs[i] = r
	}
	return runs, nil
}

// drive makes every sending kiosk deliver its operations and gathers the
// results. rate 0 is a closed loop (one operation in flight per kiosk).
func drive(ctx context.Context, c config, runs []*kioskRun) (loadResult, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	for _, r := range runs {
		r.ctx = ctx // before any publish, so before any ack
	}
	start := time.Now()
	var interval time.Duration
	if c.rate > 0 {
		interval = time.Duration(float64(len(runs)) / c.rate * float64(time.Second))
	}
	go watchStall(ctx, cancel, runs, c.stall)
	var wg sync.WaitGroup
	for i, r := range runs {
		offset := time.Duration(0)
		if interval > 0 {
			offset = interval * time.Duration(i) / time.Duration(len(runs))
		}
		wg.Go(func() { r.run(ctx, start.Add(offset), interval) })
	}
	wg.Wait()
	if ctx.Err() != nil {
		return gather(runs, start), fmt.Errorf("%w; %s", context.Cause(ctx), unacked(runs))
	}
	return gather(runs, start), nil
}

// errStalled ends a run whose acks stopped coming.
var errStalled = errors.New("no new ack")

// watchStall cancels the run when no kiosk has had a new ack for stall.
func watchStall(ctx context.Context, cancel context.CancelCauseFunc, runs []*kioskRun, stall time.Duration) {
	if stall <= 0 {
		return
	}
	tick := time.NewTicker(resendEvery)
	defer tick.Stop()
	last, seen := time.Now(), -1
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			n := 0
			for _, r := range runs {
				r.mu.Lock()
				n += len(r.acked)
				r.mu.Unlock()
			}
			if n != seen {
				last, seen = now, n
			} else if now.Sub(last) >= stall {
				cancel(fmt.Errorf("%w for %s", errStalled, stall))
				return
			}
		}
	}
}

// unacked describes the operations still without an ack: kiosk, op id,
// when first sent and how many times resent (at most 20 listed).
func unacked(runs []*kioskRun) string {
	var b strings.Builder
	kiosks, ops := 0, 0
	for _, r := range runs {
		r.mu.Lock()
		first := true
		for _, e := range r.envs {
			t, sent := r.sent[e.ID]
			if r.acked[e.ID] {
				continue
			}
			if first {
				kiosks++
				first = false
			}
			ops++
			if ops <= 20 {
				state := "never sent"
				if sent {
					state = fmt.Sprintf("first sent %s ago, resent %d times", time.Since(t).Round(time.Millisecond), r.resent[e.ID])
				}
				fmt.Fprintf(&b, "\n  kiosk %s op %s seq %d: %s", r.k.id, e.ID, e.Seq, state)
			}
		}
		r.mu.Unlock()
	}
	return fmt.Sprintf("%d operations of %d kiosks without ack:%s", ops, kiosks, b.String())
}

func gather(runs []*kioskRun, start time.Time) loadResult {
	res := loadResult{outcomes: map[string]int{}}
	var last time.Time
	for _, r := range runs {
		res.sent += len(r.envs)
		res.acked += len(r.acked)
		res.lat = append(res.lat, r.lat...)
		res.sentAt = append(res.sentAt, r.sentAt...)
		for o, n := range r.outcomes {
			res.outcomes[o] += n
		}
		for _, n := range r.resent {
			res.resent += n
		}
		if r.last.After(last) {
			last = r.last
		}
		for _, e := range r.envs {
			res.opIDs = append(res.opIDs, e.ID)
		}
	}
	res.elapsed = last.Sub(start)
	return res
}

// kioskRun is one kiosk's share of the load.
type kioskRun struct {
	k        *kiosk
	envs     []wire.Envelope
	payloads [][]byte // envs encoded once, before the load starts
	topic    string   // the kiosk's ops topic
	ctx      context.Context
	closed   bool          // closed loop: each first ack sends the next operation
	all      chan struct{} // closed at the first ack of the last operation
	mu       sync.Mutex
	next     int                  // closed loop: the operation to send at the next first ack
	sent     map[string]time.Time // first publish (latency is measured from it)
	lastSent map[string]time.Time // last resend
	acked    map[string]bool
	resent   map[string]int
	outcomes map[string]int
	lat      []time.Duration
	sentAt   []time.Time // of each lat
	last     time.Time
}

func (r *kioskRun) run(ctx context.Context, first time.Time, interval time.Duration) {
	if r.closed {
		r.mu.Lock()
		r.next = 1
		r.mu.Unlock()
		r.send(0) // onAck sends the others
	} else {
		for j := range r.envs {
			if !sleepUntil(ctx, first.Add(time.Duration(j)*interval)) {
				return
			}
			r.send(j)
		}
	}
	r.resendUntilAcked(ctx)
}

// send publishes operation j for the first time.
func (r *kioskRun) send(j int) {
	r.mu.Lock()
	r.sent[r.envs[j].ID] = time.Now()
	r.mu.Unlock()
	r.k.publish(r.ctx, r.topic, r.payloads[j]) // a failed publish is resent below
}

func (r *kioskRun) resendUntilAcked(ctx context.Context) {
	tick := time.NewTicker(resendEvery)
	defer tick.Stop()
	for {
		select {
		case <-r.all:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		// Only what has waited a whole period: resending everything in
		// flight at each tick would resend, in a closed loop, nearly every
		// kiosk's current operation a few milliseconds after it left, and
		// measure duplicates instead of operations.
		now := time.Now()
		r.mu.Lock()
		var pending []int
		for j, e := range r.envs {
			t, sent := r.sent[e.ID]
			last := t
			if l, ok := r.lastSent[e.ID]; ok {
				last = l
			}
			if sent && !r.acked[e.ID] && now.Sub(last) >= resendEvery {
				pending = append(pending, j)
				r.resent[e.ID]++
				r.lastSent[e.ID] = now
			}
		}
		r.mu.Unlock()
		for _, j := range pending {
			r.k.publish(ctx, r.topic, r.payloads[j])
		}
	}
}

// onAck records the first ack of each operation and, in a closed loop,
// sends the next operation at once, from the client's goroutine: with the
// lean client it leaves in the same TLS record as the ack's PUBACK, with
// no goroutine hand-over in between.
func (r *kioskRun) onAck(a wire.Ack) {
	now := time.Now()
	next := -1
	r.mu.Lock()
	t, ok := r.sent[a.OpID]
	first := ok && !r.acked[a.OpID]
	if first {
		r.acked[a.OpID] = true
		r.lat = append(r.lat, now.Sub(t))
		r.sentAt = append(r.sentAt, t)
		r.outcomes[a.Outcome]++
		r.last = now
		if r.closed && r.next < len(r.envs) && r.ctx.Err() == nil {
			next = r.next
			r.next++
			r.sent[r.envs[next].ID] = now
		}
	}
	done := first && len(r.acked) == len(r.envs)
	r.mu.Unlock()
	if next >= 0 {
		r.k.publish(r.ctx, r.topic, r.payloads[next]) // a failed publish is resent by resendUntilAcked
	}
	if done {
		close(r.all)
	}
}

func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
