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
// table devices, column counter), read for the whole fleet in one
// statement instead of one query per device: at start a busy fleet sent
// one per kiosk at once. The first caller that finds the read older than
// ttl starts a new one in the background and, like every caller until it
// ends, answers from the previous read; only before the first read do
// callers wait for it. A change in the fleet registry is thus seen within
// about one ttl. An id missing from the read (registered since) is read
// alone and kept until the next read.
type counterCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	m       map[string]string // device id -> counter; nil before the first read
	at      time.Time         // when m was read
	err     error             // of the last read, if it failed
	loading chan struct{}     // closed when the read in flight ends
}

// counterLoadTimeout bounds one read of the fleet's counters; it runs
// detached from the caller that started it.
const counterLoadTimeout = 10 * time.Second

// counterOf returns the counter device dev is registered at: the devices
// row's counter, or the device id when the device is not registered (or
// has no counter), which keeps replays of operations by cmsctl working.
func (e *Engine) counterOf(ctx context.Context, dev string) (string, error) {
	c := &e.counters
	c.mu.Lock()
	if (c.m == nil || e.opts.Now().Sub(c.at) >= c.ttl) && c.loading == nil {
		c.loading = make(chan struct{})
		go e.reloadCounters(c.loading)
	}
	m, wait := c.m, c.loading
	c.mu.Unlock()
	if m == nil { // no read yet: wait for the first
		select {
		case <-wait:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		c.mu.Lock()
		m, err := c.m, c.err
		c.mu.Unlock()
		if m == nil {
			return "", err
		}
		return e.counterIn(ctx, m, dev)
	}
	return e.counterIn(ctx, m, dev)
}

func (e *Engine) counterIn(ctx context.Context, m map[string]string, dev string) (string, error) {
	c := &e.counters
	c.mu.Lock()
	counter, ok := m[dev]
	c.mu.Unlock()
	if ok {
		return counter, nil
	}
	return e.counterAlone(ctx, dev)
}

// reloadCounters reads the fleet's counters and installs them, then
// closes done.
func (e *Engine) reloadCounters(done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), counterLoadTimeout)
	defer cancel()
	m, err := e.loadCounters(ctx)
	c := &e.counters
	c.mu.Lock()
	defer c.mu.Unlock()
	c.err = err
	if err == nil {
		c.m, c.at = m, e.opts.Now()
	} else {
		e.log.Warn("device counters not read; the previous read stays in use", "err", err)
	}
	c.loading = nil
	close(done)
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
