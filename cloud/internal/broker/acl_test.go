package broker

import (
	"testing"

	"cnskiosk.dev/cloud/internal/fleet"
)

func TestAllowed(t *testing.T) {
	tests := []struct {
		role  fleet.Role
		cn    string
		topic string
		write bool
		want  bool
	}{
		{fleet.RoleDevice, "k1", "cms/v1/dev/k1/ops", true, true},
		{fleet.RoleDevice, "k1", "cms/v1/dev/k1/state", true, true},
		{fleet.RoleDevice, "k1", "cms/v1/dev/k1/cmd/res", true, true},
		{fleet.RoleDevice, "k1", "cms/v1/dev/k1/ack", true, false},
		{fleet.RoleDevice, "k1", "cms/v1/dev/k2/ops", true, false},
		{fleet.RoleDevice, "k1", "cms/v1/dev/k1/ack", false, true},
		{fleet.RoleDevice, "k1", "cms/v1/dev/k1/config", false, true},
		{fleet.RoleDevice, "k1", "cms/v1/dev/k1/ops", false, false},
		{fleet.RoleDevice, "k1", "cms/v1/dev/+/ack", false, false},
		{fleet.RoleDevice, "k1", "cms/v1/dev/k1/#", false, false},
		{fleet.RoleDevice, "k1", "$share/cms/cms/v1/dev/+/ops", false, false},
		{fleet.RoleCloud, "cmsd", "$share/cms/cms/v1/dev/+/ops", false, true},
		{fleet.RoleCloud, "cmsd", "cms/v1/dev/k1/ack", true, true},
		{fleet.RoleCloud, "cmsd", "$SYS/#", false, false},
		{"", "k1", "cms/v1/dev/k1/ops", true, false},
	}
	for _, tt := range tests {
		if got := Allowed(tt.role, tt.cn, tt.topic, tt.write); got != tt.want {
			t.Errorf("Allowed(%s, %s, %s, write=%v) = %v, want %v", tt.role, tt.cn, tt.topic, tt.write, got, tt.want)
		}
	}
}
