//go:build linux && cgo

package pcsc

import (
	"errors"
	"testing"

	"github.com/ebfe/scard"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		in   error
		want error
	}{
		{scard.ErrNoService, ErrNoService},
		{scard.ErrServiceStopped, ErrNoService},
		{scard.ErrRemovedCard, ErrCardRemoved},
		{scard.ErrResetCard, ErrCardReset},
		{scard.ErrNoSmartcard, ErrNoCard},
		{scard.ErrUnknownReader, ErrNoReader},
	}
	for _, tt := range tests {
		got := wrap("op", tt.in)
		if !errors.Is(got, tt.want) || !errors.Is(got, tt.in) {
			t.Errorf("wrap(%v) = %v, want %v wrapping the original", tt.in, got, tt.want)
		}
	}
	if wrap("op", nil) != nil {
		t.Error("wrap(nil) != nil")
	}
}
