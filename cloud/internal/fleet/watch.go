package fleet

import (
	"context"
	"time"
)

// KickDisabled drops the live connections of every disabled device
// through the Kicker: a device disabled by another process (cmsctl) loses
// its connection within one poll of WatchDisabled. It reads the registry
// with the statement that loads the view of [Fleet.Enabled] and installs
// what it read there, so that while it polls, ingest seldom has to load
// the view itself. It returns how many disabled devices it looked at.
func (f *Fleet) KickDisabled(ctx context.Context) (int, error) {
	f.mu.Lock()
	k := f.kicker
	f.mu.Unlock()
	if k == nil {
		return 0, nil
	}
	ids, err := f.loadView(ctx, f.now())
	if err != nil {
		return 0, err
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
