package operator

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"cnskiosk.dev/cloud/internal/rules"
)

// Counter returns the counter id, or a counter with no capabilities when it
// is not registered (every kiosk is a plain counter by default).
func Counter(ctx context.Context, db Querier, id string) (rules.Counter, error) {
	c := rules.Counter{ID: id}
	var caps string
	err := db.QueryRowContext(ctx, `SELECT name, capabilities FROM counters WHERE id = $1`, id).Scan(&c.Name, &caps)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("operator: counter: %w", err)
	}
	c.Capabilities = rules.ParseCapabilities(caps)
	return c, nil
}

// GetCounter returns the counter id (see Counter).
func (r *Registry) GetCounter(ctx context.Context, id string) (rules.Counter, error) {
	return Counter(ctx, r.db.SQL(), id)
}

// UpsertCounter registers c or replaces its name and capabilities. The
// counters table is the single source of truth for capabilities: cmsctl
// counters set and the console both write it through here.
func (r *Registry) UpsertCounter(ctx context.Context, c rules.Counter) error {
	if c.ID == "" {
		return fmt.Errorf("%w: counter id required", ErrInvalid)
	}
	caps := make([]string, len(c.Capabilities))
	for i, k := range c.Capabilities {
		caps[i] = string(k)
	}
	_, err := r.db.SQL().ExecContext(ctx, `INSERT INTO counters (id, name, capabilities, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, capabilities = excluded.capabilities,
			updated_at = excluded.updated_at`, c.ID, c.Name, joinList(caps), r.now().UnixMicro())
	if err != nil {
		return fmt.Errorf("operator: upsert counter: %w", err)
	}
	return nil
}

// ListCounters returns every registered counter, by id.
func (r *Registry) ListCounters(ctx context.Context) ([]rules.Counter, error) {
	rows, err := r.db.SQL().QueryContext(ctx, `SELECT id, name, capabilities FROM counters ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("operator: list counters: %w", err)
	}
	defer rows.Close()
	var out []rules.Counter
	for rows.Next() {
		var c rules.Counter
		var caps string
		if err := rows.Scan(&c.ID, &c.Name, &caps); err != nil {
			return nil, fmt.Errorf("operator: list counters: %w", err)
		}
		c.Capabilities = rules.ParseCapabilities(caps)
		out = append(out, c)
	}
	return out, rows.Err()
}
