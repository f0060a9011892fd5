// Command vcard runs a virtual TS-CNS card in a vpcd slot of pcscd.
//
//	vcard -profile hw/profiles/adult.json -pki .run/pki -slot 0 -insert
//
// It reads commands, one per line, from stdin and from the optional unix
// control socket (-control): "insert", "remove", "profile FILE", "status",
// "quit".
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.profile, "profile", "hw/profiles/adult.json", "card profile (JSON)")
	flag.StringVar(&cfg.pki, "pki", ".run/pki", "directory of the profile's certificate and key (scripts/devca.sh)")
	flag.IntVar(&cfg.slot, "slot", 0, "vpcd slot: 0 (Virtual PCD 00 00) or 1 (Virtual PCD 00 01)")
	flag.StringVar(&cfg.addr, "addr", "", "vpcd address, overrides -slot (host:port)")
	flag.BoolVar(&cfg.insert, "insert", false, "insert the card at start")
	flag.StringVar(&cfg.control, "control", "", "unix socket for commands, besides stdin")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "vcard:", err)
		os.Exit(1)
	}
}
