package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/shared/wire"
)

// heartbeatEvery is how often idle kiosks send their state.
const heartbeatEvery = 10 * time.Second

func run(ctx context.Context, c config, log *slog.Logger) (*report, error) {
	c.client = cmp.Or(c.client, clientLean)
	if err := c.check(); err != nil {
		return nil, err
	}
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if c.dir == "" {
		d, err := os.MkdirTemp("", "cns-loadgen-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		c.dir = d
	}
	f, err := prepare(ctx, c, log)
	if f != nil {
		defer f.dropDB()
	}
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, f.dsn, log)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rep := &report{Mode: c.mode, DB: string(db.Dialect()), Client: c.client, Kiosks: c.kiosks, Ops: c.ops, Idle: c.idle, Rate: c.rate}
	cm, url, stop, err := startStack(ctx, c, f, db, log)
	if err != nil {
		return nil, err
	}
	defer stop()
	if err := measure(ctx, c, f, db, cm, url, rep, log); err != nil {
		return nil, err
	}
	return rep, nil
}

// startStack starts Mosquitto (in mosquitto mode) and cmsd.
func startStack(ctx context.Context, c config, f *fixture, db *store.DB, log *slog.Logger) (*cmsdProc, string, func(), error) {
	var out io.Writer = io.Discard
	if c.verbose {
		out = os.Stderr
	}
	mqttAddr, err := freeAddr()
	if err != nil {
		return nil, "", nil, err
	}
	httpAddr, err := freeAddr()
	if err != nil {
		return nil, "", nil, err
	}
	metricsAddr, err := freeAddr()
	if err != nil {
		return nil, "", nil, err
	}
	args := []string{"--data", filepath.Join(c.dir, "cmsd"), "--db", f.dsn, "--http", httpAddr, "--name", "cmsd-loadgen",
		"--dev-spool", "--metrics-listen", metricsAddr}
	url, stops, mosqPID := "tls://"+mqttAddr, []func(){}, 0
	if c.mode == "mosquitto" {
		dir := filepath.Join(c.dir, "mosquitto")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, "", nil, err
		}
		mp, u, err := startMosquittoFor(ctx, dir, !c.nagle, f, db, out, log)
		if err != nil {
			return nil, "", nil, err
		}
		stops = append(stops, func() { mp.stop(5 * time.Second) })
		url, mosqPID = u, mp.cmd.Process.Pid
		args = append(args, "--broker", url, "--cert-dir", filepath.Join(dir, "cloud"))
	} else {
		args = append(args, "--mqtt-listen", mqttAddr)
	}
	args = append(args, c.cmsdArgs...)
	cm, err := startCmsd(ctx, c.cmsd, args, httpAddr, out)
	if cm != nil {
		cm.metrics, cm.mosquittoPID = metricsAddr, mosqPID
	}
	stopAll := func() {
		if cm != nil && cm.proc != nil {
			cm.stop(15 * time.Second)
		}
		for _, s := range stops {
			s()
		}
	}
	if err != nil {
		stopAll()
		return nil, "", nil, err
	}
	log.Info("cmsd running", "pid", cm.cmd.Process.Pid, "broker", url, "db", db.Dialect())
	return cm, url, stopAll, nil
}

