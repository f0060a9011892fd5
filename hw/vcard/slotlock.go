package vcard

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SlotLockFile is the file whose lock [LockSlots] takes. Every process
// that puts virtual cards in the machine's vpcd slots takes it, so that two
// test binaries run by "go test ./..." do not steal each other's cards.
var SlotLockFile = filepath.Join(os.TempDir(), "cnskiosk-vpcd-slots.lock")

// lockPoll is how often LockSlots retries while another process holds the
// lock (flock cannot wait with a context).
const lockPoll = 20 * time.Millisecond

// LockSlots takes the machine-wide lock of the vpcd slots, waiting while
// another process (or another caller in this one) holds it, until ctx
// ends. The returned func releases it. The lock is an flock(2) on
// SlotLockFile: the kernel drops it if the process dies.
func LockSlots(ctx context.Context) (unlock func() error, err error) {
	f, err := os.OpenFile(SlotLockFile, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSlotLock, err)
	}
	t := time.NewTicker(lockPoll)
	defer t.Stop()
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%w: %s: %v", ErrSlotLock, SlotLockFile, err)
		}
		if ok {
			return func() error { release(f); return f.Close() }, nil
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("%w: %s held by another process: %w", ErrSlotLock, SlotLockFile, ctx.Err())
		case <-t.C:
		}
	}
}
