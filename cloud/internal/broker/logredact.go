package broker

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// mochiPkg prefixes the import path of every mochi package.
const mochiPkg = "github.com/mochi-mqtt/server/v2"

// redactedKeys are attribute keys mochi gives packets, wills and payloads.
var redactedKeys = map[string]bool{"pk": true, "packet": true, "pkv": true, "will": true, "payload": true}

// redactHandler is the handler mochi logs through. mochi logs whole
// packets (payload included) when it refuses one: a QoS 1 publish on
// another device's topic at WARN, a delivery to a full session at DEBUG.
// Such a payload may be an operation (names, codice fiscale) or an
// rpc/res reply with halves of PIN and PUK, so every packet-valued
// attribute, at any depth of groups, becomes a summary without payload
// (type, topic, packet id, payload size); a byte slice, a value under a
// key such as payload, and every other value of a mochi type but an error
// become "[redacted]". Records below min are dropped, and so is the
// record without message mochi logs at WARN for every connection that
// ends before CONNECT (listeners.Net.Serve) when that connection ended in
// its TLS handshake: the broker has already counted and logged it, at
// INFO for what any scanner of the port causes.
type redactHandler struct {
	next slog.Handler
	min  slog.Level
}

// mochiLogger returns the logger given to mochi: log's handler behind
// redaction, at WARN and above unless log is enabled for DEBUG.
func mochiLogger(log *slog.Logger) *slog.Logger {
	min := slog.LevelWarn
	if log.Enabled(context.Background(), slog.LevelDebug) {
		min = slog.LevelDebug
	}
	return slog.New(&redactHandler{next: log.Handler(), min: min}).With("part", "mochi")
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.next.Enabled(ctx, l)
}

func (h *redactHandler) Handle(ctx context.Context, r slog.Record) error {
	if handshakeEnded(r) {
		return nil
	}
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = redactAttr(a)
	}
	return &redactHandler{next: h.next.WithAttrs(red), min: h.min}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{next: h.next.WithGroup(name), min: h.min}
}

// handshakeEnded reports whether r is mochi's record without message of
// a connection ended in its TLS handshake.
func handshakeEnded(r slog.Record) bool {
	if r.Message != "" {
		return false
	}
	found := false
	r.Attrs(func(a slog.Attr) bool {
		err, ok := a.Value.Any().(error)
		found = ok && errors.Is(err, errHandshake)
		return !found
	})
	return found
}

// redactAttr returns a with every packet, will or payload in it replaced.
func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		g := v.Group()
		red := make([]slog.Attr, len(g))
		for i, x := range g {
			red[i] = redactAttr(x)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(red...)}
	}
	switch x := v.Any().(type) {
	case packets.Packet:
		return slog.Attr{Key: a.Key, Value: packetSummary(&x)}
	case *packets.Packet:
		if x != nil {
			return slog.Attr{Key: a.Key, Value: packetSummary(x)}
		}
	case mqtt.Will:
		return slog.Group(a.Key, "topic", x.TopicName, "payload_bytes", len(x.Payload))
	case []byte: // a payload, a password or a property's data
		return slog.String(a.Key, "[redacted]")
	case error:
		return slog.Attr{Key: a.Key, Value: v}
	}
	if redactedKeys[strings.ToLower(a.Key)] || fromMochi(v) {
		return slog.String(a.Key, "[redacted]")
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// packetSummary describes pk without its payload or properties.
func packetSummary(pk *packets.Packet) slog.Value {
	return slog.GroupValue(
		slog.String("type", packetType(pk.FixedHeader.Type)),
		slog.String("topic", pk.TopicName),
		slog.Int("id", int(pk.PacketID)),
		slog.Int("qos", int(pk.FixedHeader.Qos)),
		slog.Int("payload_bytes", len(pk.Payload)))
}

func packetType(t byte) string {
	if n, ok := packets.PacketNames[t]; ok {
		return n
	}
	return "unknown"
}

// fromMochi reports whether v holds a value of a type mochi defines (or a
// pointer, slice or map of one), which may carry a packet.
func fromMochi(v slog.Value) bool {
	if v.Kind() != slog.KindAny || v.Any() == nil {
		return false
	}
	t := reflect.TypeOf(v.Any())
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	return strings.HasPrefix(t.PkgPath(), mochiPkg)
}
