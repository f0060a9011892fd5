package fleet

import (
	"context"
	"fmt"
	"time"
)

// KickDisabled drops the live connections of every disabled device
// through the Kicker: a device disabled by another process (cmsctl) loses
// its connection within one poll of WatchDisabled. It returns how many
// disabled devices it looked at.
func (f *Fleet) KickDisabled(ctx context.Context) (int, error) {
	f.mu.Lock()
	k := f.kicker
	f.mu.Unlock()
	if k == nil {
		return 0, nil
	}
	rows, err := f.db.SQL().QueryContext(ctx, `SELECT id FROM devices WHERE enabled = 0`)
	if err != nil {
		return 0, fmt.Errorf("fleet: disabled devices: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return 0, fmt.Errorf("fleet: disabled devices: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("fleet: disabled devices: %w", err)
	}
	for _, id := range ids {
		k.Kick(id)
	}
	return len(ids), nil
}

// WatchDisabled runs KickDisabled every interval until ctx ends.
func (f *Fleet) WatchDisabled(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := f.KickDisabled(ctx); err != nil && ctx.Err() == nil {
				f.log.Warn("disabled devices not checked", "err", err)
			}
		}
	}
}
