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
	"os"
	"strings"
	"sync"

	"cnskiosk.dev/hw/vcard"
)

type config struct {
	profile, pki, addr, control string
	slot                        int
	insert                      bool
}

func parse(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("vcard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.profile, "profile", "hw/profiles/adult.json", "card profile (JSON)")
	fs.StringVar(&cfg.pki, "pki", ".run/pki", "directory of the profile's certificate and key (scripts/devca.sh)")
	fs.IntVar(&cfg.slot, "slot", 0, "vpcd slot: 0 (Virtual PCD 00 00) or 1 (Virtual PCD 00 01)")
	fs.StringVar(&cfg.addr, "addr", "", "vpcd address, overrides -slot (host:port)")
	fs.BoolVar(&cfg.insert, "insert", false, "insert the card at start")
	fs.StringVar(&cfg.control, "control", "", "unix socket for commands, besides stdin")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if cfg.addr == "" {
		if cfg.slot != 0 && cfg.slot != 1 {
			return cfg, fmt.Errorf("-slot %d: want 0 or 1", cfg.slot)
		}
		cfg.addr = [...]string{vcard.Slot0Addr, vcard.Slot1Addr}[cfg.slot]
	}
	return cfg, nil
}

// controller owns the slot and the card currently loaded.
type controller struct {
	log     *slog.Logger
	pki     string
	slot    *vcard.Slot
	mu      sync.Mutex
	card    *vcard.Card
	profile string
	quit    chan struct{}
	once    sync.Once
}

// run serves the card until ctx ends, "quit" arrives or stdin fails. The
// end of stdin does not stop it: the card keeps running in the background.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := parse(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	c := &controller{log: log, pki: cfg.pki, slot: vcard.NewSlot(cfg.addr, log), quit: make(chan struct{})}
	defer c.slot.Close()
	if err := c.load(cfg.profile); err != nil {
		return err
	}
	if cfg.insert {
		if err := c.slot.Insert(ctx, c.current()); err != nil {
			return err
		}
	}
	go c.serve(ctx, stdin, stdout, true)
	if cfg.control != "" {
		ln, err := listen(cfg.control)
		if err != nil {
			return err
		}
		var wg sync.WaitGroup
		defer wg.Wait()
		defer ln.Close()
		wg.Go(func() { c.accept(ctx, ln) })
	}
	select {
	case <-ctx.Done():
	case <-c.quit:
	}
	return nil
}

func listen(path string) (net.Listener, error) {
	_ = os.Remove(path)
	return net.Listen("unix", path)
}

// accept serves control connections until ln is closed, then closes those
// still open and waits for them.
func (c *controller) accept(ctx context.Context, ln net.Listener) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]bool{}
	)
	defer wg.Wait()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for conn := range conns {
			conn.Close()
		}
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		mu.Lock()
		conns[conn] = true
		mu.Unlock()
		wg.Go(func() {
			c.serve(ctx, conn, conn, false)
			mu.Lock()
			delete(conns, conn)
			mu.Unlock()
			conn.Close()
		})
	}
}

// serve executes one command per line and answers "ok ..." or "error: ...".
// A read error on stdin ends the program.
func (c *controller) serve(ctx context.Context, r io.Reader, w io.Writer, isStdin bool) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 0 {
			if reply, err := c.exec(ctx, f); err != nil {
				fmt.Fprintln(w, "error:", err)
			} else {
				fmt.Fprintln(w, strings.TrimSpace("ok "+reply))
			}
		}
	}
	if isStdin && sc.Err() != nil {
		c.stop()
	}
}

func (c *controller) exec(ctx context.Context, f []string) (string, error) {
	switch {
	case f[0] == "insert" && len(f) == 1:
		return "", c.slot.Insert(ctx, c.current())
	case f[0] == "remove" && len(f) == 1:
		return "", c.slot.Remove()
	case f[0] == "profile" && len(f) == 2:
		return "", c.load(f[1])
	case f[0] == "status" && len(f) == 1:
		c.mu.Lock()
		defer c.mu.Unlock()
		return fmt.Sprintf("inserted=%t profile=%s pin_tries=%d stalled=%t", c.slot.Inserted(), c.profile,
			c.card.PINTriesLeft(), c.card.Stalled()), nil
	case f[0] == "stall" && len(f) == 1:
		c.current().Stall()
		return "", nil
	case f[0] == "unstall" && len(f) == 1:
		c.current().Unstall()
		return "", nil
	case f[0] == "quit" && len(f) == 1:
		c.stop()
		return "", nil
	}
	return "", errors.New(`commands: insert, remove, profile FILE, status, stall, unstall, quit`)
}

// load reads a profile; it takes effect at the next insert.
func (c *controller) load(path string) error {
	p, err := vcard.LoadProfile(path, c.pki)
	if err != nil {
		return err
	}
	card, err := vcard.New(p)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.card, c.profile = card, p.Name
	c.mu.Unlock()
	c.log.Info("vcard: profile loaded", "profile", p.Name)
	return nil
}

func (c *controller) current() *vcard.Card {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.card
}

func (c *controller) stop() { c.once.Do(func() { close(c.quit) }) }
