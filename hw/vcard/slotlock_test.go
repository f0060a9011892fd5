package vcard

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

func TestLockSlots(t *testing.T) {
	old := SlotLockFile
	SlotLockFile = filepath.Join(t.TempDir(), "slots.lock")
	t.Cleanup(func() { SlotLockFile = old })

	unlock, err := LockSlots(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := LockSlots(cancelled); !errors.Is(err, ErrSlotLock) || !errors.Is(err, context.Canceled) {
		t.Fatalf("second lock while held: err = %v, want ErrSlotLock and context.Canceled", err)
	}
	got := make(chan error, 1)
	go func() {
		u, err := LockSlots(t.Context()) // waits for the first holder
		if err == nil {
			err = u()
		}
		got <- err
	}()
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("lock after release: %v", err)
	}
}
