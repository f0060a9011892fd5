package cms

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// counterCache holds the counter every registered device is at (fleet
// table devices, column counter), loaded in one statement at most every
// ttl by the first caller that finds it stale, instead of one query per
// device: at start a busy fleet sent one per kiosk at once. A change in
// the fleet registry is seen within one ttl. An id missing from the load
// (registered since) is looked up alone and kept until the next load.
type counterCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	m       map[string]string // device id -> counter
	at      time.Time         // when m was loaded; zero: never
	loading chan struct{}     // closed when the load in flight ends
}

// counterOf returns the counter device dev is registered at: the devices
// row's counter, or the device id when the device is not registered (or
// has no counter), which keeps replays of operations by cmsctl working.
func (e *Engine) counterOf(ctx context.Context, dev string) (string, error) {
	c := &e.counters
	for {
		now := e.opts.Now()
		c.mu.Lock()
		if !c.at.IsZero() && now.Sub(c.at) < c.ttl {
			counter, ok := c.m[dev]
			c.mu.Unlock()
			if ok {
				return counter, nil
			}
			return e.counterAlone(ctx, dev)
		}
		if wait := c.loading; wait != nil {
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		done := make(chan struct{})
		c.loading = done
		c.mu.Unlock()
		m, err := e.loadCounters(ctx)
		c.mu.Lock()
		if err == nil {
			c.m, c.at = m, now
		}
		c.loading = nil
		close(done)
		c.mu.Unlock()
		if err != nil {
			return "", err
		}
	}
}

// loadCounters reads the counter of every registered device.
func (e *Engine) loadCounters(ctx context.Context) (map[string]string, error) {
	rows, err := e.db.SQL().QueryContext(ctx, `SELECT id, counter FROM devices`)
	if err != nil {
		return nil, fmt.Errorf("%w: device counters: %w", ErrStore, err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var id, counter string
		if err := rows.Scan(&id, &counter); err != nil {
			return nil, fmt.Errorf("%w: device counters: %w", ErrStore, err)
		}
		if counter == "" {
			counter = id
		}
		m[id] = counter
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: device counters: %w", ErrStore, err)
	}
	return m, nil
}

// counterAlone looks up one device missing from the last load and keeps
// the answer until the next load.
func (e *Engine) counterAlone(ctx context.Context, dev string) (string, error) {
	var counter string
	err := e.db.SQL().QueryRowContext(ctx, `SELECT counter FROM devices WHERE id = $1`, dev).Scan(&counter)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: counter of device %s: %w", ErrStore, dev, err)
	}
	if counter == "" {
		counter = dev
	}
	c := &e.counters
	c.mu.Lock()
	if len(c.m) < 100_000 { // a bound: the fleet is far smaller, and unknown devices are refused before
		c.m[dev] = counter
	}
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
