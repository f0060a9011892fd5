package ingest

import (
	"errors"
	"fmt"

	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/shared/wire"
)

type counters struct {
	rejected *metrics.CounterVec
	acks     *metrics.CounterVec
	rpc      *metrics.CounterVec
	apply    *metrics.Histogram
	// acksBy holds the acks counter of each status, looked up once: With
	// takes the family's lock and builds a key on every call.
	acksBy map[wire.Status]*metrics.Counter
}

// ack returns the acks counter of status st.
func (c counters) ack(st wire.Status) *metrics.Counter {
	if n, ok := c.acksBy[st]; ok {
		return n
	}
	return c.acks.With(string(st))
}

func newCounters(reg *metrics.Registry) (counters, error) {
	var c counters
	var err error
	if c.rejected, err = reg.NewCounterVec("cms_ingest_rejected_total",
		"MQTT messages rejected by cmsd, by reason.", "reason"); err != nil {
		return c, fmt.Errorf("ingest: metrics: %w", err)
	}
	if c.acks, err = reg.NewCounterVec("cms_ingest_acks_total",
		"Operation acks published, by status.", "status"); err != nil {
		return c, fmt.Errorf("ingest: metrics: %w", err)
	}
	if c.rpc, err = reg.NewCounterVec("cms_ingest_rpc_total",
		"Requests answered, by method and outcome.", "method", "outcome"); err != nil {
		return c, fmt.Errorf("ingest: metrics: %w", err)
	}
	c.acksBy = map[wire.Status]*metrics.Counter{}
	for _, st := range []wire.Status{wire.StatusApplied, wire.StatusDuplicate, wire.StatusRejected, wire.StatusRetry} {
		c.acksBy[st] = c.acks.With(string(st))
	}
	if c.apply, err = reg.NewHistogram("cms_ingest_apply_seconds",
		"Time from receipt of an operation to its ack, in seconds.", nil); err != nil {
		return c, fmt.Errorf("ingest: metrics: %w", err)
	}
	return c, nil
}

// Reason returns the label under which a decoding error is counted.
func Reason(err error) string {
	for _, r := range []struct {
		err  error
		name string
	}{
		{wire.ErrOversize, "oversize"}, {wire.ErrVersion, "version"}, {wire.ErrType, "type"},
		{wire.ErrDeviceMismatch, "device_mismatch"}, {wire.ErrTopic, "topic"},
		{ErrWrongChannel, "wrong_channel"}, {wire.ErrMalformed, "malformed"},
	} {
		if errors.Is(err, r.err) {
			return r.name
		}
	}
	return "other"
}
