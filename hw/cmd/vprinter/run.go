package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"cnskiosk.dev/hw/vprinter"
)

type config struct {
	addr, dir, control string
	paper              int
	stdin, debug       bool
}

func run(ctx context.Context, c config) error {
	level := slog.LevelInfo
	if c.debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	dots := map[int]int{58: vprinter.Dots58, 80: vprinter.Dots80}[c.paper]
	if dots == 0 {
		return fmt.Errorf("-paper %d: want 58 or 80", c.paper)
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	vp, err := vprinter.New(vprinter.Config{Addr: c.addr, Dots: dots, Dir: c.dir, Logger: log})
	if err != nil {
		return err
	}
	defer vp.Close()
	if c.control != "" {
		srv := &http.Server{Addr: c.control, Handler: vp.ControlHandler(), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("control server", "err", err)
			}
		}()
		defer shutdown(srv)
		log.Info("control endpoint", "addr", c.control)
	}
	if c.stdin {
		go readControl(ctx, vp, os.Stdin, os.Stdout)
	}
	return vp.Run(ctx)
}

func shutdown(srv *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}

// readControl applies one control command per line of r.
func readControl(ctx context.Context, vp *vprinter.Printer, r io.Reader, w io.Writer) {
	fmt.Fprintln(w, "commands:", vprinter.ControlHelp)
	sc := bufio.NewScanner(r)
	for sc.Scan() && ctx.Err() == nil {
		st, err := vp.Control(sc.Text())
		if err != nil {
			fmt.Fprintln(w, err)
			continue
		}
		fmt.Fprintln(w, "status:", st)
	}
}
