// Command vcard runs a virtual TS-CNS card in a vpcd slot of pcscd.
//
//	vcard -profile hw/profiles/adult.json -pki .run/pki -slot 0 -insert
//
// It reads commands, one per line, from stdin and from the optional unix
// control socket (-control): "insert", "remove", "profile FILE", "status",
// "stall" (the card stops answering commands, to test a hanging card),
// "unstall", "quit". Each is answered with one line: "ok ..." or "error: ...".
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
		fmt.Fprintln(os.Stderr, "vcard:", err)
		os.Exit(1)
	}
}
