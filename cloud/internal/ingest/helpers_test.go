package ingest_test

import (
	"encoding/json"

	"cnskiosk.dev/cloud/internal/fleet"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func fleetDevice(id string) fleet.Device { return fleet.Device{ID: id} }
