package fleet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// pruneBatch bounds the health rows one statement of PruneHealth deletes,
// so that the first prune of a long history holds no long lock.
var pruneBatch = 10000 // a variable for tests

// PruneHealth deletes the health rows older than before, in batches of
// at most pruneBatch rows, and returns how many it deleted.
func (f *Fleet) PruneHealth(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		// A batch ends with the rows at the time of the row after the
		// pruneBatch oldest (rows sharing it included, so that a batch
		// always deletes some), or at before when fewer are left.
		q, end, last := `DELETE FROM device_health WHERE at < $1`, micros(before), true
		var at int64
		err := f.db.SQL().QueryRowContext(ctx, `SELECT at FROM device_health WHERE at < $1 ORDER BY at
			LIMIT 1 OFFSET `+fmt.Sprint(pruneBatch), end).Scan(&at)
		switch {
		case err == nil:
			q, end, last = `DELETE FROM device_health WHERE at <= $1`, at, false
		case !errors.Is(err, sql.ErrNoRows):
			return total, fmt.Errorf("fleet: prune health: %w", err)
		}
		res, err := f.db.SQL().ExecContext(ctx, q, end)
		if err != nil {
			return total, fmt.Errorf("fleet: prune health: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
		if last || n == 0 {
			return total, nil
		}
	}
}

// PruneHealthEvery runs PruneHealth(now - HealthKeep) at once and then
// every interval until ctx ends; a failure is logged and tried again at
// the next tick.
func (f *Fleet) PruneHealthEvery(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := f.PruneHealth(ctx, f.now().Add(-HealthKeep))
		switch {
		case err != nil && ctx.Err() == nil:
			f.log.Warn("health history not pruned", "err", err)
		case n > 0:
			f.log.Info("health history pruned", "rows", n, "kept", HealthKeep)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
