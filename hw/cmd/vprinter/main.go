// Command vprinter is a virtual ESC/POS receipt printer on TCP 9100: it
// answers status requests, saves each receipt as a text transcript and a
// PNG, and reads control commands ("paper out", "cover open", ...) from
// standard input and, with -control, from HTTP.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	var c config
	flag.StringVar(&c.addr, "addr", "127.0.0.1:9100", "TCP address to listen on")
	flag.IntVar(&c.paper, "paper", 80, "paper width in mm: 58 or 80")
	flag.StringVar(&c.dir, "dir", "receipts", "directory where receipts are saved")
	flag.StringVar(&c.control, "control", "", "HTTP address for POST /control and GET /status (off if empty)")
	flag.BoolVar(&c.stdin, "stdin", true, "read control commands from standard input")
	flag.BoolVar(&c.debug, "debug", false, "log every connection")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "vprinter:", err)
		os.Exit(1)
	}
}