// measure runs the baseline, the idle kiosks and the load, then checks
// that every operation was recorded exactly once.
func measure(ctx context.Context, c config, f *fixture, db *store.DB, cm *cmsdProc, url string, rep *report, log *slog.Logger) error {
	if c.raw > 0 {
		rr, err := rawBaseline(ctx, url, f.ca, db, c.raw, log)
		if err != nil {
			return err
		}
		rep.raw(rr)
	}
	if c.idle > 0 {
		idle, err := holdIdle(ctx, c, f, cm, url, rep, log)
		if err != nil {
			return err
		}
		defer closeAll(idle)
	}
	ks, err := dialAll(ctx, c.client, url, f.ca, f.devices[:c.kiosks], log)
	if err != nil {
		return err
	}
	defer closeAll(ks)
	runs, err := prepareRuns(c, f, ks)
	if err != nil {
		return err
	}
	cpu := startCPU(map[string]int{"cmsd": cm.cmd.Process.Pid, "mosquitto": cm.mosquittoPID})
	if c.killAfter > 0 {
		go killAndRestart(ctx, cm, c.killAfter, cpu, rep, log)
	}
	log.Info("load started", "kiosks", c.kiosks, "ops", c.ops, "rate", c.rate)
	lr, err := drive(ctx, c, runs)
	cpu.stop(rep)
	rep.load(lr)
	if c.timeline != "" {
		if werr := writeTimeline(c.timeline, lr); werr != nil {
			log.Warn("timeline not written", "err", werr)
		}
	}
	for _, k := range ks {
		rep.BadAcks += k.invalid()
		rep.StrayAcks += k.stray.Load()
	}
	rep.BatchMean, rep.Batches = batchMean(ctx, cm.metrics)
	if err != nil {
		return fmt.Errorf("load: %w (%d of %d acked)", err, lr.acked, lr.sent)
	}
	return verify(ctx, db, lr.opIDs, rep)
}

// holdIdle connects the idle kiosks, each sending a heartbeat now and
// every heartbeatEvery, and records cmsd's RSS before and after.
func holdIdle(ctx context.Context, c config, f *fixture, cm *cmsdProc, url string, rep *report, log *slog.Logger) ([]*kiosk, error) {
	var err error
	if rep.RSSBase, err = rss(cm.cmd.Process.Pid); err != nil {
		return nil, err
	}
	idle, err := dialAll(ctx, c.client, url, f.ca, f.devices[c.kiosks:], log)
	if err != nil {
		return nil, err
	}
	beat := func() {
		for _, k := range idle {
			if env, err := wire.New(k.id, 0, wire.TypeState, time.Now(), wire.State{Online: true, Reader: "ok", Printer: "ok", Payment: "ok"}); err == nil {
				k.send(ctx, wire.ChanState, env)
			}
		}
	}
	beat()
	go func() {
		t := time.NewTicker(heartbeatEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				beat()
			case <-ctx.Done():
				return
			}
		}
	}()
	if rep.RSSIdle, err = rss(cm.cmd.Process.Pid); err != nil {
		return idle, err
	}
	rep.BytesPerKiosk = (rep.RSSIdle - rep.RSSBase) / int64(len(idle))
	return idle, nil
}

// killAndRestart kills cmsd after d and starts it again; cpu counts both
// processes as cmsd.
func killAndRestart(ctx context.Context, cm *cmsdProc, d time.Duration, cpu *cpuWatch, rep *report, log *slog.Logger) {
	if !sleepUntil(ctx, time.Now().Add(d)) {
		return
	}
	log.Warn("killing cmsd (SIGKILL)", "pid", cm.cmd.Process.Pid)
	cpu.replace("cmsd", 0)
	cm.kill()
	err := cm.restart(ctx)
	if cm.proc != nil {
		cpu.replace("cmsd", cm.cmd.Process.Pid)
	}
	if err != nil {
		log.Error("cmsd restart failed", "err", err)
		return
	}
	rep.Restarts++
	log.Info("cmsd restarted", "pid", cm.cmd.Process.Pid)
}

// verify counts the rows of operations for every operation sent.
func verify(ctx context.Context, db *store.DB, ids []string, rep *report) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		chunk := ids[:n]
		ids = ids[n:]
		ph := make([]string, n)
		args := make([]any, n)
		for i, id := range chunk {
			ph[i], args[i] = fmt.Sprintf("$%d", i+1), id
		}
		rows, err := db.SQL().QueryContext(ctx, `SELECT op_id, count(*) FROM operations WHERE op_id IN (`+strings.Join(ph, ",")+`) GROUP BY op_id`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var c int
			if err := rows.Scan(&id, &c); err != nil {
				rows.Close()
				return err
			}
			rep.Recorded++
			rep.Duplicate += c - 1
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	rep.ExactlyOnce = rep.Acked == rep.Sent && rep.Recorded == rep.Sent && rep.Duplicate == 0
	return nil
}
