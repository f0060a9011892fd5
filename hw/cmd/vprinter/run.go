package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"cnskiosk.dev/hw/vprinter"
)

type config struct {
	addr, dir, control string
	paper              int
	lineTime           time.Duration
	stdin, debug       bool
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("vprinter", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:9100", "TCP address to listen on")
	fs.IntVar(&c.paper, "paper", 80, "paper width in mm: 58 or 80")
	fs.StringVar(&c.dir, "dir", ".run/receipts", "directory where receipts are saved (they carry PIN/PUK halves: keep it out of version control)")
	fs.StringVar(&c.control, "control", "", "HTTP address for POST /control and GET /status (off if empty)")
	fs.DurationVar(&c.lineTime, "line-time", 0, "time to print one line (0: at once); GS ( H answers wait for it")
	fs.BoolVar(&c.stdin, "stdin", true, "read control commands from standard input")
	fs.BoolVar(&c.debug, "debug", false, "log every connection")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return c, nil
}

// run serves the printer until ctx ends. The first line on stdout is the
// address it listens on; then each control command read from stdin is
// answered on stdout with the new state or an error.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	c, err := parse(args, stderr)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if c.debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	dots := map[int]int{58: vprinter.Dots58, 80: vprinter.Dots80}[c.paper]
	if dots == 0 {
		return fmt.Errorf("-paper %d: want 58 or 80", c.paper)
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	vp, err := vprinter.New(vprinter.Config{Addr: c.addr, Dots: dots, Dir: c.dir, Logger: log, LineTime: c.lineTime})
	if err != nil {
		return err
	}
	defer vp.Close()
	fmt.Fprintln(stdout, "listening on", vp.Addr())
	if c.control != "" {
		stop, err := serveControl(c.control, vp, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	if c.stdin {
		go readControl(ctx, vp, stdin, stdout)
	}
	return vp.Run(ctx)
}

// serveControl starts the HTTP control endpoint; stop shuts it down.
func serveControl(addr string, vp *vprinter.Printer, log *slog.Logger) (stop func(), err error) {
	srv := &http.Server{Addr: addr, Handler: vp.ControlHandler(), ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("control: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("control server", "err", err)
		}
	}()
	log.Info("control endpoint", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}

// readControl applies one control command per line of r. It returns at the
// end of r; a stdin that stays open outlives run, as in any command.
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
