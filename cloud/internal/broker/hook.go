package broker

import (
	"bytes"
	"context"
	"crypto/tls"
	"log/slog"
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
	gate    Gate
	log     *slog.Logger
	refused *metrics.CounterVec
	denied  *metrics.CounterVec
	roles   sync.Map // *mqtt.Client -> fleet.Role
}

func (h *hook) ID() string { return "cms-identity" }

func (h *hook) Provides(b byte) bool {
	return bytes.Contains([]byte{mqtt.OnConnectAuthenticate, mqtt.OnACLCheck, mqtt.OnDisconnect}, []byte{b})
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
	tc, ok := cl.Net.Conn.(*tls.Conn)
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
		return "not_admitted", false
	}
	if role == fleet.RoleDevice && cl.ID != cn {
		return "client_id_mismatch", false
	}
	if pk.Connect.WillFlag && !Allowed(role, cn, pk.Connect.WillTopic, true) {
		return "will_topic", false
	}
	cl.Properties.Username = []byte(cn)
	h.roles.Store(cl, role)
	return "", true
}

// OnACLCheck applies [Allowed] to the client's identity and role.
func (h *hook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	if cl.Net.Inline {
		return true
	}
	r, ok := h.roles.Load(cl)
	if ok && Allowed(r.(fleet.Role), string(cl.Properties.Username), topic, write) {
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

// OnDisconnect forgets the client's role.
func (h *hook) OnDisconnect(cl *mqtt.Client, _ error, _ bool) {
	h.roles.Delete(cl)
}
