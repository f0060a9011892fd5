package payment_test

import (
	"context"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"cnskiosk.dev/hw/coin"
	"cnskiosk.dev/hw/gpiosim"
	"cnskiosk.dev/hw/payment"
	"periph.io/x/conn/v3/gpio"
)

const price = 420 // a smart card reader, EUR 4.20

type rig struct {
	line, inh *gpiosim.Pin
	inj       *gpiosim.Injector
	pay       *payment.Payment
}

func newRig(t *testing.T, mode coin.Mode) *rig {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := &rig{line: gpiosim.NewPin("GPIO17", 17), inh: gpiosim.NewPin("GPIO27", 27)}
	acc, err := coin.New(r.line, r.inh, coin.Options{Decoder: coin.Config{Mode: mode}}, log)
	if err != nil {
		t.Fatalf("coin.New: %v", err)
	}
	r.inj = gpiosim.NewInjector(r.line, r.inh)
	r.pay = payment.New(acc, payment.Options{}, log)
	accErr, payErr := make(chan error, 1), make(chan error, 1)
	go func() { accErr <- acc.Run(context.Background()) }()
	go func() { payErr <- r.pay.Run(context.Background()) }()
	t.Cleanup(func() {
		if err := r.pay.Close(); err != nil {
			t.Errorf("payment Close: %v", err)
		}
		if err := acc.Close(); err != nil {
			t.Errorf("coin Close: %v", err)
		}
		for _, c := range []chan error{payErr, accErr} {
			if err := <-c; err != nil {
				t.Errorf("Run: %v", err)
			}
		}
	})
	return r
}

type outcome struct {
	res payment.Result
	err error
}

// expect starts a payment and returns once INHIBIT is lifted.
func (r *rig) expect(t *testing.T, ctx context.Context, cents int64, timeout time.Duration) <-chan outcome {
	t.Helper()
	out := make(chan outcome, 1)
	go func() {
		res, err := r.pay.Expect(ctx, cents, timeout)
		out <- outcome{res, err}
	}()
	r.waitUpdate(t, payment.UpdateStarted)
	if got := r.inh.Read(); got != gpio.Low {
		t.Fatalf("INHIBIT during payment = %v, want Low (lifted)", got)
	}
	return out
}

func (r *rig) waitUpdate(t *testing.T, kind payment.UpdateKind) payment.Update {
	t.Helper()
	for u := range r.pay.Updates() {
		if u.Kind == kind {
			return u
		}
	}
	t.Fatalf("updates closed before %s", kind)
	return payment.Update{}
}

func (r *rig) coins(t *testing.T, cents ...int64) {
	t.Helper()
	for _, c := range cents {
		if err := r.inj.InsertCoin(t.Context(), c); err != nil {
			t.Fatalf("InsertCoin(%d): %v", c, err)
		}
	}
}

func TestPaymentOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		coins    []int64
		cancel   bool
		want     payment.Status
		endedBy  payment.Status
		received int64
		overpaid int64
		duration time.Duration // Ended - Started, when checked
	}{
		{name: "paid exact", coins: []int64{200, 200, 20}, want: payment.StatusPaid, received: 420},
		{name: "overpaid", coins: []int64{200, 200, 50}, want: payment.StatusPaid, received: 450, overpaid: 30},
		{name: "one big train", coins: []int64{200, 100, 100, 50}, want: payment.StatusPaid, received: 450, overpaid: 30},
		// The timeout restarts at the last pulse (1.105 s), then the grace time.
		{name: "timeout with partial", coins: []int64{100}, want: payment.StatusPartial, endedBy: payment.StatusTimeout, received: 100,
			duration: 1105*time.Millisecond + 30*time.Second + 600*time.Millisecond},
		{name: "timeout nothing paid", want: payment.StatusTimeout, duration: 30*time.Second + 600*time.Millisecond},
		{name: "cancelled with partial", coins: []int64{50}, cancel: true, want: payment.StatusPartial, endedBy: payment.StatusCancelled, received: 50},
		{name: "cancelled nothing paid", cancel: true, want: payment.StatusCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, coin.ModeCoin)
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				out := r.expect(t, ctx, price, 30*time.Second)
				r.coins(t, tt.coins...)
				if tt.cancel {
					synctest.Wait() // the last train is closed and counted
					cancel()
				}
				o := <-out
				if o.err != nil {
					t.Fatalf("Expect: %v", o.err)
				}
				got := o.res
				if got.Status != tt.want || got.EndedBy != tt.endedBy || got.ReceivedCents != tt.received || got.OverpaidCents != tt.overpaid {
					t.Errorf("got %s received %d overpaid %d, want %s %d %d", got.Status,
						got.ReceivedCents, got.OverpaidCents, tt.want, tt.received, tt.overpaid)
				}
				if n := int64(len(got.Pulses)) * 10; n != got.ReceivedCents {
					t.Errorf("pulse log holds %d cents, received %d", n, got.ReceivedCents)
				}
				if d := got.Ended.Sub(got.Started); tt.duration != 0 && d != tt.duration {
					t.Errorf("payment lasted %v, want %v", d, tt.duration)
				}
				if got := r.inh.Read(); got != gpio.High {
					t.Errorf("INHIBIT after payment = %v, want High", got)
				}
			})
		})
	}
}
