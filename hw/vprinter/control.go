package vprinter

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"cnskiosk.dev/hw/printer"
)

// Commands understood by Control, one per line on the binary's stdin.
var controls = map[string]func(*printer.Status){
	"paper out":   func(s *printer.Status) { s.PaperOut, s.StoppedPaper = true, true },
	"paper near":  func(s *printer.Status) { s.PaperNearEnd = true },
	"paper ok":    func(s *printer.Status) { s.PaperOut, s.StoppedPaper, s.PaperNearEnd = false, false, false },
	"cover open":  func(s *printer.Status) { s.CoverOpen = true },
	"cover close": func(s *printer.Status) { s.CoverOpen = false },
	"offline":     func(s *printer.Status) { s.Offline = true },
	"online":      func(s *printer.Status) { s.Offline = false },
	"cutter jam":  func(s *printer.Status) { s.CutterError, s.Error = true, true },
	"cutter ok":   func(s *printer.Status) { s.CutterError, s.Error = false, false },
	"reset":       func(s *printer.Status) { *s = printer.Status{} },
}

// ControlHelp lists the control commands.
const ControlHelp = "paper out | paper out after N lines | paper near | paper ok | cover open | cover close | offline | online | cutter jam | cutter ok | reset | status"

// Control changes the simulated state by a command such as "paper out" or
// "cover open" (see ControlHelp) and returns the new state. "status" only
// returns it. A printer is offline while the cover is open, the paper is
// out or the cutter jammed; clearing the last cause brings it back online.
func (p *Printer) Control(cmd string) (printer.Status, error) {
	cmd = strings.Join(strings.Fields(strings.ToLower(cmd)), " ")
	if cmd == "status" {
		return p.State(), nil
	}
	if rest, ok := strings.CutPrefix(cmd, "paper out after "); ok {
		return p.paperOutAfter(strings.TrimSuffix(strings.TrimSuffix(rest, " lines"), " line"))
	}
	f, ok := controls[cmd]
	if !ok {
		return p.State(), fmt.Errorf("%w: %q (try: %s)", ErrControl, cmd, ControlHelp)
	}
	p.mu.Lock()
	s := p.state
	f(&s)
	switch cmd {
	case "offline":
		p.manualOffline = true
	case "online":
		p.manualOffline = false
	case "reset":
		p.manualOffline, p.linesLeft = false, 0
	case "paper ok", "paper out":
		p.linesLeft = 0
	}
	s.Offline = p.manualOffline || s.PaperOut || s.CoverOpen || s.CutterError
	p.mu.Unlock()
	p.Set(s)
	return s, nil
}

// paperOutAfter arms the paper to run out after n more printed lines.
func (p *Printer) paperOutAfter(n string) (printer.Status, error) {
	v, err := strconv.Atoi(n)
	if err != nil || v < 1 || v > 100000 {
		return p.State(), fmt.Errorf("%w: paper out after %q lines: want 1..100000", ErrControl, n)
	}
	p.mu.Lock()
	p.linesLeft = v
	p.mu.Unlock()
	p.log.Info("vprinter paper will run out", "after_lines", v)
	return p.State(), nil
}

// ControlHandler serves POST /control with the command as the body (or
// ?cmd=) and GET /status; both answer the state as one line of text.
func (p *Printer) ControlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, p.State())
	})
	mux.HandleFunc("POST /control", func(w http.ResponseWriter, r *http.Request) {
		cmd := r.URL.Query().Get("cmd")
		if cmd == "" {
			b, _ := io.ReadAll(io.LimitReader(r.Body, 256))
			cmd = string(b)
		}
		s, err := p.Control(cmd)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintln(w, s)
	})
	return mux
}
