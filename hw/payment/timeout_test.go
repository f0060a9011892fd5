package payment_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"cnskiosk.dev/hw/coin"
	"cnskiosk.dev/hw/payment"
)

// TestTimeoutRestartsOnPulse: a citizen who starts feeding coins just
// before the timeout is not cut off; the payment completes.
func TestTimeoutRestartsOnPulse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, coin.ModeCoin)
		out := r.expect(t, t.Context(), price, 10*time.Second)
		r.coins(t, 200, 20)
		<-time.After(9900*time.Millisecond - 3*time.Second) // the next coin starts just before the first timeout
		r.coins(t, 200)
		o := <-out
		if o.err != nil || o.res.Status != payment.StatusPaid || o.res.ReceivedCents != price {
			t.Errorf("got %s %d cents (%v), want paid %d", o.res.Status, o.res.ReceivedCents, o.err, price)
		}
	})
}

// TestCoinInFlightCompletesCancelled: the coin in the validator when the
// payment is cancelled makes up the price: paid, not partial.
func TestCoinInFlightCompletesCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, coin.ModeCoin)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		out := r.expect(t, ctx, price, 10*time.Second)
		r.coins(t, 200, 20)
		synctest.Wait()
		coinErr := make(chan error, 1)
		go func() { coinErr <- r.inj.InsertCoin(t.Context(), 200) }()
		for u := r.waitUpdate(t, payment.UpdateProgress); u.ReceivedCents <= 220; u = r.waitUpdate(t, payment.UpdateProgress) {
		}
		cancel() // 2.00 is half-way through the validator
		o := <-out
		if err := <-coinErr; err != nil {
			t.Errorf("InsertCoin(200): %v", err)
		}
		if o.err != nil || o.res.Status != payment.StatusPaid || o.res.ReceivedCents != price || o.res.EndedBy != "" {
			t.Errorf("got %s (ended by %q) %d cents (%v), want paid %d", o.res.Status, o.res.EndedBy, o.res.ReceivedCents, o.err, price)
		}
	})
}
