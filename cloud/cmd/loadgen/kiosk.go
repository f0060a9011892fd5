package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"cnskiosk.dev/cloud/internal/ingest/ingesttest"
	"cnskiosk.dev/cloud/internal/mqttlite"
	"cnskiosk.dev/shared/wire"
)

// The MQTT clients a simulated kiosk can use (-client).
const (
	clientLean = "lean" // mqttlite: what the load generator costs is taken from the stack it measures
	clientPaho = "paho" // ingesttest.Kiosk, the paho client of the tests, as the firmware's
)

// kiosk is one simulated kiosk on either client, connected as the firmware
// connects: client id = device id, clean session off, a retained offline
// state as last will, subscribed at QoS 1 to its ack and rpc/res topics.
// Its acks go to the handler set with onAck, called in the client's
// goroutine.
type kiosk struct {
	id       string
	ackTopic string
	seq      atomic.Uint64
	handler  atomic.Pointer[func(wire.Ack)]
	stray    atomic.Int64 // acks that came before a handler was set
	bad      atomic.Int64 // acks that did not decode
	lean     *mqttlite.Client
	paho     *ingesttest.Kiosk
	stop     chan struct{} // ends the paho forwarder
}

// dialKiosk connects kiosk id to the broker at url with client ("lean" or
// "paho").
func dialKiosk(ctx context.Context, client, url, id string, cfg *tls.Config) (*kiosk, error) {
	k := &kiosk{id: id, ackTopic: wire.Topic(id, wire.ChanAck)}
	if client == clientPaho {
		pk, err := ingesttest.Dial(ctx, url, id, cfg, nil, slog.New(slog.DiscardHandler))
		if err != nil {
			return nil, err
		}
		k.paho, k.stop = pk, make(chan struct{})
		go k.forward()
		return k, nil
	}
	will, err := wire.New(id, 0, wire.TypeState, time.Now(), wire.State{Online: false})
	if err != nil {
		return nil, err
	}
	wb, err := will.Encode()
	if err != nil {
		return nil, err
	}
	k.lean, err = mqttlite.Dial(ctx, mqttlite.Config{Broker: url, TLS: cfg, ClientID: id, CleanSession: false,
		Will: &mqttlite.Will{Topic: wire.Topic(id, wire.ChanState), Payload: wb, Retain: true},
		Subs: []string{k.ackTopic, wire.Topic(id, wire.ChanRPCRes)}, OnMessage: k.message})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// message takes what the lean client receives. The load generator sends
// no rpc request, so only acks matter; each is decoded and checked as
// the firmware does.
func (k *kiosk) message(topic, payload []byte) {
	if string(topic) != k.ackTopic {
		return
	}
	env, err := wire.Decode(k.id, payload)
	if err != nil {
		k.bad.Add(1)
		return
	}
	a, err := wire.DecodeBody[wire.Ack](env)
	if err != nil {
		k.bad.Add(1)
		return
	}
	k.deliver(a)
}

// forward hands the paho kiosk's acks to the handler.
func (k *kiosk) forward() {
	for {
		select {
		case a := <-k.paho.Acks():
			k.deliver(a)
		case <-k.stop:
			return
		}
	}
}

func (k *kiosk) deliver(a wire.Ack) {
	if h := k.handler.Load(); h != nil {
		(*h)(a)
		return
	}
	k.stray.Add(1)
}

// onAck sets the handler of the kiosk's acks. It must not block: with the
// lean client it runs in the connection's reader goroutine.
func (k *kiosk) onAck(h func(wire.Ack)) { k.handler.Store(&h) }

// invalid counts the acks that did not decode.
func (k *kiosk) invalid() int64 {
	if k.paho != nil {
		return k.paho.Invalid()
	}
	return k.bad.Load()
}

// op builds the kiosk's next operation.
func (k *kiosk) op(t wire.Type, body any) (wire.Envelope, error) {
	return wire.New(k.id, k.seq.Add(1), t, time.Now(), body)
}

// publish sends payload at QoS 1. paho waits for the PUBACK; the lean
// client returns once the message is written (it stays in flight until
// the PUBACK).
func (k *kiosk) publish(ctx context.Context, topic string, payload []byte) error {
	if k.paho != nil {
		return k.paho.PublishRaw(ctx, topic, payload)
	}
	return k.lean.Publish(topic, payload, false)
}

// send encodes env and publishes it on the topic of its channel.
func (k *kiosk) send(ctx context.Context, ch wire.Channel, env wire.Envelope) error {
	b, err := env.Encode()
	if err != nil {
		return err
	}
	if err := k.publish(ctx, wire.Topic(k.id, ch), b); err != nil {
		return fmt.Errorf("kiosk %s: %w", k.id, err)
	}
	return nil
}

// close disconnects the kiosk.
func (k *kiosk) close() {
	if k.paho != nil {
		close(k.stop)
		k.paho.Close()
		return
	}
	k.lean.Close()
}
