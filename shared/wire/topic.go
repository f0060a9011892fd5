package wire

import (
	"fmt"
	"strings"
)

// Prefix is the root of every topic of version 1 of the contract.
const Prefix = "cms/v1/dev/"

// Channel is the last part of a device topic: what the topic carries.
type Channel string

// The channels of a device. Direction and QoS are documented in docs/protocol.md.
const (
	ChanOps    Channel = "ops"     // kiosk -> cloud, QoS 1: committed operations, in order
	ChanAck    Channel = "ack"     // cloud -> kiosk, QoS 1: one result per operation id
	ChanRPCReq Channel = "rpc/req" // kiosk -> cloud, QoS 1: requests with correlation id and deadline
	ChanRPCRes Channel = "rpc/res" // cloud -> kiosk, QoS 1: responses
	ChanState  Channel = "state"   // kiosk -> cloud, heartbeat + health; last will = offline (retained)
	ChanConfig Channel = "config"  // cloud -> kiosk, QoS 1 retained: desired config
	ChanCmd    Channel = "cmd"     // cloud -> kiosk, QoS 1: commands
	ChanCmdRes Channel = "cmd/res" // kiosk -> cloud, QoS 1: command results
)

var channels = []Channel{ChanOps, ChanAck, ChanRPCReq, ChanRPCRes, ChanState, ChanConfig, ChanCmd, ChanCmdRes}

// Topic returns the topic of channel ch of device dev.
func Topic(dev string, ch Channel) string { return Prefix + dev + "/" + string(ch) }

// SharedOpsFilter is the shared-subscription filter several cloud instances
// use to split the operations of all devices between them.
const SharedOpsFilter = "$share/cms/" + Prefix + "+/ops"

// SharedRPCFilter is the shared-subscription filter for requests.
const SharedRPCFilter = "$share/cms/" + Prefix + "+/rpc/req"

// ParseTopic splits a device topic into device id and channel.
func ParseTopic(topic string) (dev string, ch Channel, err error) {
	rest, ok := strings.CutPrefix(topic, Prefix)
	if !ok {
		return "", "", fmt.Errorf("%w: %q", ErrTopic, topic)
	}
	dev, tail, ok := strings.Cut(rest, "/")
	if !ok || ValidateDeviceID(dev) != nil {
		return "", "", fmt.Errorf("%w: %q", ErrTopic, topic)
	}
	for _, c := range channels {
		if tail == string(c) {
			return dev, c, nil
		}
	}
	return "", "", fmt.Errorf("%w: %q", ErrTopic, topic)
}

// ValidateDeviceID checks a device id: 1 to 64 characters of [a-z0-9-_.],
// starting with a letter or digit. Device ids appear in topics, so MQTT
// wildcards and separators are never allowed.
func ValidateDeviceID(id string) error {
	if len(id) == 0 || len(id) > 64 {
		return fmt.Errorf("%w: device id length %d", ErrMalformed, len(id))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '-' || c == '_' || c == '.') && i > 0:
		default:
			return fmt.Errorf("%w: device id %q: character %q not allowed", ErrMalformed, id, c)
		}
	}
	return nil
}
