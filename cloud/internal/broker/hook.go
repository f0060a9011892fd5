package broker

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/pki"
	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// Gate decides whether a certificate may connect, and as what.
type Gate interface {
	Admit(ctx context.Context, cn, serial string) (fleet.Role, error)
}

// admitTimeout bounds the registry lookup made on each CONNECT.
const admitTimeout = 5 * time.Second

type hook struct {
	mqtt.HookBase
	gate      Gate
	log       *slog.Logger
	srv       *mqtt.Server // set once the server is built, before it serves
	maxQueued int          // QoS 1 messages a device's session holds while it is away
	refused   *metrics.CounterVec
	denied    *metrics.CounterVec
	queueFull *metrics.Counter

	// roles holds the role each admitted client was admitted with, for as
	// long as mochi keeps that client's session: connected, or away with
	// clean session off. Messages for a kiosk that is away go through the
	// ACL check too, and must be queued in its session, as Mosquitto does.
	roles sync.Map // *mqtt.Client -> fleet.Role

	// admitted lists, by client id, the clients that have an entry in
	// roles. A session taken over by a new connection is never seen again
	// by any hook, so the entries of the clients it replaced are found
	// here and dropped once mochi has marked them taken over.
	mu       sync.Mutex
	admitted map[string][]*mqtt.Client
}

func (h *hook) ID() string { return "cms-identity" }

func (h *hook) Provides(b byte) bool {
	return bytes.Contains([]byte{mqtt.OnConnectAuthenticate, mqtt.OnACLCheck, mqtt.OnSessionEstablished,
		mqtt.OnDisconnect, mqtt.OnClientExpired}, []byte{b})
}

// OnConnectAuthenticate admits a client by its certificate.
func (h *hook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	if cl.Net.Inline {
		return true
	}
	reason, ok := h.admit(cl, pk)
	if !ok {
		h.refused.With(reason).Inc()
		h.log.Warn("mqtt connection refused", "reason", reason, "client", cl.ID, "remote", cl.Net.Remote)
	}
	return ok
}

func (h *hook) admit(cl *mqtt.Client, pk packets.Packet) (string, bool) {
	tc, ok := cl.Net.Conn.(interface{ ConnectionState() tls.ConnectionState })
	if !ok {
		return "no_tls", false
	}
	cn, serial, err := pki.PeerIdentity(tc.ConnectionState())
	if err != nil {
		return "no_certificate", false
	}
	ctx, cancel := context.WithTimeout(context.Background(), admitTimeout)
	defer cancel()
	role, err := h.gate.Admit(ctx, cn, serial)
	if err != nil {
		h.log.Info("certificate not admitted", "cn", cn, "serial", serial, "err", err)
		return admitRefusal(err), false
	}
	if role == fleet.RoleDevice && cl.ID != cn {
		return "client_id_mismatch", false
	}
	if pk.Connect.WillFlag && !Allowed(role, cn, pk.Connect.WillTopic, true) {
		return "will_topic", false
	}
	cl.Properties.Username = []byte(cn)
	h.keep(cl, role)
	return "", true
}

// admitRefusal is the reason counted for a certificate the registry
// does not admit.
func admitRefusal(err error) string {
	switch {
	case errors.Is(err, fleet.ErrUnknownCert), errors.Is(err, fleet.ErrUnknownDevice):
		return "unknown_device"
	case errors.Is(err, fleet.ErrDisabled):
		return "disabled"
	case errors.Is(err, fleet.ErrRevoked):
		return "revoked"
	}
	return "not_admitted"
}

// OnACLCheck applies [Allowed] to the client's identity and role, and
// bounds the queue of a device that is away: mochi checks a delivery here
// just before it queues it, and its own bound (MaximumInflight) also
// applies to cmsd's connection, which carries every kiosk's messages.
func (h *hook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	if cl.Net.Inline {
		return true
	}
	r, ok := h.roles.Load(cl)
	if ok && Allowed(r.(fleet.Role), string(cl.Properties.Username), topic, write) {
		if !write && r.(fleet.Role) == fleet.RoleDevice && cl.Closed() && cl.State.Inflight.Len() >= h.maxQueued {
			h.queueFull.Inc()
			return false
		}
		return true
	}
	dir := "read"
	if write {
		dir = "write"
	}
	h.denied.With(dir).Inc()
	h.log.Warn("mqtt topic denied", "cn", string(cl.Properties.Username), "topic", topic, "write", write)
	return false
}

// OnSessionEstablished forgets the clients whose session cl has just
// taken over (mochi marks them before this hook runs).
func (h *hook) OnSessionEstablished(cl *mqtt.Client, _ packets.Packet) {
	if !cl.Net.Inline {
		h.prune(cl.ID)
	}
}

// OnDisconnect forgets the client's role when its session ends with the
// connection (clean session) or has passed to another connection. A kept
// session keeps it: the kiosk's identity is the certificate CN it last
// connected with, and what comes for it meanwhile is queued.
func (h *hook) OnDisconnect(cl *mqtt.Client, _ error, expire bool) {
	if expire || cl.IsTakenOver() {
		h.forget(cl)
	}
}

// OnClientExpired empties a kept session mochi drops (an MQTT 5 client's
// own expiry): mochi removes the client but not its subscriptions.
func (h *hook) OnClientExpired(cl *mqtt.Client) { h.discard(cl) }

// discard empties cl's session, which mochi no longer lists: its
// subscriptions (unless a new connection has taken them over), its queued
// messages and its role.
func (h *hook) discard(cl *mqtt.Client) {
	h.srv.UnsubscribeClient(cl)
	cl.ClearInflights()
	h.forget(cl)
}

// keep records that cl was admitted with role.
func (h *hook) keep(cl *mqtt.Client, role fleet.Role) {
	h.roles.Store(cl, role)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.admitted == nil {
		h.admitted = make(map[string][]*mqtt.Client)
	}
	h.admitted[cl.ID] = append(h.admitted[cl.ID], cl)
}

// forget drops cl's role.
func (h *hook) forget(cl *mqtt.Client) {
	h.roles.Delete(cl)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(cl.ID, func(c *mqtt.Client) bool { return c == cl })
}

// prune drops the roles of the clients admitted under id whose session
// has been taken over since.
func (h *hook) prune(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(id, func(c *mqtt.Client) bool {
		if c.IsTakenOver() {
			h.roles.Delete(c)
			return true
		}
		return false
	})
}

// drop removes from admitted[id] the clients gone says are gone; h.mu held.
func (h *hook) drop(id string, gone func(*mqtt.Client) bool) {
	kept := slices.DeleteFunc(h.admitted[id], gone)
	if len(kept) == 0 {
		delete(h.admitted, id)
		return
	}
	h.admitted[id] = kept
}
