package payment_test

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"cnskiosk.dev/hw/coin"
	"cnskiosk.dev/hw/gpiosim"
	"cnskiosk.dev/hw/payment"
)

func TestExpectRejects(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, coin.ModeCoin)
		ctx := t.Context()
		if _, err := r.pay.Expect(ctx, 0, time.Minute); !errors.Is(err, payment.ErrAmount) {
			t.Errorf("zero amount: err = %v, want ErrAmount", err)
		}
		if _, err := r.pay.Expect(ctx, price, 0); !errors.Is(err, payment.ErrTimeout) {
			t.Errorf("zero timeout: err = %v, want ErrTimeout", err)
		}
		out := r.expect(t, ctx, price, time.Minute)
		if _, err := r.pay.Expect(ctx, price, time.Minute); !errors.Is(err, payment.ErrBusy) {
			t.Errorf("second payment: err = %v, want ErrBusy", err)
		}
		r.coins(t, 200, 200, 20)
		if o := <-out; o.res.Status != payment.StatusPaid {
			t.Errorf("first payment = %+v", o)
		}
	})
}

func TestInhibitedAfterPaid(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, coin.ModeCoin)
		out := r.expect(t, t.Context(), 100, time.Minute)
		r.coins(t, 100)
		<-out
		if err := r.inj.InsertCoin(t.Context(), 100); !errors.Is(err, gpiosim.ErrInhibited) {
			t.Errorf("coin after payment: err = %v, want ErrInhibited", err)
		}
	})
}

func TestAnomalyWhileInhibited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, coin.ModeCoin)
		// A faulty acceptor pays out pulses although inhibited.
		if err := r.inj.Pulses(t.Context(), 5, gpiosim.PulseWidth, gpiosim.PulseGap); err != nil {
			t.Fatal(err)
		}
		u := r.waitUpdate(t, payment.UpdateAnomaly)
		if got, want := u.ReceivedCents, int64(50); got != want {
			t.Errorf("anomaly cents = %d, want %d", got, want)
		}
		if got, want := r.pay.Anomalies(), int64(1); got != want {
			t.Errorf("Anomalies() = %d, want %d", got, want)
		}
	})
}

func TestCoinInFlightAtTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, coin.ModeCoin)
		out := r.expect(t, t.Context(), price, 10*time.Second)
		<-time.After(9900 * time.Millisecond) // bubble time: the coin starts 100 ms before the first timeout
		r.coins(t, 200)                       // 20 pulses, 2.3 s: ends well after the timeout
		o := <-out
		if o.res.Status != payment.StatusPartial || o.res.EndedBy != payment.StatusTimeout || o.res.ReceivedCents != 200 {
			t.Errorf("got %s %d cents, want partial (timeout) with 200", o.res.Status, o.res.ReceivedCents)
		}
		if got := r.pay.Anomalies(); got != 0 {
			t.Errorf("Anomalies() = %d, want 0", got)
		}
	})
}

func TestPOSApproval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, coin.ModePOS)
		out := r.expect(t, t.Context(), price, time.Minute)
		if err := r.inj.POSApprove(t.Context()); err != nil {
			t.Fatal(err)
		}
		o := <-out
		if !o.res.Approved || o.res.Status != payment.StatusPaid || o.res.ReceivedCents != price {
			t.Errorf("got %+v, want paid and approved", o.res)
		}
	})
}

func TestProgressUpdates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, coin.ModeCoin)
		out := r.expect(t, t.Context(), price, time.Minute)
		r.coins(t, 200)
		u := r.waitUpdate(t, payment.UpdateProgress)
		if u.ExpectedCents != price || u.ReceivedCents <= 0 || u.ReceivedCents > 200 {
			t.Errorf("first progress = %+v", u)
		}
		r.coins(t, 200, 20)
		if u := r.waitUpdate(t, payment.UpdateDone); u.Status != payment.StatusPaid || u.ReceivedCents != price {
			t.Errorf("done = %+v", u)
		}
		<-out
	})
}

func TestCloseCancelsPayment(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, coin.ModeCoin)
		out := r.expect(t, t.Context(), price, time.Minute)
		r.coins(t, 100)
		synctest.Wait()
		if err := r.pay.Close(); err != nil {
			t.Fatal(err)
		}
		o := <-out
		if o.err != nil || o.res.Status != payment.StatusPartial || o.res.EndedBy != payment.StatusCancelled || o.res.ReceivedCents != 100 {
			t.Errorf("got %+v, %v; want cancelled with 100", o.res, o.err)
		}
		if _, err := r.pay.Expect(t.Context(), price, time.Minute); !errors.Is(err, payment.ErrClosed) {
			t.Errorf("Expect after Close: err = %v, want ErrClosed", err)
		}
	})
}
