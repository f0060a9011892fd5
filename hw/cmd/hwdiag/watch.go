package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"cnskiosk.dev/hw/coin"
)

// watcher prints payment events with times relative to the start.
type watcher struct {
	mu     sync.Mutex
	out    io.Writer
	json   bool
	start  time.Time
	trains int
	total  int64
	noise  int
}

func newWatcher(out io.Writer, asJSON bool, start time.Time) *watcher {
	return &watcher{out: out, json: asJSON, start: start}
}

// line is one JSON output record.
type line struct {
	T       string `json:"t"`
	Kind    string `json:"kind"`
	WidthMS int64  `json:"width_ms,omitempty"`
	Pulses  int    `json:"pulses,omitempty"`
	Cents   int64  `json:"cents,omitempty"`
	Total   int64  `json:"total_cents"`
	Note    string `json:"note,omitempty"`
}

func (w *watcher) header(cfg config) {
	src := "line " + cfg.pin
	if cfg.sim {
		src = "simulated " + cfg.pin
	}
	w.note(fmt.Sprintf("watching %s, mode %s, pulse %s, inhibit %q, accepting %t",
		src, cfg.mode, euro(cfg.pulseCents), cfg.inhibit, cfg.accept))
}

func (w *watcher) event(e coin.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	l := line{T: w.rel(e.At), Kind: e.Kind.String(), WidthMS: e.Pulse.Width.Milliseconds()}
	switch e.Kind {
	case coin.EventPulse:
		l.Cents = e.Cents
	case coin.EventTrain:
		w.trains++
		w.total += e.Train.Cents
		l.Pulses, l.Cents, l.WidthMS = e.Train.Count, e.Train.Cents, 0
	case coin.EventApproved:
		w.trains++
	default:
		w.noise++
	}
	l.Total = w.total
	w.write(l)
}

func (w *watcher) note(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.write(line{T: w.rel(time.Now()), Kind: "note", Note: s, Total: w.total})
}

func (w *watcher) summary() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.write(line{T: "end", Kind: "note", Total: w.total, Note: fmt.Sprintf("done: %d trains or approvals, %s, %d glitches or rejects",
		w.trains, euro(w.total), w.noise)})
}

func (w *watcher) write(l line) {
	if w.json {
		b, _ := json.Marshal(l)
		fmt.Fprintf(w.out, "%s\n", b)
		return
	}
	switch l.Kind {
	case "note":
		fmt.Fprintf(w.out, "%9s  %s\n", l.T, l.Note)
	case "pulse":
		fmt.Fprintf(w.out, "%9s  pulse     %3d ms   train so far %s\n", l.T, l.WidthMS, euro(l.Cents))
	case "train":
		fmt.Fprintf(w.out, "%9s  TRAIN     %3d pulses = %s   total %s\n", l.T, l.Pulses, euro(l.Cents), euro(l.Total))
	default:
		fmt.Fprintf(w.out, "%9s  %-9s %3d ms\n", l.T, l.Kind, l.WidthMS)
	}
}

func (w *watcher) rel(t time.Time) string {
	return fmt.Sprintf("+%.3fs", t.Sub(w.start).Seconds())
}

func euro(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%sEUR %d.%02d", sign, cents/100, cents%100)
}
