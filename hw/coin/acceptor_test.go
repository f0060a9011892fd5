package coin_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"cnskiosk.dev/hw/coin"
	"cnskiosk.dev/hw/gpiosim"
	"periph.io/x/conn/v3/gpio"
)

func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// rig is an acceptor on simulated lines, running until the test ends.
type rig struct {
	line, inh *gpiosim.Pin
	acc       *coin.Acceptor
	inj       *gpiosim.Injector
}

func newRig(t *testing.T, opt coin.Options) *rig {
	t.Helper()
	r := &rig{line: gpiosim.NewPin("GPIO17", 17), inh: gpiosim.NewPin("GPIO27", 27)}
	acc, err := coin.New(r.line, r.inh, opt, testLog(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	r.acc = acc
	r.inj = gpiosim.NewInjector(r.line, r.inh)
	errc := make(chan error, 1)
	go func() { errc <- acc.Run(t.Context()) }()
	t.Cleanup(func() {
		if err := acc.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := <-errc; err != nil && !errors.Is(err, coin.ErrClosed) {
			t.Errorf("Run: %v", err)
		}
	})
	return r
}

// next returns the next event of one of the kinds, skipping the others.
func next(t *testing.T, ch <-chan coin.Event, kinds ...coin.EventKind) coin.Event {
	t.Helper()
	for e := range ch {
		for _, k := range kinds {
			if e.Kind == k {
				return e
			}
		}
	}
	t.Fatalf("events closed before %v", kinds)
	return coin.Event{}
}

func TestAcceptorInhibitAndTrains(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, coin.Options{})
		ctx := t.Context()
		if got, want := r.inh.Read(), gpio.High; got != want {
			t.Fatalf("INHIBIT after New = %v, want %v", got, want)
		}
		if err := r.inj.InsertCoin(ctx, 100); !errors.Is(err, gpiosim.ErrInhibited) {
			t.Fatalf("coin while inhibited: err = %v, want ErrInhibited", err)
		}
		if err := r.acc.SetInhibit(false); err != nil {
			t.Fatal(err)
		}
		if got, want := r.inh.Read(), gpio.Low; got != want {
			t.Fatalf("INHIBIT lifted = %v, want %v", got, want)
		}
		start := time.Now()
		for _, c := range []int64{200, 50} { // back to back: one merged train
			if err := r.inj.InsertCoin(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		e := next(t, r.acc.Events(), coin.EventTrain)
		if got, want := e.Train.Cents, int64(250); got != want {
			t.Errorf("train cents = %d, want %d", got, want)
		}
		if got, want := e.Train.Start, start; !got.Equal(want) {
			t.Errorf("train start = %v, want %v", got, want)
		}
		// 25 pulses of 20 ms, 100 ms apart: the last ends 24*120+20 ms in.
		if got, want := e.Train.End.Sub(start), 2900*time.Millisecond; got != want {
			t.Errorf("train length = %v, want %v", got, want)
		}
		for i, p := range e.Train.Pulses {
			if p.Width != gpiosim.PulseWidth {
				t.Errorf("pulse %d width = %v, want %v", i, p.Width, gpiosim.PulseWidth)
			}
		}
	})
}

func TestAcceptorGlitchAndPOS(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, coin.Options{Decoder: coin.Config{Mode: coin.ModePOS}})
		ctx := t.Context()
		if err := r.inj.Glitch(ctx, 2*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if e := next(t, r.acc.Events(), coin.EventGlitch, coin.EventApproved); e.Kind != coin.EventGlitch {
			t.Fatalf("got %v, want a glitch first", e.Kind)
		}
		if err := r.inj.POSApprove(ctx); err != nil {
			t.Fatal(err)
		}
		e := next(t, r.acc.Events(), coin.EventApproved)
		if e.Pulse.Width < coin.DefaultPOSMinWidth {
			t.Errorf("approval width %v below %v", e.Pulse.Width, coin.DefaultPOSMinWidth)
		}
	})
}

func TestAcceptorCloseStopsRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, coin.Options{})
		if err := r.acc.Close(); err != nil {
			t.Fatal(err)
		}
		if _, ok := <-r.acc.Events(); ok {
			t.Error("events still open after Close")
		}
		if err := r.acc.SetInhibit(false); !errors.Is(err, coin.ErrClosed) {
			t.Errorf("SetInhibit after Close: err = %v, want ErrClosed", err)
		}
		if got, want := r.inh.Read(), gpio.High; got != want {
			t.Errorf("INHIBIT after Close = %v, want %v", got, want)
		}
		if err := r.acc.Run(context.Background()); !errors.Is(err, coin.ErrClosed) {
			t.Errorf("Run after Close: err = %v, want ErrClosed", err)
		}
	})
}

func TestNewRejectsBadConfig(t *testing.T) {
	line := gpiosim.NewPin("GPIO17", 17)
	_, err := coin.New(line, nil, coin.Options{Decoder: coin.Config{Glitch: 100 * time.Millisecond}}, testLog(t))
	if !errors.Is(err, coin.ErrConfig) {
		t.Fatalf("err = %v, want ErrConfig", err)
	}
}
