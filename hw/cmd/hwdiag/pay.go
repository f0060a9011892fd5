package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"cnskiosk.dev/hw/coin"
	"cnskiosk.dev/hw/gpiosim"
	"periph.io/x/conn/v3/gpio"
)

// payWatch shows what the payment line does until ctx ends, -duration
// passes or, with -sim, the simulated coins are all in.
func payWatch(ctx context.Context, cfg config, out io.Writer, log *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.duration > 0 {
		ctx, cancel = context.WithTimeout(ctx, cfg.duration)
		defer cancel()
	}
	in, inh, inj, err := payPins(cfg)
	if err != nil {
		return err
	}
	acc, err := coin.New(in, inh, payOptions(cfg), log)
	if err != nil {
		return err
	}
	defer acc.Close()
	if err := acc.SetInhibit(!cfg.accept); err != nil {
		return err
	}
	w := newWatcher(out, cfg.json, time.Now())
	w.header(cfg)
	done := make(chan error, 1)
	go func() { done <- acc.Run(ctx) }()
	if inj != nil {
		go func() {
			simulate(ctx, cfg, inj, w)
			cancel()
		}()
	}
	for e := range acc.Events() {
		w.event(e)
	}
	w.summary()
	return <-done
}

func payOptions(cfg config) coin.Options {
	mode := coin.ModeCoin
	if cfg.mode == "pos" {
		mode = coin.ModePOS
	}
	return coin.Options{
		Decoder:    coin.Config{Mode: mode, PulseCents: cfg.pulseCents},
		ActiveHigh: cfg.activeHigh,
	}
}

// payPins opens the real lines, or simulated ones with an injector.
func payPins(cfg config) (gpio.PinIn, gpio.PinOut, *gpiosim.Injector, error) {
	if !cfg.sim {
		in, inh, err := coin.OpenPins(cfg.pin, cfg.inhibit)
		return in, inh, nil, err
	}
	in := gpiosim.NewPin(cfg.pin, 17)
	inh := gpiosim.NewPin(cfg.inhibit, 27)
	inj := gpiosim.NewInjector(in, inh)
	inj.ActiveHigh = cfg.activeHigh
	inj.PulseCents = cfg.pulseCents
	return in, inh, inj, nil
}

// simulate plays the -sim script: the coins one second apart, a glitch,
// a POS approval in pos mode, then a pause that lets the last train close.
func simulate(ctx context.Context, cfg config, inj *gpiosim.Injector, w *watcher) {
	pause := func() bool {
		t := time.NewTimer(time.Second)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for _, c := range cfg.simCoins {
		if err := inj.InsertCoin(ctx, c); err != nil {
			w.note(fmt.Sprintf("sim: coin of %s not taken: %v", euro(c), err))
		}
		if !pause() {
			return
		}
	}
	if cfg.simGlitch {
		_ = inj.Glitch(ctx, 2*time.Millisecond)
	}
	if cfg.mode == "pos" {
		_ = inj.POSApprove(ctx)
	}
	pause()
}
