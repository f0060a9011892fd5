package fleet

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// HealthCursor is a position in a device's health history, which is
// ordered newest first by time and then by row key: the entries after it
// are those older than At, or as old with a smaller Key. Entries sharing
// a time (the kiosk's envelope time) are therefore neither skipped nor
// repeated across pages. The zero HealthCursor is before the newest entry.
type HealthCursor struct {
	At  time.Time
	Key int64
}

// Cursor is the position just after h, for the page that follows it.
func (h Health) Cursor() HealthCursor { return HealthCursor{At: h.At, Key: h.key} }

// IsZero reports whether c is the start of the history.
func (c HealthCursor) IsZero() bool { return c.At.IsZero() }

// String is "<at, unix microseconds>.<key>", read by [ParseHealthCursor];
// "" for the zero cursor.
func (c HealthCursor) String() string {
	if c.IsZero() {
		return ""
	}
	return strconv.FormatInt(c.At.UnixMicro(), 10) + "." + strconv.FormatInt(c.Key, 10)
}

// ParseHealthCursor reads a cursor written by [HealthCursor.String] ("":
// the zero cursor). A plain time in unix microseconds, the cursor of
// earlier versions, is the position before every entry of that time.
func ParseHealthCursor(s string) (HealthCursor, error) {
	if s == "" {
		return HealthCursor{}, nil
	}
	at, key, dotted := strings.Cut(s, ".")
	us, err := strconv.ParseInt(at, 10, 64)
	if err != nil || us <= 0 {
		return HealthCursor{}, fmt.Errorf("%w: %q", ErrCursor, s)
	}
	var k int64
	if dotted {
		if k, err = strconv.ParseInt(key, 10, 64); err != nil || k < 0 {
			return HealthCursor{}, fmt.Errorf("%w: %q", ErrCursor, s)
		}
	}
	return HealthCursor{At: fromMicros(us), Key: k}, nil
}

// History returns the health entries of dev since since, newest first, at
// most limit (default 100).
func (f *Fleet) History(ctx context.Context, dev string, since time.Time, limit int) ([]Health, error) {
	return f.HistoryBefore(ctx, dev, since, HealthCursor{}, limit)
}

// HistoryBefore is History from the entries after cursor c (zero: from
// the newest): with the Cursor of the last entry of a page, the next page.
func (f *Fleet) HistoryBefore(ctx context.Context, dev string, since time.Time, c HealthCursor, limit int) ([]Health, error) {
	if limit <= 0 || limit > 10000 {
		limit = 100
	}
	end, key := int64(math.MaxInt64), int64(0)
	if !c.IsZero() {
		end, key = micros(c.At), c.Key
	}
	rows, err := f.db.SQL().QueryContext(ctx, `SELECT id, at, online, firmware, config_version, reader, printer,
		payment, outbox_depth FROM device_health WHERE dev = $1 AND at >= $2 AND (at < $3 OR (at = $3 AND id < $4))
		ORDER BY at DESC, id DESC LIMIT `+fmt.Sprint(limit), dev, micros(since), end, key)
	if err != nil {
		return nil, fmt.Errorf("fleet: history of %s: %w", dev, err)
	}
	defer rows.Close()
	var out []Health
	for rows.Next() {
		var h Health
		var at int64
		var online int
		if err := rows.Scan(&h.key, &at, &online, &h.Firmware, &h.ConfigVersion, &h.Reader, &h.Printer,
			&h.Payment, &h.OutboxDepth); err != nil {
			return nil, fmt.Errorf("fleet: history of %s: %w", dev, err)
		}
		h.At, h.Online = fromMicros(at), online == 1
		out = append(out, h)
	}
	return out, rows.Err()
}
