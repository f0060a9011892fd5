//go:build !unix

package vcard

import (
	"os"
	"sync"
)

var (
	lockMu  sync.Mutex
	holders = map[*os.File]bool{}
)

// tryLock is only a lock within this process: vpcd and pcscd run on Unix.
func tryLock(f *os.File) (bool, error) {
	lockMu.Lock()
	defer lockMu.Unlock()
	if len(holders) > 0 {
		return false, nil
	}
	holders[f] = true
	return true, nil
}

func release(f *os.File) {
	lockMu.Lock()
	defer lockMu.Unlock()
	delete(holders, f)
}
