//go:build !linux || !cgo

package pcsc

import (
	"errors"
	"testing"
)

func TestStubUnsupported(t *testing.T) {
	if _, err := Open(nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Open: err = %v, want ErrUnsupported", err)
	}
	if _, err := NewMonitor(nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("NewMonitor: err = %v, want ErrUnsupported", err)
	}
	if _, err := ReadInserted(t.Context(), nil, "x"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("ReadInserted: err = %v, want ErrUnsupported", err)
	}
}
