package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
)

func main() {
	var c config
	flag.StringVar(&c.cmsd, "cmsd", "bin/cmsd", "cmsd binary to start")
	flag.StringVar(&c.mode, "mode", "embedded", "embedded (embedded broker) or mosquitto (external Mosquitto)")
	flag.StringVar(&c.db, "db", "", "database DSN for cmsd (default SQLite in the scratch dir; a postgres:// URL gets a fresh database)")
	flag.StringVar(&c.dir, "dir", "", "scratch directory (default a new temp dir, removed at the end)")
	flag.StringVar(&c.client, "client", clientLean, "MQTT client of the simulated kiosks: lean (mqttlite, cheap on CPU) or paho (as the firmware)")
	flag.IntVar(&c.kiosks, "kiosks", 100, "kiosks sending operations")
	flag.IntVar(&c.ops, "ops", 20, "activations per sending kiosk")
	flag.Float64Var(&c.rate, "rate", 0, "total offered ops/s (0 = closed loop: each kiosk waits for its ack before the next op)")
	flag.IntVar(&c.idle, "idle", 0, "extra idle kiosks held connected with heartbeats (memory per kiosk)")
	flag.IntVar(&c.raw, "raw", 20000, "messages of the raw QoS 1 publish -> subscribe baseline (0 = skip)")
	flag.DurationVar(&c.timeout, "timeout", 5*time.Minute, "bound of the whole run")
	flag.DurationVar(&c.stall, "stall", time.Minute, "fail, listing the operations without ack, when no new ack came for this long (0: never)")
	flag.DurationVar(&c.killAfter, "kill-after", 0, "kill cmsd (SIGKILL) this long after the load starts and restart it (0 = never)")
	flag.StringVar(&c.pgAdmin, "pg", pgURL(), "PostgreSQL superuser URL used to create the database of -db postgres")
	flag.BoolVar(&c.verbose, "v", false, "log cmsd's output")
	flag.BoolVar(&c.nagle, "mosquitto-nagle", false, "run Mosquitto without set_tcp_nodelay (Nagle's algorithm on its sockets), for comparison")
	flag.StringVar(&c.timeline, "timeline", "", "write the ack latency (count, p50, p99, max) of each 250 ms of the load, by publish time, to this file (TSV)")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of loadgen itself to this file")
	flag.Var(&c.cmsdArgs, "cmsd-arg", "extra argument for cmsd, e.g. -cmsd-arg=--ingest-workers=64 (repeatable)")
	flag.Parse()
	if os.Getenv("GOGC") == "" {
		// loadgen is the measuring instrument and shares the cores with what
		// it measures: fewer collections (memory is not what it measures).
		debug.SetGCPercent(400)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, c, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	rep.print(os.Stdout)
	if !rep.ExactlyOnce {
		os.Exit(3)
	}
}
