package fleet

import (
	"context"
	"fmt"
	"strings"
)

// Filter selects devices in [Fleet.List]. Zero fields select everything.
type Filter struct {
	Site      string // exact site
	Prefix    string // device id prefix
	Search    string // id prefix or name containing it, case aside (ASCII)
	Presence  string // "online", "offline", "stale", "never", "disabled"
	Enabled   *bool
	OutOfSync bool   // only devices whose reported config version lags
	Limit     int    // default 500
	After     string // page: ids after this one
}

// List returns the devices that match flt, ordered by id.
func (f *Fleet) List(ctx context.Context, flt Filter) ([]Device, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if flt.Site != "" {
		add("site = $%d", flt.Site)
	}
	if flt.Prefix != "" {
		add(fmt.Sprintf("substr(id, 1, %d) = $%%d", len(flt.Prefix)), flt.Prefix)
	}
	if q := strings.ToLower(strings.TrimSpace(flt.Search)); q != "" {
		args = append(args, q, "%"+likeEscaper.Replace(q)+"%")
		where = append(where, fmt.Sprintf(`(substr(id, 1, %d) = $%d OR lower(name) LIKE $%d ESCAPE '\')`,
			len(q), len(args)-1, len(args)))
	}
	if flt.After != "" {
		add("id > $%d", flt.After)
	}
	if flt.Enabled != nil {
		add("enabled = $%d", boolInt(*flt.Enabled))
	}
	if flt.OutOfSync {
		where = append(where, "reported_version < desired_version")
	}
	q := `SELECT ` + deviceCols + ` FROM devices`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := flt.Limit
	if limit <= 0 || limit > 5000 {
		limit = 500
	}
	rows, err := f.db.SQL().QueryContext(ctx, q+fmt.Sprintf(" ORDER BY id LIMIT %d", limit), args...)
	if err != nil {
		return nil, fmt.Errorf("fleet: list: %w", err)
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		d, err := f.scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("fleet: list: %w", err)
		}
		if flt.Presence == "" || d.Presence == flt.Presence {
			out = append(out, d)
		}
	}
	return out, rows.Err()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// likeEscaper escapes the wildcards of LIKE (with ESCAPE '\').
var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)
