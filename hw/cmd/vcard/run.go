package main

import (
	"bufio"
	"context"
	"errors"
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

// controller owns the slot and the card currently loaded.
type controller struct {
	log  *slog.Logger
	pki  string
	slot *vcard.Slot
	mu   sync.Mutex
	card *vcard.Card
	quit chan struct{}
	once sync.Once
}

func run(ctx context.Context, log *slog.Logger, cfg config) error {
	addr := cfg.addr
	if addr == "" {
		addr = [...]string{vcard.Slot0Addr, vcard.Slot1Addr}[min(max(cfg.slot, 0), 1)]
	}
	c := &controller{log: log, pki: cfg.pki, slot: vcard.NewSlot(addr, log), quit: make(chan struct{})}
	defer c.slot.Close()
	if err := c.load(cfg.profile); err != nil {
		return err
	}
	if cfg.insert {
		if err := c.slot.Insert(ctx, c.current()); err != nil {
			return err
		}
	}
	go c.serve(ctx, os.Stdin, os.Stdout, true)
	if cfg.control != "" {
		ln, err := listen(cfg.control)
		if err != nil {
			return err
		}
		defer ln.Close()
		go c.accept(ctx, ln)
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

func (c *controller) accept(ctx context.Context, ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			c.serve(ctx, conn, conn, false)
		}()
	}
}

// serve executes one command per line and answers "ok" or "error: ...".
// A read error on stdin ends the program; the end of stdin does not, so the
// card keeps running in the background with stdin closed.
func (c *controller) serve(ctx context.Context, r io.Reader, w io.Writer, isStdin bool) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if err := c.exec(ctx, strings.Fields(sc.Text())); err != nil {
			fmt.Fprintln(w, "error:", err)
		} else {
			fmt.Fprintln(w, "ok")
		}
	}
	if isStdin && sc.Err() != nil {
		c.stop()
	}
}

func (c *controller) exec(ctx context.Context, f []string) error {
	if len(f) == 0 {
		return nil
	}
	switch {
	case f[0] == "insert":
		return c.slot.Insert(ctx, c.current())
	case f[0] == "remove":
		return c.slot.Remove()
	case f[0] == "profile" && len(f) == 2:
		return c.load(f[1])
	case f[0] == "status":
		c.log.Info("vcard: status", "inserted", c.slot.Inserted(), "pin_tries", c.current().PINTriesLeft())
		return nil
	case f[0] == "quit":
		c.stop()
		return nil
	}
	return errors.New(`commands: insert, remove, profile FILE, status, quit`)
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
	c.card = card
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
