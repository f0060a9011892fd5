// Command vprinter is a virtual ESC/POS receipt printer on TCP 9100: it
// answers status requests, saves each receipt as a text transcript and a
// PNG, and reads control commands ("paper out", "cover open", ...) from
// standard input and, with -control, from HTTP.
//
//	vprinter -addr 127.0.0.1:9100 -dir .run/receipts -paper 80
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "vprinter:", err)
		os.Exit(1)
	}
}
