package payment_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"cnskiosk.dev/hw/coin"
	"cnskiosk.dev/hw/payment"
)

// stuckInhibit is an acceptor whose INHIBIT line cannot be asserted.
type stuckInhibit struct {
	events chan coin.Event
	mu     sync.Mutex
	calls  []bool
}

func (a *stuckInhibit) Events() <-chan coin.Event { return a.events }

func (a *stuckInhibit) SetInhibit(on bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, on)
	if on {
		return errors.New("gpio27: write failed")
	}
	return nil
}

// TestInhibitFailureIsReported: when INHIBIT cannot be asserted after the
// payment, the result says the device is faulty and Expect returns
// ErrDevice with it; times come from the injected clock.
func TestInhibitFailureIsReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		acc := &stuckInhibit{events: make(chan coin.Event, 4)}
		clock := time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		now := func() time.Time { mu.Lock(); defer mu.Unlock(); clock = clock.Add(time.Second); return clock }
		log := slog.New(slog.NewTextHandler(t.Output(), nil))
		p := payment.New(acc, payment.Options{Now: now}, log)
		done := make(chan error, 1)
		go func() { done <- p.Run(context.Background()) }()
		go func() {
			for u := range p.Updates() {
				if u.Kind == payment.UpdateStarted {
					acc.events <- coin.Event{Kind: coin.EventTrain, Train: coin.Train{Count: 42, Cents: price}}
					return
				}
			}
		}()
		res, err := p.Expect(t.Context(), price, time.Minute)
		if !errors.Is(err, payment.ErrDevice) {
			t.Errorf("Expect err = %v, want ErrDevice", err)
		}
		if res.Status != payment.StatusPaid || res.ReceivedCents != price || res.Fault == "" {
			t.Errorf("result %+v, want paid with a fault", res)
		}
		if want := time.Date(2025, 3, 14, 10, 0, 1, 0, time.UTC); !res.Started.Equal(want) || !res.Ended.After(want) {
			t.Errorf("started %v ended %v, want the injected clock from %v", res.Started, res.Ended, want)
		}
		if err := p.Close(); err != nil && !errors.Is(err, payment.ErrDevice) {
			t.Errorf("Close: %v", err)
		}
		<-done
	})
}
