package wire

import (
	"errors"
	"strings"
	"testing"
)

func TestTopicRoundTrip(t *testing.T) {
	for _, dev := range []string{"kiosk-fi-careggi-01", "k", "0", "a.b_c-d", strings.Repeat("z", 64)} {
		for _, ch := range channels {
			topic := Topic(dev, ch)
			gotDev, gotCh, err := ParseTopic(topic)
			if gotDev != dev || gotCh != ch || err != nil {
				t.Errorf("ParseTopic(%q) = %q, %q, %v; want %q, %q", topic, gotDev, gotCh, err, dev, ch)
			}
		}
	}
}

func TestTopicNames(t *testing.T) {
	tests := []struct {
		ch   Channel
		want string
	}{
		{ChanOps, "cms/v1/dev/k1/ops"},
		{ChanAck, "cms/v1/dev/k1/ack"},
		{ChanRPCReq, "cms/v1/dev/k1/rpc/req"},
		{ChanRPCRes, "cms/v1/dev/k1/rpc/res"},
		{ChanState, "cms/v1/dev/k1/state"},
		{ChanConfig, "cms/v1/dev/k1/config"},
		{ChanCmd, "cms/v1/dev/k1/cmd"},
		{ChanCmdRes, "cms/v1/dev/k1/cmd/res"},
	}
	for _, tt := range tests {
		if got := Topic("k1", tt.ch); got != tt.want {
			t.Errorf("Topic(k1, %s) = %q, want %q", tt.ch, got, tt.want)
		}
	}
	if SharedOpsFilter != "$share/cms/cms/v1/dev/+/ops" || SharedRPCFilter != "$share/cms/cms/v1/dev/+/rpc/req" {
		t.Errorf("shared filters = %q, %q", SharedOpsFilter, SharedRPCFilter)
	}
}

func TestParseTopicErrors(t *testing.T) {
	for _, topic := range []string{
		"",
		"cms/v1/dev/",
		"cms/v1/dev/k1",
		"cms/v1/dev/k1/",
		"cms/v2/dev/k1/ops",
		"cms/v1/dev/k1/opsx",
		"cms/v1/dev/k1/rpc",
		"cms/v1/dev/k1/ops/extra",
		"cms/v1/dev/+/ops",
		"cms/v1/dev/#",
		"cms/v1/dev/K1/ops",
		"cms/v1/dev/-k1/ops",
		"cms/v1/dev//ops",
		"cms/v1/dev/" + strings.Repeat("z", 65) + "/ops",
		"/cms/v1/dev/k1/ops",
	} {
		dev, ch, err := ParseTopic(topic)
		if !errors.Is(err, ErrTopic) || dev != "" || ch != "" {
			t.Errorf("ParseTopic(%q) = %q, %q, %v; want ErrTopic", topic, dev, ch, err)
		}
	}
}

func TestValidateDeviceID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"kiosk-01", true},
		{"0abc", true},
		{"a.b_c", true},
		{strings.Repeat("a", 64), true},
		{"", false},
		{strings.Repeat("a", 65), false},
		{"-a", false},
		{".a", false},
		{"Kiosk", false},
		{"a/b", false},
		{"a+b", false},
		{"a#", false},
		{"a b", false},
		{"città", false},
	}
	for _, tt := range tests {
		err := ValidateDeviceID(tt.id)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrMalformed)) {
			t.Errorf("ValidateDeviceID(%q) = %v, want ok=%v", tt.id, err, tt.ok)
		}
	}
}
