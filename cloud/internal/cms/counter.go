package cms

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// counterCache remembers, briefly, the counter each device is registered
// at (fleet table devices, column counter), so that the engine does not
// read it for every operation and a change in the fleet registry is seen
// within one TTL.
type counterCache struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]cachedCounter
}

type cachedCounter struct {
	counter string
	until   time.Time
}

// counterOf returns the counter device dev is registered at: the devices
// row's counter, or the device id when the device is not registered (or
// has no counter), which keeps replays of operations by cmsctl working.
func (e *Engine) counterOf(ctx context.Context, dev string) (string, error) {
	now := e.opts.Now()
	c := &e.counters
	c.mu.Lock()
	hit, ok := c.m[dev]
	c.mu.Unlock()
	if ok && now.Before(hit.until) {
		return hit.counter, nil
	}
	var counter string
	err := e.db.SQL().QueryRowContext(ctx, `SELECT counter FROM devices WHERE id = $1`, dev).Scan(&counter)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: counter of device %s: %w", ErrStore, dev, err)
	}
	if counter == "" {
		counter = dev
	}
	c.mu.Lock()
	if len(c.m) > 100_000 { // a bound, not an eviction policy: the fleet is far smaller
		clear(c.m)
	}
	c.m[dev] = cachedCounter{counter: counter, until: now.Add(c.ttl)}
	c.mu.Unlock()
	return counter, nil
}

// resolveCounter sets op.counter to the device's registered counter and
// notes a body that names another one (refused as counter_mismatch, a fleet configuration fault).
func (e *Engine) resolveCounter(ctx context.Context, op *operation) error {
	counter, err := e.counterOf(ctx, op.env.Dev)
	if err != nil {
		return err
	}
	if named := op.common.Counter; named != "" && named != counter {
		op.badCounter = fmt.Sprintf("counter %q named by the operation is not the device's counter %q", named, counter)
	}
	op.counter = counter
	return nil
}
