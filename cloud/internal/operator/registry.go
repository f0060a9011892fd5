package operator

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/store"
)

// All, in Menus or Counters, enables every menu or counter.
const All = "*"

// Operator is a registered supervising operator.
type Operator struct {
	CF       string
	Name     string
	Role     string // "operator" or "supervisor"
	Enabled  bool
	Menus    []string // operation types, or All
	Counters []string // counter ids, or All
}

// CanMenu reports whether o is enabled for menu m.
func (o Operator) CanMenu(m string) bool {
	return slices.Contains(o.Menus, All) || slices.Contains(o.Menus, m)
}

// CanCounter reports whether o is enabled at counter c.
func (o Operator) CanCounter(c string) bool {
	return slices.Contains(o.Counters, All) || slices.Contains(o.Counters, c)
}

// Registry reads and writes operators, sessions and counters.
type Registry struct {
	db  *store.DB
	now func() time.Time
}

// NewRegistry returns a registry over db. now is the clock (nil: time.Now).
func NewRegistry(db *store.DB, now func() time.Time) *Registry {
	if now == nil {
		now = time.Now
	}
	return &Registry{db: db, now: now}
}

func joinList(l []string) string { return strings.Join(l, ",") }

// splitList splits a comma-separated list, dropping blanks around items
// and empty items; nil if there is none. One allocation: no intermediate
// slice of the parts.
func splitList(s string) []string {
	n := 0
	for f := range strings.SplitSeq(s, ",") {
		if strings.TrimSpace(f) != "" {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Get returns the operator with codice fiscale cf.
func (r *Registry) Get(ctx context.Context, cf string) (Operator, error) {
	var o Operator
	var enabled int
	var menus, counters string
	err := r.db.SQL().QueryRowContext(ctx, `SELECT cf, name, role, enabled, menus, counters FROM operators WHERE cf = $1`, cf).
		Scan(&o.CF, &o.Name, &o.Role, &enabled, &menus, &counters)
	if errors.Is(err, sql.ErrNoRows) {
		return Operator{}, fmt.Errorf("%w: %s", ErrNotFound, cf)
	}
	if err != nil {
		return Operator{}, fmt.Errorf("operator: get: %w", err)
	}
	o.Enabled, o.Menus, o.Counters = enabled == 1, splitList(menus), splitList(counters)
	return o, nil
}

// List returns every operator, by codice fiscale.
func (r *Registry) List(ctx context.Context) ([]Operator, error) {
	rows, err := r.db.SQL().QueryContext(ctx, `SELECT cf, name, role, enabled, menus, counters FROM operators ORDER BY cf`)
	if err != nil {
		return nil, fmt.Errorf("operator: list: %w", err)
	}
	defer rows.Close()
	var out []Operator
	for rows.Next() {
		var o Operator
		var enabled int
		var menus, counters string
		if err := rows.Scan(&o.CF, &o.Name, &o.Role, &enabled, &menus, &counters); err != nil {
			return nil, fmt.Errorf("operator: list: %w", err)
		}
		o.Enabled, o.Menus, o.Counters = enabled == 1, splitList(menus), splitList(counters)
		out = append(out, o)
	}
	return out, rows.Err()
}

// Upsert registers o or replaces its record.
func (r *Registry) Upsert(ctx context.Context, o Operator) error {
	if o.CF == "" || o.Name == "" {
		return fmt.Errorf("%w: cf and name are required", ErrInvalid)
	}
	if o.Role == "" {
		o.Role = "operator"
	}
	_, err := r.db.SQL().ExecContext(ctx, `INSERT INTO operators (cf, name, role, enabled, menus, counters, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (cf) DO UPDATE SET name = excluded.name, role = excluded.role, enabled = excluded.enabled,
			menus = excluded.menus, counters = excluded.counters, updated_at = excluded.updated_at`,
		o.CF, o.Name, o.Role, boolInt(o.Enabled), joinList(o.Menus), joinList(o.Counters), r.now().UnixMicro())
	if err != nil {
		return fmt.Errorf("operator: upsert: %w", err)
	}
	return nil
}

// SetEnabled enables or disables the operator cf.
func (r *Registry) SetEnabled(ctx context.Context, cf string, enabled bool) error {
	res, err := r.db.SQL().ExecContext(ctx, `UPDATE operators SET enabled = $2, updated_at = $3 WHERE cf = $1`,
		cf, boolInt(enabled), r.now().UnixMicro())
	if err != nil {
		return fmt.Errorf("operator: enable: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: %s", ErrNotFound, cf)
	}
	return nil
}

// Enable is SetEnabled.
func (r *Registry) Enable(ctx context.Context, cf string, enabled bool) error {
	return r.SetEnabled(ctx, cf, enabled)
}
