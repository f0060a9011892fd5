package broker

import (
	"strings"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/shared/wire"
)

// devicePub are the channels a device may publish on, devSub those it may
// subscribe to.
var (
	devicePub = []wire.Channel{wire.ChanOps, wire.ChanRPCReq, wire.ChanState, wire.ChanCmdRes}
	deviceSub = []wire.Channel{wire.ChanAck, wire.ChanRPCRes, wire.ChanConfig, wire.ChanCmd}
)

// Allowed reports whether a client with identity cn and role may publish
// (write) on topic, or subscribe to / receive from (read) the filter topic.
func Allowed(role fleet.Role, cn, topic string, write bool) bool {
	switch role {
	case fleet.RoleCloud:
		t := strings.TrimPrefix(topic, "$share/cms/")
		return strings.HasPrefix(t, wire.Prefix)
	case fleet.RoleDevice:
		chans := deviceSub
		if write {
			chans = devicePub
		}
		for _, ch := range chans {
			if topic == wire.Topic(cn, ch) {
				return true
			}
		}
	}
	return false
}
